// Package prompts holds the store operator's workflows as MCP prompts: each is
// an embedded text/template file rendered with the prompt's arguments into
// instructions that walk an agent through the tools.
package prompts

import (
	"context"
	"embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

//go:embed templates/*.tmpl
var files embed.FS

var templates = template.Must(template.New("").Option("missingkey=error").ParseFS(files, "templates/*.tmpl"))

// argument is one input of a prompt.
type argument struct {
	name, description string
	required          bool
}

// workflow is a prompt: its template file is templates/<name>.tmpl.
type workflow struct {
	name, title, description string
	arguments                []argument
}

var workflows = []workflow{
	{
		name:        "set_up_wholesale_tier",
		title:       "Set up a wholesale tier",
		description: "Create a customer group with a store-wide discount and move the chosen customers into it, dry run first.",
		arguments: []argument{
			{"group_name", "Name of the new group, e.g. Wholesale.", true},
			{"discount_percent", "Store-wide discount for the group, in percent (e.g. 15).", true},
			{"customers", "Who joins the group: a list of emails or customer ids, or the name of the group they are in now.", true},
		},
	},
	{
		name:        "audit_customer_groups",
		title:       "Audit customer groups",
		description: "Review every customer group for duplicates, empty groups, default/guest conflicts and odd discount rules, and propose fixes without changing anything.",
		arguments: []argument{
			{"name_like", "Only audit groups whose name contains this text (optional).", false},
		},
	},
	{
		name:        "move_customers_between_groups",
		title:       "Move customers between groups",
		description: "Move every customer of one group into another safely: dry run, confirm the count, then apply with expect_count.",
		arguments: []argument{
			{"from_group", "The group the customers are in now (name or id).", true},
			{"to_group", "The group they should end up in (name or id).", true},
		},
	},
	{
		name:        "bulk_edit_customers",
		title:       "Bulk-edit customers from a list",
		description: "Apply a list of per-customer changes (e.g. pasted from a spreadsheet): validate, dry run, apply, then report failures.",
		arguments: []argument{
			{"changes", "The changes, one customer per line: an id or email, then field=value pairs (e.g. 42 company=Acme phone=555-0100).", true},
		},
	},
}

// All returns every prompt with its handler.
func All() []server.ServerPrompt {
	prompts := make([]server.ServerPrompt, len(workflows))
	for i, w := range workflows {
		prompts[i] = server.ServerPrompt{Prompt: w.prompt(), Handler: w.handle}
	}
	return prompts
}

func (w workflow) prompt() mcp.Prompt {
	opts := []mcp.PromptOption{mcp.WithPromptTitle(w.title), mcp.WithPromptDescription(w.description)}
	for _, a := range w.arguments {
		argOpts := []mcp.ArgumentOption{mcp.ArgumentDescription(a.description)}
		if a.required {
			argOpts = append(argOpts, mcp.RequiredArgument())
		}
		opts = append(opts, mcp.WithArgument(a.name, argOpts...))
	}
	return mcp.NewPrompt(w.name, opts...)
}

func (w workflow) handle(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	text, err := w.render(req.Params.Arguments)
	if err != nil {
		return nil, err
	}
	return mcp.NewGetPromptResult(w.description, []mcp.PromptMessage{
		mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text)),
	}), nil
}

// RefuseBadArguments is a before-get-prompt hook that refuses a missing or
// unknown argument with -32602 invalid params. mcp-go v1.2.1 answers any
// error a prompt handler returns as -32603 internal error; a hook can still
// change the request, and a name that no prompt has, here one that says what
// is wrong, is answered with -32602.
func RefuseBadArguments(_ context.Context, _ any, req *mcp.GetPromptRequest) {
	for _, w := range workflows {
		if w.name != req.Params.Name {
			continue
		}
		if _, err := w.data(req.Params.Arguments); err != nil {
			req.Params.Name = w.name + ": " + err.Error()
		}
		return
	}
}

// data checks the arguments given and returns every argument's value.
// Optional arguments that were not given are empty strings, so templates can
// test them with {{if}}.
func (w workflow) data(given map[string]string) (map[string]string, error) {
	data := make(map[string]string, len(w.arguments))
	var missing []string
	for _, a := range w.arguments {
		value := strings.TrimSpace(given[a.name])
		if a.required && value == "" {
			missing = append(missing, fmt.Sprintf("%q (%s)", a.name, a.description))
		}
		data[a.name] = value
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing required argument: %s", strings.Join(missing, "; "))
	}
	for _, name := range slices.Sorted(maps.Keys(given)) {
		if _, ok := data[name]; !ok {
			return nil, fmt.Errorf("unknown argument %q (it takes %s)", name, w.argumentNames())
		}
	}
	return data, nil
}

// render fills the template.
func (w workflow) render(given map[string]string) (string, error) {
	data, err := w.data(given)
	if err != nil {
		return "", fmt.Errorf("prompt %s: %w", w.name, err)
	}
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, w.name+".tmpl", data); err != nil {
		return "", fmt.Errorf("prompt %s: %w", w.name, err)
	}
	return b.String(), nil
}

func (w workflow) argumentNames() string {
	names := make([]string, len(w.arguments))
	for i, a := range w.arguments {
		names[i] = a.name
	}
	return strings.Join(names, ", ")
}
