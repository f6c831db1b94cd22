package bcsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"
)

const maxCustomersPerUpdate = 10

// setter decodes one field of an update item into a customer.
type setter func(c *Customer, raw json.RawMessage) error

// customerSetters are the updatable fields. form_fields is documented as accepted but the
// simulator does not model form fields, so it is accepted and ignored.
var customerSetters = map[string]setter{
	"email":               textField(3, 255, func(c *Customer) *string { return &c.Email }),
	"first_name":          textField(1, 100, func(c *Customer) *string { return &c.FirstName }),
	"last_name":           textField(1, 100, func(c *Customer) *string { return &c.LastName }),
	"company":             textField(0, 255, func(c *Customer) *string { return &c.Company }),
	"phone":               textField(0, 50, func(c *Customer) *string { return &c.Phone }),
	"notes":               textField(0, -1, func(c *Customer) *string { return &c.Notes }),
	"tax_exempt_category": textField(0, 255, func(c *Customer) *string { return &c.TaxExemptCategory }),
	"customer_group_id":   jsonField(func(c *Customer) *int { return &c.CustomerGroupID }),
	"channel_ids":         jsonField(func(c *Customer) *[]int { return &c.ChannelIDs }),
	"accepts_product_review_abandoned_cart_emails": jsonField(func(c *Customer) *bool {
		return &c.AcceptsProductReviewAbandonedCartEmails
	}),
	"store_credit_amounts": setStoreCredit,
	"authentication":       setAuthentication,
	"form_fields":          func(*Customer, json.RawMessage) error { return nil },
}

var readOnlyCustomerFields = map[string]bool{
	"registration_ip_address": true,
	"date_created":            true,
	"date_modified":           true,
	"origin_channel_id":       true,
}

// textField decodes a string of min to max characters (max < 0: unlimited).
func textField(minLen, maxLen int, field func(*Customer) *string) setter {
	return func(c *Customer, raw json.RawMessage) error {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return errors.New("must be a string")
		}
		if n := utf8.RuneCountInString(v); n < minLen || (maxLen >= 0 && n > maxLen) {
			return fmt.Errorf("must be %d-%d characters", minLen, maxLen)
		}
		*field(c) = v
		return nil
	}
}

func jsonField[T any](field func(*Customer) *T) setter {
	return func(c *Customer, raw json.RawMessage) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("has the wrong type: %v", err)
		}
		*field(c) = v
		return nil
	}
}

func setStoreCredit(c *Customer, raw json.RawMessage) error {
	var credits []storeCredit
	if err := json.Unmarshal(raw, &credits); err != nil {
		return errors.New("must be a list of {\"amount\": number}")
	}
	c.StoreCredit = make([]float64, len(credits))
	for i, credit := range credits {
		if credit.Amount < 0 {
			return errors.New("amounts cannot be negative")
		}
		c.StoreCredit[i] = credit.Amount
	}
	return nil
}

// setAuthentication accepts new_password too, as the real endpoint does, but the simulator
// keeps no passwords.
func setAuthentication(c *Customer, raw json.RawMessage) error {
	var auth struct {
		ForcePasswordReset *bool  `json:"force_password_reset"`
		NewPassword        string `json:"new_password"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&auth); err != nil {
		return errors.New("must be {\"force_password_reset\": bool, \"new_password\": string}")
	}
	if auth.ForcePasswordReset != nil {
		c.ForcePasswordReset = *auth.ForcePasswordReset
	}
	return nil
}

// staged is a validated-so-far update item: the customer as it would be after the batch.
type staged struct {
	index    int
	customer Customer
	fields   map[string]json.RawMessage
}

// batch collects an update request's items and its errors keyed "<index>.<field>".
type batch struct {
	items  []staged
	errs   map[string]string
	seenID map[int]bool
}

func (b *batch) fail(index int, field, format string, args ...any) {
	b.errs[fmt.Sprintf("%d.%s", index, field)] = fmt.Sprintf(format, args...)
}

func (s *Store) updateCustomers(r *http.Request) reply {
	body, err := io.ReadAll(r.Body)
	if err != nil || !json.Valid(body) {
		return v3Fail(http.StatusBadRequest, "The request body is not valid JSON", nil)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil || len(items) == 0 {
		return v3Fail(http.StatusUnprocessableEntity, "The request body must be a non-empty array of customers", nil)
	}
	if len(items) > maxCustomersPerUpdate {
		return v3Fail(http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"The request payload is too large. The maximum number of items allowed in the array is %d", maxCustomersPerUpdate), nil)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := &batch{errs: map[string]string{}, seenID: map[int]bool{}}
	for i, raw := range items {
		s.stage(b, i, raw)
	}
	s.checkBatch(b)
	if len(b.errs) > 0 {
		return v3Fail(http.StatusUnprocessableEntity, "Input is invalid", b.errs)
	}
	return reply{status: http.StatusOK, body: s.commit(b)}
}

// stage applies one item to a copy of its customer, recording every problem it finds.
func (s *Store) stage(b *batch, index int, raw json.RawMessage) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		b.fail(index, "id", "each item must be a JSON object with an id")
		return
	}
	c, found := s.stagedCustomer(b, index, fields["id"])
	for name, value := range fields {
		if name == "id" {
			continue
		}
		set, ok := customerSetters[name]
		switch {
		case readOnlyCustomerFields[name]:
			b.fail(index, name, "%s is read-only", name)
		case !ok:
			b.fail(index, name, "unknown field %s", name)
		default:
			if err := set(&c, value); err != nil {
				b.fail(index, name, "%s %v", name, err)
			}
		}
	}
	if found {
		b.items = append(b.items, staged{index: index, customer: c, fields: fields})
	}
}

// stagedCustomer resolves the item's id to a copy of the customer it updates.
func (s *Store) stagedCustomer(b *batch, index int, rawID json.RawMessage) (Customer, bool) {
	if rawID == nil {
		b.fail(index, "id", "id is required")
		return Customer{}, false
	}
	var id int
	if err := json.Unmarshal(rawID, &id); err != nil {
		b.fail(index, "id", "id must be an integer")
		return Customer{}, false
	}
	if b.seenID[id] {
		b.fail(index, "id", "customer %d appears more than once in this request", id)
		return Customer{}, false
	}
	b.seenID[id] = true
	i, ok := find(s.customers, id)
	if !ok {
		b.fail(index, "id", "customer %d does not exist", id)
		return Customer{}, false
	}
	return s.customers[i].clone(), true
}

// checkBatch runs the checks that need the whole store: group existence, and email
// uniqueness as it would stand after the batch, so swapping two emails is allowed.
func (s *Store) checkBatch(b *batch) {
	var emails map[string]int
	for _, it := range b.items {
		if _, ok := it.fields["customer_group_id"]; ok && !s.groupExists(it.customer.CustomerGroupID) {
			b.fail(it.index, "customer_group_id", "customer group %d does not exist", it.customer.CustomerGroupID)
		}
		if _, ok := it.fields["email"]; !ok {
			continue
		}
		if !validEmail(it.customer.Email) {
			b.fail(it.index, "email", "email %q is not a valid address", it.customer.Email)
			continue
		}
		if emails == nil {
			emails = s.emailCounts(b)
		}
		if emails[strings.ToLower(it.customer.Email)] > 1 {
			b.fail(it.index, "email", "email %q is already in use", it.customer.Email)
		}
	}
}

// emailCounts counts each lower-cased email as the store would hold it after the batch.
func (s *Store) emailCounts(b *batch) map[string]int {
	after := make(map[int]string, len(b.items))
	for _, it := range b.items {
		after[it.customer.ID] = it.customer.Email
	}
	counts := make(map[string]int, len(s.customers))
	for _, c := range s.customers {
		email, ok := after[c.ID]
		if !ok {
			email = c.Email
		}
		counts[strings.ToLower(email)]++
	}
	return counts
}

func validEmail(email string) bool {
	addr, err := mail.ParseAddress(email)
	return err == nil && addr.Address == email
}

// groupExists reports whether id names a group; 0 means no group. Callers hold s.mu.
func (s *Store) groupExists(id int) bool {
	if id == 0 {
		return true
	}
	_, ok := find(s.groups, id)
	return ok
}

// commit stores every staged customer and returns them in request order. Callers hold s.mu.
func (s *Store) commit(b *batch) updateResult {
	now := s.now()
	data := make([]customerJSON, len(b.items))
	for i, it := range b.items {
		c := it.customer
		c.DateModified = now
		j, _ := find(s.customers, c.ID)
		s.customers[j] = c
		data[i] = toCustomerJSON(c)
	}
	s.stats.update(func(st *Stats) { st.CustomersUpdated += len(b.items) })
	return updateResult{Data: data}
}

type updateResult struct {
	Data []customerJSON `json:"data"`
	Meta struct{}       `json:"meta"`
}
