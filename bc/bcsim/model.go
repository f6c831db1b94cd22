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
	i, ok := find(s.groups, id)
	if !ok {
		return Group{}, false
	}
	return s.groups[i].clone(), true
}

// Groups returns copies of all groups in id order.
func (s *Store) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Group, len(s.groups))
	for i, g := range s.groups {
		out[i] = g.clone()
	}
	return out
}

// Customer returns a copy of the customer with the given id.
func (s *Store) Customer(id int) (Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := find(s.customers, id)
	if !ok {
		return Customer{}, false
	}
	return s.customers[i].clone(), true
}

// Customers returns copies of all customers in id order.
func (s *Store) Customers() []Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Customer, len(s.customers))
	for i, c := range s.customers {
		out[i] = c.clone()
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
