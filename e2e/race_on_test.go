//go:build race

package e2e

// raceEnabled is set when the tests run under -race; the binary under test
// is then built with -race too.
const raceEnabled = true
