package bcsim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

var (
	seedStart = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	seedEnd   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	firstNames = []string{
		"Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
		"Mia", "Mason", "Amelia", "Ethan", "Harper", "Logan", "Evelyn", "Aiden", "Abigail", "Jackson",
		"Emily", "Sebastian", "Ella", "Mateo", "Chloe", "Henry", "Grace", "Owen", "Zoe", "Samuel",
		"Priya", "Kenji", "Fatima", "Diego", "Ingrid", "Tomasz", "Aisha", "Mei", "Rafael", "Nadia",
	}
	lastNames = []string{
		"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
		"Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
		"Patel", "Nakamura", "Okafor", "Silva", "Nilsson", "Kowalski", "Haddad", "Chen", "Costa", "Novak",
	}
	companies = []string{"", "", "", "Acme Supply", "Northwind Traders", "Blue Harbor Cafe", "Summit Outfitters", "Greenleaf Studio"}
	domains   = []string{"example.com", "example.net", "example.org", "mail.example.com"}
)

// demoGroupWeights spreads demo customers over groups 0-6 (0: no group): about a fifth are
// Retail, the default group, and some belong to none.
var demoGroupWeights = map[int]int{0: 15, 1: 20, 2: 20, 3: 15, 4: 5, 5: 15, 6: 10}

func seedData(cfg config) ([]Group, []Customer) {
	rng := newRand(cfg.seed, dataStream)
	groups := demoGroups()
	pool := weightedPool(demoGroupWeights)
	if cfg.groups >= 0 {
		groups = numberedGroups(cfg.groups, rng)
		pool = []int{0}
		for _, g := range groups {
			pool = append(pool, g.ID)
		}
	}
	return groups, seedCustomers(cfg.customers, pool, rng)
}

func demoGroups() []Group {
	day := func(month, d int) time.Time { return time.Date(2023, time.Month(month), d, 9, 30, 0, 0, time.UTC) }
	group := func(id int, name string, created time.Time) Group {
		return Group{ID: id, Name: name, CategoryAccess: CategoryAccess{Type: "all"}, DateCreated: created, DateModified: created.AddDate(0, 6, 0)}
	}
	retail := group(1, "Retail", day(1, 10))
	retail.IsDefault = true
	wholesale := group(2, "Wholesale", day(2, 14))
	wholesale.DiscountRules = []DiscountRule{{Type: ruleTypeAll, Method: "percent", Amount: 10}}
	vip := group(3, "VIP", day(3, 3))
	vip.DiscountRules = []DiscountRule{
		{Type: ruleTypeCategory, Method: "percent", Amount: 15, CategoryID: 18},
		{Type: ruleTypeProduct, Method: "fixed", Amount: 5, ProductID: 77},
	}
	guests := group(4, "Guests", day(4, 21))
	guests.IsGroupForGuests = true
	trade := group(5, "Trade", day(6, 1))
	trade.DiscountRules = []DiscountRule{{Type: ruleTypePriceList, PriceListID: 3}}
	staff := group(6, "Staff", day(7, 19))
	staff.CategoryAccess = CategoryAccess{Type: "specific", Categories: []int{18, 19}}
	return []Group{retail, wholesale, vip, guests, trade, staff}
}

func numberedGroups(n int, rng *rand.Rand) []Group {
	groups := make([]Group, n)
	for i := range groups {
		created, modified := seedDates(rng)
		groups[i] = Group{
			ID:             i + 1,
			Name:           fmt.Sprintf("Group %04d", i+1),
			CategoryAccess: CategoryAccess{Type: "all"},
			DateCreated:    created,
			DateModified:   modified,
		}
	}
	return groups
}

// weightedPool lists each id as many times as its weight, so a uniform pick is weighted.
func weightedPool(weights map[int]int) []int {
	var pool []int
	for id := range len(weights) {
		for range weights[id] {
			pool = append(pool, id)
		}
	}
	return pool
}

func seedCustomers(n int, groupPool []int, rng *rand.Rand) []Customer {
	customers := make([]Customer, n)
	used := map[string]bool{}
	for i := range customers {
		first, last := pick(rng, firstNames), pick(rng, lastNames)
		created, modified := seedDates(rng)
		c := Customer{
			ID:                                      i + 1,
			Email:                                   uniqueEmail(first, last, pick(rng, domains), used),
			FirstName:                               first,
			LastName:                                last,
			Company:                                 pick(rng, companies),
			Phone:                                   fmt.Sprintf("+1-555-%03d-%04d", rng.IntN(1000), rng.IntN(10000)),
			RegistrationIPAddress:                   fmt.Sprintf("203.0.113.%d", rng.IntN(254)+1),
			CustomerGroupID:                         pick(rng, groupPool),
			AcceptsProductReviewAbandonedCartEmails: rng.IntN(2) == 0,
			ChannelIDs:                              []int{1},
			OriginChannelID:                         1,
			DateCreated:                             created,
			DateModified:                            modified,
		}
		if rng.IntN(10) == 0 {
			c.StoreCredit = []float64{float64(rng.IntN(20)+1) * 5}
		}
		customers[i] = c
	}
	return customers
}

func pick[T any](rng *rand.Rand, items []T) T {
	return items[rng.IntN(len(items))]
}

func uniqueEmail(first, last, domain string, used map[string]bool) string {
	base := strings.ToLower(first + "." + last)
	email := base + "@" + domain
	for n := 2; used[email]; n++ {
		email = fmt.Sprintf("%s%d@%s", base, n, domain)
	}
	used[email] = true
	return email
}

// seedDates returns a creation date in 2023-2025 and a later modification date.
func seedDates(rng *rand.Rand) (created, modified time.Time) {
	span := int64(seedEnd.Sub(seedStart) / time.Second)
	offset := rng.Int64N(span)
	created = seedStart.Add(time.Duration(offset) * time.Second)
	modified = created.Add(time.Duration(rng.Int64N(span-offset)) * time.Second)
	return created, modified
}
