package main

import (
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/lmittmann/tint"
)

const redacted = "[REDACTED]"

// minRedactedLen is the shortest secret the logger redacts. Replacing a
// shorter one would garble unrelated text (a secret "e" turns "serving" into
// "s[REDACTED]rving") and reveal the secret by where the marks fall; the
// configuration refuses secrets that short instead.
const minRedactedLen = 8

// newLogger logs with tint to w (always stderr: stdout belongs to the
// protocol), in colour only when w is a terminal. Any secret that reaches a
// message or an attribute is replaced: the code never logs them, and this
// keeps it so if an error from below ever quotes one. Secrets shorter than
// minRedactedLen are not redacted (see there).
func newLogger(w io.Writer, level slog.Level, colour bool, secrets ...string) *slog.Logger {
	return slog.New(tint.NewTextHandler(w, &tint.Options{
		Level:       level,
		NoColor:     !colour,
		ReplaceAttr: redactor(secrets),
	}))
}

func redactor(secrets []string) func([]string, slog.Attr) slog.Attr {
	var replacements []string
	for _, s := range secrets {
		if len(s) >= minRedactedLen {
			replacements = append(replacements, s, redacted)
		}
	}
	if len(replacements) == 0 {
		return nil
	}
	replacer := strings.NewReplacer(replacements...)
	return func(_ []string, a slog.Attr) slog.Attr {
		if kind := a.Value.Kind(); kind != slog.KindString && kind != slog.KindAny {
			return a
		}
		s := a.Value.String()
		if clean := replacer.Replace(s); clean != s {
			a.Value = slog.StringValue(clean)
		}
		return a
	}
}

// isTerminal reports whether f is a character device, such as a terminal,
// rather than a file or a pipe.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
