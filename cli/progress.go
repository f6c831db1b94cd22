package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
)

const progressToken = "cli"

// progressBar draws the progress notifications of one call on a single
// terminal line, and clears it when the call is done.
type progressBar struct {
	w     io.Writer
	mu    sync.Mutex
	drawn bool
	done  bool // notifications can arrive after the result; they are not drawn
}

type progress struct {
	ProgressToken any     `json:"progressToken"`
	Progress      float64 `json:"progress"`
	Total         float64 `json:"total"`
	Message       string  `json:"message"`
}

func (b *progressBar) update(n mcp.JSONRPCNotification) {
	if n.Method != string(mcp.MethodNotificationProgress) {
		return
	}
	// The fields arrive as whatever Go types the server used; JSON normalises them.
	data, err := json.Marshal(n.Params)
	var p progress
	if err != nil || json.Unmarshal(data, &p) != nil || p.ProgressToken != progressToken {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	fmt.Fprint(b.w, "\r\033[K"+p.render())
	b.drawn = true
}

func (b *progressBar) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
}

const (
	barWidth  = 30
	lineWidth = 79 // a longer line would wrap, and \r would no longer redraw it
)

// render is the bar, the percentage, and the server's message or, without
// one, the counts.
func (p progress) render() string {
	detail := p.Message
	if detail == "" {
		detail = fmt.Sprintf("%g", p.Progress)
		if p.Total > 0 {
			detail += fmt.Sprintf("/%g", p.Total)
		}
	}
	line := detail
	if p.Total > 0 {
		filled := min(int(float64(barWidth)*p.Progress/p.Total), barWidth)
		bar := strings.Repeat("#", filled) + strings.Repeat("-", barWidth-filled)
		line = fmt.Sprintf("[%s] %3.0f%% %s", bar, 100*p.Progress/p.Total, detail)
	}
	if runes := []rune(line); len(runes) > lineWidth {
		line = string(runes[:lineWidth-1]) + "…"
	}
	return line
}
