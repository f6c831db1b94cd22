package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// wantEffects is what each tool does to the store, as the README's tools
// table promises: a tool added or changed must be added or changed here too.
var wantEffects = map[string]effect{
	"list_customer_groups":  reads,
	"get_customer_group":    reads,
	"count_customer_groups": reads,
	"create_customer_group": creates,
	"update_customer_group": updates,
	"delete_customer_group": deletes,
	"list_customers":        reads,
	"bulk_update_customers": updates,
	"get_bulk_job":          reads,
	"cancel_bulk_job":       updates,
	"list_changes":          reads,
	"undo_change":           creates,
}

func (s *session) listTools() []mcp.Tool {
	s.t.Helper()
	res, err := s.mcp.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Tools
}

func TestInitializeAdvertisesEverythingAndExplainsTheTools(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{Version: "1.2.3"})

	caps := s.init.Capabilities
	if caps.Tools == nil || caps.Prompts == nil || caps.Resources == nil || caps.Logging == nil {
		t.Errorf("capabilities %+v, want tools, prompts, resources and logging", caps)
	}
	if s.init.ServerInfo.Name != "bigcommerce-mcp" || s.init.ServerInfo.Version != "1.2.3" {
		t.Errorf("server info %+v", s.init.ServerInfo)
	}
	for _, topic := range []string{"dry_run", "expect_count", "REPLACES", "guest group", "unassigned", "get_bulk_job"} {
		if !strings.Contains(s.init.Instructions, topic) {
			t.Errorf("instructions do not mention %s", topic)
		}
	}
}

// TestEveryToolAnnotatesWhatItDoes reads each hint as a client does, the
// specification's default standing for a hint left out, and checks that no
// hint is sent to say nothing: what its default says, or, on a read-only tool,
// whether it is destructive or idempotent. A write states destructiveHint
// even when true: a client may read a missing one as false.
func TestEveryToolAnnotatesWhatItDoes(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})

	tools := s.listTools()
	if len(tools) != len(wantEffects) {
		t.Errorf("%d tools listed, want %d", len(tools), len(wantEffects))
	}
	for _, tool := range tools {
		want, ok := wantEffects[tool.Name]
		if !ok {
			t.Errorf("%s has no expected effect in wantEffects", tool.Name)
			continue
		}
		a := tool.Annotations
		hints := [4]*bool{a.ReadOnlyHint, a.DestructiveHint, a.IdempotentHint, a.OpenWorldHint}
		defaults := [4]bool{defaultReadOnly, defaultDestructive, defaultIdempotent, defaultOpenWorld}
		var got [4]bool
		for i, h := range hints {
			got[i] = hint(h, defaults[i])
			if i == 1 && want != reads {
				if h == nil {
					t.Errorf("%s is a write but leaves destructiveHint to the default", tool.Name)
				}
				continue // a write states it, true included
			}
			if h != nil && *h == defaults[i] {
				t.Errorf("%s sends hint %d, %v, which is its default", tool.Name, i, *h)
			}
		}
		expected := [4]bool{want == reads, want == deletes, want != creates, true}
		if want == reads {
			if a.DestructiveHint != nil || a.IdempotentHint != nil {
				t.Errorf("%s is read-only but says whether it is destructive or idempotent: %+v", tool.Name, a)
			}
			got[1], got[2] = expected[1], expected[2] // meaningless for a read-only tool
		}
		if got != expected {
			t.Errorf("%s: readOnly, destructive, idempotent, openWorld = %v, want %v", tool.Name, got, expected)
		}
		if a.Title == "" || tool.Description == "" {
			t.Errorf("%s has no title or description", tool.Name)
		}
	}
}

func TestReadOnlyModeHidesAndRefusesWrites(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{ReadOnly: true})

	var listed []string
	for _, tool := range s.listTools() {
		listed = append(listed, tool.Name)
	}
	slices.Sort(listed)
	if want := []string{"count_customer_groups", "get_bulk_job", "get_customer_group", "list_changes", "list_customer_groups", "list_customers"}; !slices.Equal(listed, want) {
		t.Errorf("read-only lists %v, want %v", listed, want)
	}

	for _, call := range []struct {
		tool string
		args map[string]any
	}{
		{"create_customer_group", map[string]any{"name": "Partners"}},
		{"update_customer_group", map[string]any{"id": 2, "name": "Renamed"}},
		{"delete_customer_group", map[string]any{"id": 2}},
		{"bulk_update_customers", map[string]any{"where": map[string]any{"all": true}, "set": map[string]any{"company": "Acme"}}},
	} {
		if got := s.fail(call.tool, call.args); got.Code != codeReadOnly || got.Retryable {
			t.Errorf("%s in read-only mode: %+v, want read_only, not retryable", call.tool, got)
		}
	}
	for _, route := range []string{"POST", "PUT", "DELETE"} {
		if n := s.store.Total(route + " "); n != 0 {
			t.Errorf("read-only mode sent %d %s requests", n, route)
		}
	}
	succeed[CustomerGroupResult](s, "get_customer_group", map[string]any{"id": 2})
}

func TestResources(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	ctx := context.Background()

	resources, err := s.mcp.ListResources(ctx, mcp.ListResourcesRequest{})
	if err != nil || len(resources.Resources) != 1 || resources.Resources[0].URI != groupsURI {
		t.Fatalf("resources = %+v, %v; want %s", resources, err, groupsURI)
	}
	templates, err := s.mcp.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var raw []string
	for _, template := range templates.ResourceTemplates {
		raw = append(raw, template.URITemplate.Raw())
	}
	if slices.Sort(raw); !slices.Equal(raw, []string{groupURITemplate, customerURITemplate}) {
		t.Fatalf("templates = %v; want %s and %s", raw, groupURITemplate, customerURITemplate)
	}
	customer, _ := s.store.Customer(7)

	for uri, want := range map[string]string{
		groupsURI:           `"name": "Staff"`,
		groupsURI + "/3":    `"name": "VIP"`,
		customersURI + "/7": `"email": "` + customer.Email + `"`,
	} {
		req := mcp.ReadResourceRequest{}
		req.Params.URI = uri
		res, err := s.mcp.ReadResource(ctx, req)
		if err != nil {
			t.Fatalf("read %s: %v", uri, err)
		}
		contents, ok := res.Contents[0].(mcp.TextResourceContents)
		if !ok || contents.MIMEType != "application/json" || !strings.Contains(contents.Text, want) {
			t.Errorf("read %s = %+v, want JSON containing %s", uri, res.Contents, want)
		}
	}

	if n := s.store.Total("GET /v2/customer_groups/{id}"); n != 1 {
		t.Errorf("reading one group took %d requests, want 1", n)
	}

	for uri, why := range map[string]string{
		groupsURI + "/9999":    "no customer group has id 9999",
		groupsURI + "/abc":     "a customer group id is a whole number",
		customersURI + "/9999": "no customer has id 9999",
		customersURI + "/0":    "a customer id is a whole number",
		"bigcommerce://orders": "",
	} {
		req := mcp.ReadResourceRequest{}
		req.Params.URI = uri
		_, err := s.mcp.ReadResource(ctx, req)
		notFound := errors.Is(err, mcp.ErrResourceNotFound) || errors.Is(err, mcp.ErrInvalidParams) // the code depends on the protocol version
		if !notFound || errors.Is(err, mcp.ErrInternalError) || !strings.Contains(fmt.Sprint(err), why) {
			t.Errorf("read %s: %v, want resource not found saying %q", uri, err, why)
		}
	}
}

func TestPromptsAreListedAndRender(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	ctx := context.Background()

	list, err := s.mcp.ListPrompts(ctx, mcp.ListPromptsRequest{})
	if err != nil || len(list.Prompts) < 4 {
		t.Fatalf("prompts = %+v, %v; want at least 4", list, err)
	}
	req := mcp.GetPromptRequest{}
	req.Params.Name = "move_customers_between_groups"
	req.Params.Arguments = map[string]string{"from_group": "Retail", "to_group": "VIP"}
	got, err := s.mcp.GetPrompt(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if text := got.Messages[0].Content.(mcp.TextContent).Text; !strings.Contains(text, `"Retail"`) || !strings.Contains(text, "expect_count") {
		t.Errorf("rendered prompt does not use its arguments or expect_count:\n%s", text)
	}

	for _, args := range []map[string]string{{"from_group": "Retail"}, {"from_group": "Retail", "to_group": "VIP", "group": "x"}} {
		req.Params.Arguments = args
		_, err := s.mcp.GetPrompt(ctx, req)
		if !errors.Is(err, mcp.ErrInvalidParams) || !strings.Contains(fmt.Sprint(err), `argument: "to_group"`) && !strings.Contains(fmt.Sprint(err), `unknown argument "group"`) {
			t.Errorf("arguments %v: err = %v, want invalid params naming the argument", args, err)
		}
	}
}

func TestCallsAreLoggedWithoutSecrets(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := newSession(t, Config{Logger: logger})

	s.call("count_customer_groups", nil)
	s.call("get_customer_group", map[string]any{"id": 9999})
	got := logs.String()
	if !strings.Contains(got, "tool=count_customer_groups") || !strings.Contains(got, "tool=get_customer_group") || strings.Contains(got, testToken) {
		t.Errorf("logs = %q, want both calls and no token", got)
	}
	if !strings.Contains(got, `msg="tool call returned an error" tool=get_customer_group`) || !strings.Contains(got, "code=not_found message=") {
		t.Errorf("logs = %q, want the error's code and message", got)
	}

	const wrongToken = "wrong-secret-token"
	logs.Reset()
	refused := newSessionWith(t, bcsim.New(bcsim.WithAccessToken(testToken)), wrongToken, Config{Logger: logger})
	refused.call("count_customer_groups", nil)
	if got := logs.String(); !strings.Contains(got, "code=unauthorized") || strings.Contains(got, wrongToken) {
		t.Errorf("logs = %q, want code unauthorized and no token", got)
	}
}

func TestBehaviourPutsAnnotationsIntoWords(t *testing.T) {
	t.Parallel()
	yes, no := mcp.ToBoolPtr(true), mcp.ToBoolPtr(false)
	for _, tc := range []struct {
		name string
		a    mcp.ToolAnnotation
		want string
	}{
		{"a read-only tool is read-only whatever else it says", mcp.ToolAnnotation{ReadOnlyHint: yes, DestructiveHint: yes}, "read-only"},
		{"a creating tool is a plain write", creates.annotations(""), "write"},
		{"an updating tool is an idempotent write", updates.annotations(""), "write, idempotent"},
		{"a deleting tool is destructive and idempotent", deletes.annotations(""), "write, destructive, idempotent"},
		{"hints left out take the specification's defaults", mcp.ToolAnnotation{}, "write, destructive"},
		{"a write that says it is not destructive is not", mcp.ToolAnnotation{ReadOnlyHint: no, DestructiveHint: no}, "write"},
	} {
		if got := Behaviour(tc.a); got != tc.want {
			t.Errorf("%s: Behaviour = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestToolListSize pins what tools/list costs a model, as the client
// keeps it, so that it cannot creep back: 28 KB for 7 tools before issue 11,
// 14.5 KB for 10 after it; the job tools (get_bulk_job, cancel_bulk_job)
// brought it to 17.9 KB for 12, and saying each fact once brought it back to
// 14.9 KB, under issue 11's 15 KB. It also checks that the read-only stubs,
// each a six-way anyOf, stay out.
func TestToolListSize(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	res, err := s.mcp.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(map[string][]mcp.Tool{"tools": res.Tools}) // what the SDK client keeps of the answer
	t.Logf("tools/list: %d bytes for %d tools", len(data), len(res.Tools))
	if len(data) >= 15_000 {
		t.Errorf("tools/list is %d bytes, want under 15,000", len(data))
	}
	for _, tool := range res.Tools {
		schema, _ := json.Marshal(tool.InputSchema)
		for _, name := range readOnlyCustomerFields {
			if tool.Name == bulkTool && bytes.Contains(schema, []byte(`"`+name+`"`)) {
				t.Errorf("%s's published schema still describes the read-only field %s", tool.Name, name)
			}
		}
	}
	if bytes.Contains(data, []byte(`"$ref"`)) {
		t.Error("the published schemas use $ref")
	}
	if n := bytes.Count(data, []byte(`{"type":"null"}`)); n > 0 {
		t.Errorf("the published schemas hold %d any-value stubs (a six-way anyOf ending in null)", n)
	}
}

func TestResultsLeaveMarkupCharactersAsTheyAre(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	created := s.call("create_customer_group", map[string]any{"name": "R&D <EU>"})
	refused := s.call("list_customer_groups", map[string]any{"<b>": 1})
	for _, r := range []*mcp.CallToolResult{created, refused} {
		text := r.Content[len(r.Content)-1].(mcp.TextContent).Text
		if !strings.Contains(text, "<") || strings.Contains(text, `\u003c`) || strings.Contains(text, `\u0026`) {
			t.Errorf("a result escapes markup characters: %s", text)
		}
	}
	req := mcp.ReadResourceRequest{}
	req.Params.URI = groupsURI
	res, err := s.mcp.ReadResource(context.Background(), req)
	if err != nil || !strings.Contains(res.Contents[0].(mcp.TextResourceContents).Text, `"R&D <EU>"`) {
		t.Errorf("the groups resource escapes markup characters: %+v, %v", res, err)
	}
}

func TestInstructionsSayWhichStoreIsManaged(t *testing.T) {
	t.Parallel()
	live, sandbox := newSession(t, Config{}).init.Instructions, newSession(t, Config{Sandbox: true}).init.Instructions
	if !strings.Contains(live, "Every call touches the live store.") || strings.Contains(live, "simulated") {
		t.Errorf("live instructions: %.200s", live)
	}
	if strings.Contains(sandbox, "live store") || !strings.Contains(sandbox, "simulated BigCommerce store (sandbox mode)") {
		t.Errorf("sandbox instructions: %.200s", sandbox)
	}
	if !strings.HasSuffix(live, sandbox[strings.Index(sandbox, "\n"):]) {
		t.Error("the sandbox instructions do not give the same advice")
	}
}
