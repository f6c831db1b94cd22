package bcsim_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

func TestDemoDataIsDeterministicPerSeed(t *testing.T) {
	t.Parallel()
	if !reflect.DeepEqual(bcsim.New().Customers(), bcsim.New(bcsim.WithSeed(1)).Customers()) {
		t.Fatal("two stores with the default seed differ")
	}
	if reflect.DeepEqual(bcsim.New().Customers(), bcsim.New(bcsim.WithSeed(2)).Customers()) {
		t.Fatal("different seeds gave the same customers")
	}
}

func TestDemoDataLooksLikeARealStore(t *testing.T) {
	t.Parallel()
	s := bcsim.New()
	names := []string{}
	for _, g := range s.Groups() {
		names = append(names, g.Name)
	}
	if strings.Join(names, ",") != "Retail,Wholesale,VIP,Guests,Trade,Staff" {
		t.Fatalf("groups = %v", names)
	}
	customers := s.Customers()
	if len(customers) != 300 {
		t.Fatalf("%d customers, want 300", len(customers))
	}
	emails := map[string]bool{}
	perGroup := map[int]int{}
	first, last := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, c := range customers {
		if c.ID != i+1 || c.FirstName == "" || !strings.Contains(c.Email, "@") || emails[c.Email] {
			t.Fatalf("customer %+v", c)
		}
		if c.DateCreated.Before(first) || !c.DateModified.Before(last) || c.DateModified.Before(c.DateCreated) {
			t.Fatalf("customer %d dates %v %v", c.ID, c.DateCreated, c.DateModified)
		}
		emails[c.Email] = true
		perGroup[c.CustomerGroupID]++
	}
	if perGroup[1] < 40 || perGroup[1] > 80 || perGroup[0] == 0 || len(perGroup) != 7 {
		t.Fatalf("customers per group = %v, want about 20%% retail and some in none", perGroup)
	}
}

func TestSizedStoresSpreadCustomersOverTheirGroups(t *testing.T) {
	t.Parallel()
	s := bcsim.New(bcsim.WithGroups(3), bcsim.WithCustomers(1000))
	groups := s.Groups()
	if len(groups) != 3 || groups[0].Name != "Group 0001" || groups[2].Name != "Group 0003" {
		t.Fatalf("groups = %+v", groups)
	}
	perGroup := map[int]int{}
	for _, c := range s.Customers() {
		perGroup[c.CustomerGroupID]++
	}
	if len(s.Customers()) != 1000 || len(perGroup) != 4 {
		t.Fatalf("customers per group = %v", perGroup)
	}
}

func TestPutCustomerInsertsAndReplaces(t *testing.T) {
	t.Parallel()
	s := bcsim.New(bcsim.WithCustomers(2))
	s.PutCustomer(bcsim.Customer{ID: 2, Email: "two@example.com"})
	s.PutCustomer(bcsim.Customer{Email: "new@example.com", ChannelIDs: []int{1}})
	s.PutCustomer(bcsim.Customer{ID: 10, Email: "ten@example.com"})
	customers := s.Customers()
	if len(customers) != 4 || customers[1].Email != "two@example.com" || customers[2].ID != 3 || customers[3].ID != 10 {
		t.Fatalf("customers = %+v", customers)
	}
	c, _ := s.Customer(3)
	c.ChannelIDs[0] = 99
	if again, _ := s.Customer(3); again.ChannelIDs[0] != 1 {
		t.Fatal("Customer returned shared state")
	}
}
