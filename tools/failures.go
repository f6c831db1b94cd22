package tools

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

// A bulk answer without details stays small whatever the number of
// customers: failures are grouped by cause, and each list is cut short.
const (
	maxFailureGroups = 10  // causes shown; the rest are counted
	failureSampleIDs = 10  // ids shown per cause
	maxGroupFields   = 5   // fields shown per cause
	maxFieldRunes    = 120 // per field problem
	maxMessageRunes  = 300
	maxListedIDs     = 100 // per id list
	maxChangeRunes   = 200 // per text value of a dry run's changes
)

// FailureGroup is the customers that failed the same way.
type FailureGroup struct {
	// invalid (fix the fields), not_found, rejected (BigCommerce refused the
	// fields listed), unconfirmed (may have been applied: repeating the call
	// is safe), or the HTTP status that stopped the run.
	Code    string            `json:"code"`
	Message string            `json:"message" jsonschema_description:"{id} stands for each customer's own id."`
	Fields  map[string]string `json:"fields,omitempty"`
	Count   int               `json:"count"`
	IDs     []int             `json:"ids" jsonschema_description:"The first customers that failed so, in id order."`
}

// groupFailures groups failures by code, message and fields, largest group
// first, and says how many customers the groups beyond the first
// maxFailureGroups hold.
func groupFailures(failures []bc.BulkFailure) (shown []FailureGroup, hiddenGroups, hiddenCustomers int) {
	groups := map[string]*FailureGroup{}
	var order []*FailureGroup
	for _, f := range failures {
		message := generalize(f.Message, f.ID)
		key := failureKey(f.Code, message, f.Fields)
		g, ok := groups[key]
		if !ok {
			g = &FailureGroup{Code: f.Code, Message: clip(message, maxMessageRunes), Fields: clipFields(f.Fields)}
			groups[key] = g
			order = append(order, g)
		}
		g.Count++
		if len(g.IDs) < failureSampleIDs {
			g.IDs = append(g.IDs, f.ID)
		}
	}
	slices.SortStableFunc(order, func(a, b *FailureGroup) int { return cmp.Compare(b.Count, a.Count) })
	shown = []FailureGroup{}
	for i, g := range order {
		if i >= maxFailureGroups {
			hiddenGroups++
			hiddenCustomers += g.Count
			continue
		}
		shown = append(shown, *g)
	}
	return shown, hiddenGroups, hiddenCustomers
}

// generalize writes the failing customer's own id in a message as {id}, so
// that "customer 12 does not exist" and "customer 13 does not exist" group.
func generalize(message string, id int) string {
	own := "customer " + strconv.Itoa(id)
	var b strings.Builder
	for {
		i := strings.Index(message, own)
		if i < 0 {
			b.WriteString(message)
			return b.String()
		}
		end := i + len(own)
		if end < len(message) && message[end] >= '0' && message[end] <= '9' { // another number
			b.WriteString(message[:end])
		} else {
			b.WriteString(message[:i] + "customer {id}")
		}
		message = message[end:]
	}
}

func failureKey(code, message string, fields map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q %q", code, message)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		fmt.Fprintf(&b, " %q=%q", k, fields[k])
	}
	return b.String()
}

// clipFields keeps the first maxGroupFields fields, each problem clipped.
func clipFields(fields map[string]string) map[string]string {
	if len(fields) == 0 {
		return nil
	}
	keys := slices.SortedFunc(maps.Keys(fields), naturalCompare)
	out := make(map[string]string, min(len(keys), maxGroupFields))
	for _, k := range keys[:min(len(keys), maxGroupFields)] {
		out[clip(k, maxKeyRunes)] = clip(fields[k], maxFieldRunes)
	}
	return out
}
