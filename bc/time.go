package bc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Time is a timestamp as BigCommerce sends it. The V2 API uses RFC 1123
// ("Tue, 20 Nov 2012 00:00:00 +0000") and, in its docs, "2023-07-17 06:30:41";
// V3 uses RFC 3339. Unset dates arrive as "", null or even {}.
type Time struct{ time.Time }

var timeLayouts = []string{
	time.RFC3339Nano,
	time.RFC1123Z,
	time.RFC1123,
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// parseTime parses any date format the BigCommerce API uses.
func parseTime(s string) (time.Time, error) {
	return parseIn(s, timeLayouts)
}

// filterLayouts are the forms the documentation shows for date filters.
var filterLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"}

// parseFilterDate checks a date filter's value against the documented forms.
func parseFilterDate(s string) (time.Time, error) {
	return parseIn(s, filterLayouts)
}

func parseIn(s string, layouts []string) (time.Time, error) {
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised date %q: use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or RFC 3339", s)
}

func (t *Time) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '"' {
		*t = Time{} // null, {} or any other non-string means "not set"
		return nil
	}
	s, err := strconv.Unquote(string(data))
	if err != nil || s == "" {
		*t = Time{}
		return nil
	}
	// A date in a format we don't know is left unset rather than failing the
	// whole response: one odd record must not hide a page of good ones.
	parsed, _ := parseTime(s)
	*t = Time{parsed}
	return nil
}

func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339))
}
