package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
)

var quiet = slog.New(slog.DiscardHandler)

func TestJournalFlagAndEnvironment(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.journal != "" || cfg.journalRetention != journal.DefaultRetention {
		t.Errorf("defaults: journal %q, retention %+v", cfg.journal, cfg.journalRetention)
	}
	cfg, err = parseConfig(nil, env(map[string]string{"BIGCOMMERCE_MCP_JOURNAL": "postgres://db/journal"}))
	if err != nil || cfg.journal != "postgres://db/journal" {
		t.Errorf("from the environment: %q, %v", cfg.journal, err)
	}
	cfg, err = parseConfig([]string{"--journal", "off", "--journal-max-age", "720h", "--journal-max-items", "5000"},
		env(map[string]string{"BIGCOMMERCE_MCP_JOURNAL": "/var/lib/j.db"}))
	if err != nil || cfg.journal != journal.Off || cfg.journalRetention != (journal.Retention{MaxAge: 720 * time.Hour, MaxItems: 5000}) {
		t.Errorf("the flags override the environment: %q, %+v, %v", cfg.journal, cfg.journalRetention, err)
	}
}

func TestTheSandboxJournalsInMemory(t *testing.T) {
	t.Parallel()
	never := filepath.Join(t.TempDir(), "never.db")
	cfg, err := parseConfig([]string{"--sandbox", "--journal", never}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	j, err := openJournal(cfg, quiet)
	if err != nil || j == nil {
		t.Fatalf("sandbox journal: %v, %v", j, err)
	}
	defer j.Close()
	if _, err := j.Record(t.Context(), journal.Change{Tool: "t", Summary: "s"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(never); err == nil {
		t.Error("the sandbox journaled to a file")
	}
	cfg.journal = journal.Off
	if j, err := openJournal(cfg, quiet); j != nil || err != nil {
		t.Errorf("--journal off with --sandbox: %v, %v", j, err)
	}
}
