//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package journal

import (
	"os"
	"syscall"
)

// errLocked is flock's answer when another open file holds the lock.
var errLocked error = syscall.EWOULDBLOCK

// flock takes f's exclusive lock without waiting: errLocked if another holds it.
func flock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
