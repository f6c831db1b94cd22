package transport

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"github.com/mark3labs/mcp-go/server"
)

// serveStdio speaks newline-delimited JSON-RPC on cfg.Stdin and cfg.Stdout.
// Nothing else is ever written to cfg.Stdout.
func serveStdio(ctx context.Context, srv *server.MCPServer, cfg Config) error {
	stdio := server.NewStdioServer(srv)
	stdio.SetErrorLogger(slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelError))
	cfg.Logger.Info("serving MCP on stdio")
	err := stdio.Listen(ctx, &frameLimiter{r: cfg.Stdin, max: MaxMessageBytes}, cfg.Stdout)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// frameLimiter cuts every line longer than max down to its first max bytes,
// so a giant frame costs bounded memory and earns a parse error, where the
// whole line would otherwise be buffered before it could be rejected.
type frameLimiter struct {
	r       io.Reader
	max     int
	lineLen int // bytes of the current line let through
}

func (f *frameLimiter) Read(p []byte) (int, error) {
	for {
		n, err := f.r.Read(p)
		kept := f.trim(p[:n])
		if kept > 0 || err != nil || n == 0 {
			return kept, err
		}
	}
}

// trim drops, in place, the bytes of p past the line limit and returns how many remain.
func (f *frameLimiter) trim(p []byte) int {
	kept := 0
	for _, b := range p {
		switch {
		case b == '\n':
			f.lineLen = 0
		case f.lineLen >= f.max:
			continue
		default:
			f.lineLen++
		}
		p[kept] = b
		kept++
	}
	return kept
}
