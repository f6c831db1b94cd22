package prompts

import (
	"context"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// sampleArguments gives every argument of every prompt a recognisable value.
func sampleArguments(w workflow) map[string]string {
	args := map[string]string{}
	for _, a := range w.arguments {
		args[a.name] = "<" + a.name + ">"
	}
	return args
}

func TestEveryPromptRendersWithItsArguments(t *testing.T) {
	t.Parallel()
	for _, p := range All() {
		w := lookup(t, p.Prompt.Name)
		t.Run(w.name, func(t *testing.T) {
			req := mcp.GetPromptRequest{}
			req.Params.Name = w.name
			req.Params.Arguments = sampleArguments(w)
			res, err := p.Handler(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			text := res.Messages[0].Content.(mcp.TextContent).Text
			for name, value := range req.Params.Arguments {
				if !strings.Contains(text, value) {
					t.Errorf("the rendered prompt does not use %s", name)
				}
			}
			if strings.Contains(text, "<no value>") {
				t.Errorf("the rendered prompt has an empty placeholder:\n%s", text)
			}
			if p.Prompt.Description == "" || p.Prompt.Title == "" {
				t.Error("no title or description")
			}
		})
	}
}

func TestOptionalArgumentsMayBeLeftOut(t *testing.T) {
	t.Parallel()
	text, err := lookup(t, "audit_customer_groups").render(nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "name_like") {
		t.Errorf("the audit without a filter still mentions one:\n%s", text)
	}
}

func TestMissingOrUnknownArgumentsFailClearly(t *testing.T) {
	t.Parallel()
	for _, w := range workflows {
		for _, a := range w.arguments {
			if !a.required {
				continue
			}
			args := sampleArguments(w)
			delete(args, a.name)
			if _, err := w.render(args); err == nil || !strings.Contains(err.Error(), `missing required argument: "`+a.name+`"`) {
				t.Errorf("%s without %s: err = %v, want one naming it", w.name, a.name, err)
			}
		}
		args := sampleArguments(w)
		args["group"] = "x"
		if _, err := w.render(args); err == nil || !strings.Contains(err.Error(), `unknown argument "group"`) {
			t.Errorf("%s with an unknown argument: err = %v, want one naming it", w.name, err)
		}
	}
}

func TestTheBulkWorkflowsDryRunFirst(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"set_up_wholesale_tier", "move_customers_between_groups", "bulk_edit_customers"} {
		text, err := lookup(t, name).render(sampleArguments(lookup(t, name)))
		if err != nil {
			t.Fatal(err)
		}
		dry, apply := strings.Index(text, "dry_run: true"), strings.Index(text, "dry_run: false")
		if dry < 0 || apply < dry {
			t.Errorf("%s does not dry run before applying", name)
		}
	}
}

func lookup(t *testing.T, name string) workflow {
	t.Helper()
	for _, w := range workflows {
		if w.name == name {
			return w
		}
	}
	t.Fatalf("no prompt %s", name)
	return workflow{}
}

// A read-only server hides bulk_update_customers, so every workflow that
// calls it must say what to do without it.
func TestWorkflowsSayWhatToDoWithoutTheBulkTool(t *testing.T) {
	t.Parallel()
	for _, w := range workflows {
		text, err := w.render(sampleArguments(w))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "bulk_update_customers") && !strings.Contains(text, "bulk_update_customers is not among your tools") {
			t.Errorf("%s calls bulk_update_customers but does not say what to do on a read-only server", w.name)
		}
	}
}

// Customers are looked up with the read tool list_customers, which works on a
// read-only server too, not with dry runs of the write tool.
func TestWorkflowsLookCustomersUpWithListCustomers(t *testing.T) {
	t.Parallel()
	for _, w := range workflows {
		text, err := w.render(sampleArguments(w))
		if err != nil {
			t.Fatal(err)
		}
		if w.name != "audit_customer_groups" && !strings.Contains(text, "list_customers") {
			t.Errorf("%s does not look customers up with list_customers", w.name)
		}
		if strings.Contains(text, `bulk_update_customers where: {"emails"`) {
			t.Errorf("%s turns emails into ids with a dry run of bulk_update_customers", w.name)
		}
	}
	audit, _ := lookup(t, "audit_customer_groups").render(nil)
	if !strings.Contains(audit, `list_customers with where: {"customer_group_ids": [id]}`) || strings.Contains(audit, "bulk_update_customers") {
		t.Errorf("the audit does not count members with list_customers alone:\n%s", audit)
	}
}

func TestRefuseBadArgumentsRenamesOnlyARequestItRefuses(t *testing.T) {
	t.Parallel()
	w := lookup(t, "move_customers_between_groups")
	for _, tc := range []struct {
		prompt string
		args   map[string]string
		want   string
	}{
		{w.name, sampleArguments(w), w.name},
		{w.name, map[string]string{"from_group": "Retail"}, w.name + `: missing required argument: "to_group"`},
		{"no_such_prompt", nil, "no_such_prompt"},
	} {
		req := &mcp.GetPromptRequest{}
		req.Params.Name, req.Params.Arguments = tc.prompt, tc.args
		RefuseBadArguments(context.Background(), 1, req)
		if !strings.HasPrefix(req.Params.Name, tc.want) || (tc.want == tc.prompt && req.Params.Name != tc.prompt) {
			t.Errorf("%s %v: renamed %q, want %q", tc.prompt, tc.args, req.Params.Name, tc.want)
		}
	}
}

func TestPromptsThatWriteInBulkSayHowToFollowAJob(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"bulk_edit_customers", "move_customers_between_groups", "set_up_wholesale_tier"} {
		text, err := lookup(t, name).render(sampleArguments(lookup(t, name)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "job_id") || !strings.Contains(text, "get_bulk_job") {
			t.Errorf("%s does not say how to follow a bulk update that runs as a job", name)
		}
	}
}
