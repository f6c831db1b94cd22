package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/tools"
)

// testServer has a read-only tool that echoes its arguments and whether a
// progress token came with them, and a destructive tool that always fails.
func testServer() *server.MCPServer {
	srv := server.NewMCPServer("test", "1", server.WithToolCapabilities(false))
	echo := mcp.NewTool("echo",
		mcp.WithDescription("Echo the arguments.\nMore detail that the table leaves out."),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false))
	srv.AddTool(echo, func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		out := map[string]any{"arguments": req.Params.Arguments, "progress_requested": req.Params.Meta != nil && req.Params.Meta.ProgressToken != nil}
		return mcp.NewToolResultStructured(out, "echoed"), nil
	})
	wipe := mcp.NewTool("wipe", mcp.WithDescription("Fail."),
		mcp.WithReadOnlyHintAnnotation(false), mcp.WithDestructiveHintAnnotation(true),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(true))
	srv.AddTool(wipe, func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultError(`{"error":{"code":"forbidden"}}`), nil
	})
	return srv
}

func TestListToolsTable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := ListTools(t.Context(), testServer(), &out, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := [][]string{
		{"NAME", "ANNOTATIONS", "DESCRIPTION"},
		{"echo", "read-only", "Echo the arguments."},
		{"wipe", "write, destructive, idempotent", "Fail."},
	}
	if len(lines) != len(want) {
		t.Fatalf("table:\n%s", out.String())
	}
	for i, cells := range want {
		for _, cell := range cells {
			if !strings.Contains(lines[i], cell) {
				t.Errorf("line %q lacks %q", lines[i], cell)
			}
		}
	}
	if strings.Contains(out.String(), "More detail") {
		t.Error("the table shows more than the description's first line")
	}
}

func TestListToolsJSON(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := ListTools(t.Context(), testServer(), &out, true); err != nil {
		t.Fatal(err)
	}
	var tools []mcp.Tool
	if err := json.Unmarshal(out.Bytes(), &tools); err != nil || len(tools) != 2 {
		t.Fatalf("%v: %s", err, out.String())
	}
	if tools[0].InputSchema.Type != "object" || *tools[1].Annotations.DestructiveHint != true {
		t.Errorf("definitions lost detail: %s", out.String())
	}
}

func TestCallTool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		call      Call
		wantErr   error
		wantUsage bool
		stdout    string
	}{
		{name: "prints the structured result", call: Call{Tool: "echo", Arguments: `{"id": 7}`},
			stdout: "\"arguments\": {\n    \"id\": 7\n  }"},
		{name: "sends {} without arguments", call: Call{Tool: "echo"}, stdout: `"arguments": {}`},
		{name: "reads the arguments from stdin", call: Call{Tool: "echo", Arguments: "-", Stdin: strings.NewReader(`{"from": "stdin"}`)},
			stdout: `"from": "stdin"`},
		{name: "asks for progress when it can draw it", call: Call{Tool: "echo", Progress: &bytes.Buffer{}},
			stdout: `"progress_requested": true`},
		{name: "prints a tool's error", call: Call{Tool: "wipe"}, wantErr: ErrToolFailed, stdout: `"code": "forbidden"`},
		{name: "names the tools when there is no such tool", call: Call{Tool: "nope"}, wantUsage: true,
			stdout: "\"code\": \"unknown_tool\",\n    \"message\": \"there is no tool \\\"nope\\\"\",\n    \"tools\": [\n      \"echo\",\n      \"wipe\"\n    ]"},
		{name: "refuses arguments that are not JSON", call: Call{Tool: "echo", Arguments: "{"}, wantUsage: true},
		{name: "refuses a JSON array", call: Call{Tool: "echo", Arguments: "[]"}, wantUsage: true},
		{name: "refuses null", call: Call{Tool: "echo", Arguments: "null"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			tt.call.Stdout = &out
			err := CallTool(t.Context(), testServer(), tt.call)
			if _, isUsage := errors.AsType[*UsageError](err); isUsage != tt.wantUsage {
				t.Fatalf("error %v, usage error %t, want %t", err, isUsage, tt.wantUsage)
			}
			if !tt.wantUsage && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if got := out.String(); !strings.Contains(got, tt.stdout) || (got != "" && !json.Valid(out.Bytes())) {
				t.Errorf("stdout %q, want JSON with %s", got, tt.stdout)
			}
		})
	}
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	bar := &progressBar{w: &out}
	notify := func(token any, progress, total float64, message string) {
		bar.update(mcp.JSONRPCNotification{Notification: mcp.Notification{
			Method: string(mcp.MethodNotificationProgress),
			Params: mcp.NotificationParams{AdditionalFields: map[string]any{
				"progressToken": token, "progress": progress, "total": total, "message": message,
			}},
		}})
	}
	notify(progressToken, 25, 100, "")
	notify("someone else's", 50, 100, "")
	notify(progressToken, 50, 100, "batch 5 of 10")
	notify(progressToken, 7, 0, "")
	notify(progressToken, 8, 0, strings.Repeat("long ", 20))
	bar.clear()
	notify(progressToken, 100, 100, "late")

	want := "\r\033[K[#######-----------------------]  25% 25/100" +
		"\r\033[K[###############---------------]  50% batch 5 of 10" +
		"\r\033[K7" +
		"\r\033[K" + strings.Repeat("long ", 20)[:78] + "…" +
		"\r\033[K"
	if out.String() != want {
		t.Errorf("drew %q\nwant %q", out.String(), want)
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]int{
		nil:                                   0,
		ErrToolFailed:                         1,
		ErrNotAllDone:                         3,
		fmt.Errorf("call: %w", ErrNotAllDone): 3,
		errors.New("boom"):                    1,
		&UsageError{Err: errors.New("")}:      2,
		fmt.Errorf("wrapped: %w", &UsageError{Err: errors.New("")}): 2,
	} {
		if got := ExitCode(err); got != want {
			t.Errorf("ExitCode(%v) = %d, want %d", err, got, want)
		}
	}
}

// storeServer is the real server over a simulated store.
func storeServer(t *testing.T) *server.MCPServer {
	t.Helper()
	store := bcsim.New(bcsim.WithAccessToken("token"))
	client, err := bc.New(bc.Config{StoreHash: "test", AccessToken: "token", BaseURL: "http://bcsim", HTTPClient: store.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return tools.NewServer(client, tools.Config{})
}

func TestCallExitsNotAllDoneWhenAnItemIsNotDone(t *testing.T) {
	t.Parallel()
	srv := storeServer(t)
	const bulk = "bulk_update_customers"
	for _, tc := range []struct {
		name, tool, arguments string
		want                  int
	}{
		{"every customer updated", bulk, `{"customers": [{"id": 1, "company": "Acme"}]}`, ExitOK},
		{"one customer of two failed", bulk, `{"customers": [{"id": 2, "company": "Acme"}, {"id": 99999, "company": "Acme"}]}`, ExitNotAllDone},
		{"every customer failed", bulk, `{"customers": [{"id": 99998, "company": "Acme"}]}`, ExitNotAllDone},
		{"a dry run in which one would fail", bulk, `{"customers": [{"id": 3, "first_name": ""}], "dry_run": true}`, ExitNotAllDone},
		{"a tool error", bulk, `{"customers": []}`, ExitFailed},
		{"a read", "get_customer_group", `{"id": 1}`, ExitOK},
	} {
		var out bytes.Buffer
		err := CallTool(t.Context(), srv, Call{Tool: tc.tool, Arguments: tc.arguments, Stdout: &out})
		if got := ExitCode(err); got != tc.want {
			t.Errorf("%s: exit code %d (%v), want %d; printed %s", tc.name, got, err, tc.want, out.String())
		}
	}
}

func TestCallPrintsTextAsItIs(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := CallTool(t.Context(), storeServer(t), Call{Tool: "create_customer_group", Arguments: `{"name": "R&D <EU>"}`, Stdout: &out})
	if err != nil || !strings.Contains(out.String(), `"name": "R&D <EU>"`) {
		t.Errorf("printed %s (%v), want the name as it is", out.String(), err)
	}
}

func TestUnescapeMarkup(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`"R\u0026D \u003cEU\u003e"`: `"R&D <EU>"`,
		`"a\\u003c"`:                `"a\\u003c"`, // a backslash, then the letters
		`"\\\u003c"`:                `"\\<"`,
		`"caf\u00e9 \n"`:            `"caf\u00e9 \n"`,
	} {
		if got := string(unescapeMarkup([]byte(in))); got != want {
			t.Errorf("unescapeMarkup(%s) = %s, want %s", in, got, want)
		}
		if !json.Valid([]byte(want)) {
			t.Errorf("%s is not JSON", want)
		}
	}
}
