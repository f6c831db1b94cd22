package bcsim

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// customerJSON is the V3 wire form of a customer.
type customerJSON struct {
	ID                                      int           `json:"id"`
	Email                                   string        `json:"email"`
	FirstName                               string        `json:"first_name"`
	LastName                                string        `json:"last_name"`
	Company                                 string        `json:"company"`
	Phone                                   string        `json:"phone"`
	Notes                                   string        `json:"notes"`
	TaxExemptCategory                       string        `json:"tax_exempt_category"`
	CustomerGroupID                         int           `json:"customer_group_id"`
	RegistrationIPAddress                   string        `json:"registration_ip_address"`
	DateCreated                             string        `json:"date_created"`
	DateModified                            string        `json:"date_modified"`
	AcceptsProductReviewAbandonedCartEmails bool          `json:"accepts_product_review_abandoned_cart_emails"`
	OriginChannelID                         int           `json:"origin_channel_id"`
	ChannelIDs                              []int         `json:"channel_ids"`
	StoreCreditAmounts                      []storeCredit `json:"store_credit_amounts"`
	Authentication                          authJSON      `json:"authentication"`
}

type storeCredit struct {
	Amount float64 `json:"amount"`
}

type authJSON struct {
	ForcePasswordReset bool `json:"force_password_reset"`
}

func toCustomerJSON(c Customer) customerJSON {
	credits := make([]storeCredit, len(c.StoreCredit))
	for i, a := range c.StoreCredit {
		credits[i] = storeCredit{Amount: a}
	}
	channels := append([]int{}, c.ChannelIDs...)
	return customerJSON{
		ID:                                      c.ID,
		Email:                                   c.Email,
		FirstName:                               c.FirstName,
		LastName:                                c.LastName,
		Company:                                 c.Company,
		Phone:                                   c.Phone,
		Notes:                                   c.Notes,
		TaxExemptCategory:                       c.TaxExemptCategory,
		CustomerGroupID:                         c.CustomerGroupID,
		RegistrationIPAddress:                   c.RegistrationIPAddress,
		DateCreated:                             c.DateCreated.UTC().Format(time.RFC3339),
		DateModified:                            c.DateModified.UTC().Format(time.RFC3339),
		AcceptsProductReviewAbandonedCartEmails: c.AcceptsProductReviewAbandonedCartEmails,
		OriginChannelID:                         c.OriginChannelID,
		ChannelIDs:                              channels,
		StoreCreditAmounts:                      credits,
		Authentication:                          authJSON{ForcePasswordReset: c.ForcePasswordReset},
	}
}

type customerPage struct {
	Data []customerJSON `json:"data"`
	Meta pageMeta       `json:"meta"`
}

type pageMeta struct {
	Pagination pagination `json:"pagination"`
}

type pagination struct {
	Total       int   `json:"total"`
	Count       int   `json:"count"`
	PerPage     int   `json:"per_page"`
	CurrentPage int   `json:"current_page"`
	TotalPages  int   `json:"total_pages"`
	Links       links `json:"links"`
}

type links struct {
	Previous string `json:"previous,omitempty"`
	Current  string `json:"current"`
	Next     string `json:"next,omitempty"`
}

func (s *Store) listCustomers(r *http.Request) reply {
	q := r.URL.Query()
	page, limit, err := pageParams(q)
	if err == nil && limit > maxLimit {
		// Unlike V2 this refuses rather than clamps: V3 validates its query parameters with
		// 422s, and a loud failure shows a client asking for more than it can get.
		err = fmt.Errorf("limit must be at most %d, got %d", maxLimit, limit)
	}
	if err != nil {
		return v3Fail(http.StatusUnprocessableEntity, "Invalid query parameter", map[string]string{"query": err.Error()})
	}
	preds, err := customerFilters(q)
	if err != nil {
		return v3Fail(http.StatusUnprocessableEntity, "Invalid filter", map[string]string{"query": err.Error()})
	}
	s.mu.Lock()
	onPage, total := matchPage(s.customers, preds, page, limit)
	data := make([]customerJSON, 0, len(onPage))
	for _, c := range onPage {
		data = append(data, toCustomerJSON(c))
	}
	s.mu.Unlock()
	return reply{status: http.StatusOK, body: customerPage{Data: data, Meta: pageMeta{Pagination: paginate(total, len(data), page, limit)}}}
}

func paginate(total, count, page, limit int) pagination {
	pages := (total + limit - 1) / limit
	link := func(p int) string { return fmt.Sprintf("?page=%d&limit=%d", p, limit) }
	p := pagination{Total: total, Count: count, PerPage: limit, CurrentPage: page, TotalPages: pages, Links: links{Current: link(page)}}
	if page > 1 {
		p.Links.Previous = link(min(page-1, max(pages, 1)))
	}
	if page < pages {
		p.Links.Next = link(page + 1)
	}
	return p
}

func customerFilters(q url.Values) ([]predicate[Customer], error) {
	var preds []predicate[Customer]
	for _, f := range []struct {
		name string
		get  func(Customer) int
	}{
		{"id:in", func(c Customer) int { return c.ID }},
		{"customer_group_id:in", func(c Customer) int { return c.CustomerGroupID }},
	} {
		if !q.Has(f.name) {
			continue
		}
		set, err := intSet(q.Get(f.name))
		if err != nil {
			return nil, fmt.Errorf("invalid %s: %w", f.name, err)
		}
		preds = append(preds, func(c Customer) bool { return set[f.get(c)] })
	}
	if q.Has("email:in") {
		emails := map[string]bool{}
		for _, e := range strings.Split(q.Get("email:in"), ",") {
			emails[strings.ToLower(strings.TrimSpace(e))] = true
		}
		preds = append(preds, func(c Customer) bool { return emails[strings.ToLower(c.Email)] })
	}
	created, err := dateFilters(q, "date_created", func(c Customer) time.Time { return c.DateCreated })
	if err != nil {
		return nil, err
	}
	modified, err := dateFilters(q, "date_modified", func(c Customer) time.Time { return c.DateModified })
	return append(append(preds, created...), modified...), err
}
