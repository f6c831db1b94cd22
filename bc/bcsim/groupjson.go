package bcsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// groupJSON is the V2 wire form of a customer group.
type groupJSON struct {
	ID               int                `json:"id"`
	Name             string             `json:"name"`
	IsDefault        bool               `json:"is_default"`
	CategoryAccess   categoryAccessJSON `json:"category_access"`
	DiscountRules    []ruleJSON         `json:"discount_rules"`
	DateCreated      string             `json:"date_created"`
	DateModified     string             `json:"date_modified"`
	IsGroupForGuests bool               `json:"is_group_for_guests"`
}

type categoryAccessJSON struct {
	Type       string `json:"type"`
	Categories []int  `json:"categories,omitempty"`
}

type ruleJSON struct {
	Type        string  `json:"type"`
	Method      string  `json:"method,omitempty"`
	Amount      *amount `json:"amount,omitempty"`
	CategoryID  int     `json:"category_id,omitempty"`
	ProductID   int     `json:"product_id,omitempty"`
	PriceListID int     `json:"price_list_id,omitempty"`
}

// groupInput is a create or update body; nil fields were not sent.
type groupInput struct {
	Name             *string             `json:"name"`
	IsDefault        *bool               `json:"is_default"`
	IsGroupForGuests *bool               `json:"is_group_for_guests"`
	CategoryAccess   *categoryAccessJSON `json:"category_access"`
	DiscountRules    *[]ruleJSON         `json:"discount_rules"`
}

// amount is a discount amount: the V2 API returns it as a string with four decimals and
// accepts a number or a numeric string.
type amount float64

func (a amount) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.FormatFloat(float64(a), 'f', 4, 64))
}

func (a *amount) UnmarshalJSON(data []byte) error {
	data = bytes.Trim(data, `"`)
	f, err := strconv.ParseFloat(string(data), 64)
	if err != nil {
		return fmt.Errorf("amount %s is not a number", data)
	}
	*a = amount(f)
	return nil
}

// v2Time is the RFC 1123Z form the V2 API uses for dates.
func v2Time(t time.Time) string {
	return t.UTC().Format(time.RFC1123Z)
}

func toGroupJSON(g Group) groupJSON {
	rules := make([]ruleJSON, len(g.DiscountRules))
	for i, r := range g.DiscountRules {
		rules[i] = toRuleJSON(r)
	}
	return groupJSON{
		ID:               g.ID,
		Name:             g.Name,
		IsDefault:        g.IsDefault,
		CategoryAccess:   categoryAccessJSON{Type: g.CategoryAccess.Type, Categories: g.CategoryAccess.Categories},
		DiscountRules:    rules,
		DateCreated:      v2Time(g.DateCreated),
		DateModified:     v2Time(g.DateModified),
		IsGroupForGuests: g.IsGroupForGuests,
	}
}

// toRuleJSON hides method and amount on price-list rules, as the docs describe.
func toRuleJSON(r DiscountRule) ruleJSON {
	if r.Type == ruleTypePriceList {
		return ruleJSON{Type: r.Type, PriceListID: r.PriceListID}
	}
	a := amount(r.Amount)
	return ruleJSON{Type: r.Type, Method: r.Method, Amount: &a, CategoryID: r.CategoryID, ProductID: r.ProductID}
}
