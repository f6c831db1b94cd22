package bcsim

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	defaultLimit = 50
	maxLimit     = 250
)

// pageParams reads the 1-based page and the limit, rejecting non-positive or non-numeric
// values; callers decide what a limit above maxLimit means.
func pageParams(q url.Values) (page, limit int, err error) {
	page, err = positiveParam(q, "page", 1)
	if err != nil {
		return 0, 0, err
	}
	limit, err = positiveParam(q, "limit", defaultLimit)
	return page, limit, err
}

func positiveParam(q url.Values, name string, fallback int) (int, error) {
	if !q.Has(name) {
		return fallback, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s must be a positive integer, got %q", name, q.Get(name))
	}
	return n, nil
}

// matchPage returns the matching items on a 1-based page and how many match in
// all. Only the page is copied: stores can hold thousands of items.
func matchPage[T any](items []T, preds []predicate[T], page, limit int) (onPage []T, total int) {
	start := (page - 1) * limit
	for _, item := range items {
		if !all(item, preds) {
			continue
		}
		if total >= start && total < start+limit {
			onPage = append(onPage, item)
		}
		total++
	}
	return onPage, total
}

// predicate is one query filter.
type predicate[T any] func(T) bool

func all[T any](item T, preds []predicate[T]) bool {
	for _, p := range preds {
		if !p(item) {
			return false
		}
	}
	return true
}

// dateLayouts are the forms the docs show for date filters, plus the RFC 1123Z the V2 API
// itself returns. Zone-less values are taken as UTC.
var dateLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	time.RFC1123Z,
	time.DateOnly,
}

// parseSpan returns the interval [from, to) a filter value names: a whole day for a date,
// a whole second otherwise. That makes a date-only :max inclusive of the entire day, which
// is what a person writing date_created:max=2018-09-10 means.
func parseSpan(value string) (from, to time.Time, err error) {
	for _, layout := range dateLayouts {
		t, err := time.Parse(layout, value)
		if err != nil {
			continue
		}
		if layout == time.DateOnly {
			return t, t.AddDate(0, 0, 1), nil
		}
		t = t.UTC().Truncate(time.Second)
		return t, t.Add(time.Second), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("%q is not a date", value)
}

// dateFilters builds the field, field:min and field:max filters on the time get returns.
func dateFilters[T any](q url.Values, field string, get func(T) time.Time) ([]predicate[T], error) {
	var preds []predicate[T]
	for _, suffix := range []string{"", ":min", ":max"} {
		name := field + suffix
		if !q.Has(name) {
			continue
		}
		from, to, err := parseSpan(q.Get(name))
		if err != nil {
			return nil, fmt.Errorf("invalid %s: %w", name, err)
		}
		preds = append(preds, spanPredicate(suffix, from, to, get))
	}
	return preds, nil
}

func spanPredicate[T any](suffix string, from, to time.Time, get func(T) time.Time) predicate[T] {
	switch suffix {
	case ":min":
		return func(item T) bool { return !get(item).Before(from) }
	case ":max":
		return func(item T) bool { return get(item).Before(to) }
	}
	return func(item T) bool { t := get(item); return !t.Before(from) && t.Before(to) }
}

// intSet parses a comma-separated list of integers, as the V3 :in filters take.
func intSet(value string) (map[int]bool, error) {
	set := map[int]bool{}
	for _, part := range strings.Split(value, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", part)
		}
		set[n] = true
	}
	return set, nil
}
