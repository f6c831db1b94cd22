package main

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLoggerRedactsSecretsWhereverTheyAppear(t *testing.T) {
	t.Parallel()
	const token, bearer = "access-token-123", "bearer-456"
	var out bytes.Buffer
	log := newLogger(&out, slog.LevelDebug, false, token, bearer, "")

	log.Debug("sent token " + token)
	log.Info("request", "header", "Bearer "+bearer)
	log.Warn("failed", "err", errors.New("401: token "+token+" rejected"))
	log.With("auth", bearer).WithGroup("req").Error("nested", "token", token)

	logged := out.String()
	for _, secret := range []string{token, bearer} {
		if strings.Contains(logged, secret) {
			t.Errorf("secret %q logged:\n%s", secret, logged)
		}
	}
	if got := strings.Count(logged, redacted); got != 5 {
		t.Errorf("%d redactions, want 5:\n%s", got, logged)
	}
}

func TestLoggerWithoutSecretsLogsAsIs(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	newLogger(&out, slog.LevelInfo, false, "", "").Info("hello", "n", 1)
	if !strings.Contains(out.String(), "hello n=1") {
		t.Errorf("logged %q", out.String())
	}
}

func TestLoggerHonoursTheLevelAndColour(t *testing.T) {
	t.Parallel()
	var plain, coloured bytes.Buffer
	newLogger(&plain, slog.LevelWarn, false).Info("hidden")
	newLogger(&coloured, slog.LevelInfo, true).Info("shown")
	if plain.Len() != 0 {
		t.Errorf("an info line passed the warn level: %q", plain.String())
	}
	if !strings.Contains(coloured.String(), "\033[") {
		t.Errorf("no colour on a terminal: %q", coloured.String())
	}
}

func TestLoggerLeavesTextAloneForSecretsTooShortToRedact(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	newLogger(&out, slog.LevelInfo, false, "e", "rv", "1234567").Info("serving", "addr", "127.0.0.1:1234567")
	if logged := out.String(); strings.Contains(logged, redacted) || !strings.Contains(logged, "serving addr=127.0.0.1:1234567") {
		t.Errorf("short secrets garbled the line: %q", logged)
	}
}
