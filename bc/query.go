package bc

// Helpers that write list filters into a query string, leaving out the ones
// not set.

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// pageQuery starts a list query with the page and limit (0: the store's
// default), checking them.
func pageQuery(errs fieldErrors, page, limit int) url.Values {
	if page < 0 {
		errs.add("page", "must be 1 or more")
	}
	if limit < 0 || limit > MaxPageSize {
		errs.add("limit", fmt.Sprintf("must be between 1 and %d", MaxPageSize))
	}
	q := url.Values{}
	setInt(q, "page", page)
	setInt(q, "limit", limit)
	return q
}

func setInt(q url.Values, key string, v int) {
	if v > 0 {
		q.Set(key, strconv.Itoa(v))
	}
}

func setString(q url.Values, key, v string) {
	if v != "" {
		q.Set(key, v)
	}
}

func setBool(q url.Values, key string, v *bool) {
	if v != nil {
		q.Set(key, strconv.FormatBool(*v))
	}
}

// setDate checks a date filter locally, so a typo fails with a clear message
// instead of a terse 400, and passes it on as given.
func setDate(errs fieldErrors, q url.Values, key, v string) {
	if checkDate(errs, key, v) {
		setString(q, key, v)
	}
}

// checkDate reports whether v, a date filter named field, is a date; an
// empty one is not, and is no problem.
func checkDate(errs fieldErrors, field, v string) bool {
	if v == "" {
		return false
	}
	if _, err := parseFilterDate(v); err != nil {
		errs.add(field, err.Error())
		return false
	}
	return true
}

func setList(q url.Values, key string, ids []int) {
	if len(ids) == 0 {
		return
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	q.Set(key, strings.Join(parts, ","))
}
