package bcsim

import (
	"cmp"
	"slices"
	"time"
)

// Group is a customer group as the store holds it.
type Group struct {
	ID               int
	Name             string
	IsDefault        bool
	IsGroupForGuests bool
	CategoryAccess   CategoryAccess
	DiscountRules    []DiscountRule
	DateCreated      time.Time
	DateModified     time.Time
}

// CategoryAccess says which categories a group may see: Type is "all", "specific" or "none".
type CategoryAccess struct {
	Type       string
	Categories []int
}

// DiscountRule is one of a group's discount rules. Type is "price_list", "all", "category"
// or "product"; Method is "percent", "fixed" or "price".
type DiscountRule struct {
	Type        string
	Method      string
	Amount      float64
	CategoryID  int
	ProductID   int
	PriceListID int
}

// Customer is a customer as the store holds it.
type Customer struct {
	ID                                      int
	Email                                   string
	FirstName                               string
	LastName                                string
	Company                                 string
	Phone                                   string
	Notes                                   string
	TaxExemptCategory                       string
	RegistrationIPAddress                   string
	CustomerGroupID                         int
	AcceptsProductReviewAbandonedCartEmails bool
	ChannelIDs                              []int
	StoreCredit                             []float64
	ForcePasswordReset                      bool
	OriginChannelID                         int
	DateCreated                             time.Time
	DateModified                            time.Time
}

func (g Group) key() int    { return g.ID }
func (c Customer) key() int { return c.ID }

func (g Group) clone() Group {
	g.CategoryAccess.Categories = slices.Clone(g.CategoryAccess.Categories)
	g.DiscountRules = slices.Clone(g.DiscountRules)
	return g
}

func (c Customer) clone() Customer {
	c.ChannelIDs = slices.Clone(c.ChannelIDs)
	c.StoreCredit = slices.Clone(c.StoreCredit)
	return c
}

// find locates id in items sorted by key, or where it would be inserted.
func find[T interface{ key() int }](items []T, id int) (int, bool) {
	return slices.BinarySearchFunc(items, id, func(item T, id int) int { return cmp.Compare(item.key(), id) })
}

// Group returns a copy of the group with the given id.
func (s *Store) Group(id int) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyOf(s.groups, id)
}

// Groups returns copies of all groups in id order.
func (s *Store) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copies(s.groups)
}

// Customer returns a copy of the customer with the given id.
func (s *Store) Customer(id int) (Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyOf(s.customers, id)
}

// Customers returns copies of all customers in id order.
func (s *Store) Customers() []Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copies(s.customers)
}

type record[T any] interface {
	key() int
	clone() T
}

// copyOf returns a copy of the item of items (in id order) with the given id.
func copyOf[T record[T]](items []T, id int) (T, bool) {
	i, ok := find(items, id)
	if !ok {
		var none T
		return none, false
	}
	return items[i].clone(), true
}

func copies[T record[T]](items []T) []T {
	out := make([]T, len(items))
	for i, item := range items {
		out[i] = item.clone()
	}
	return out
}

// PutCustomer inserts c, or replaces the customer with its ID. A non-positive ID gets the
// next free one.
func (s *Store) PutCustomer(c Customer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID <= 0 {
		c.ID = 1
		if n := len(s.customers); n > 0 {
			c.ID = s.customers[n-1].ID + 1
		}
	}
	c = c.clone()
	if i, ok := find(s.customers, c.ID); ok {
		s.customers[i] = c
	} else {
		s.customers = slices.Insert(s.customers, i, c)
	}
}
