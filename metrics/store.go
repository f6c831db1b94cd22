package metrics

import (
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/prometheus/client_golang/prometheus"
)

var (
	responsesDesc = prometheus.NewDesc("bigcommerce_responses_total",
		"Responses from BigCommerce, of any status.", nil, nil)
	rateLimitedDesc = prometheus.NewDesc("bigcommerce_rate_limited_total",
		"429 Too Many Requests answers from BigCommerce.", nil, nil)
	retriesDesc = prometheus.NewDesc("bigcommerce_retries_total",
		"Requests to BigCommerce sent again after a 429, a 5xx or a broken connection.", nil, nil)
	customersDesc = prometheus.NewDesc("bigcommerce_customers_updated_total",
		"Customers BigCommerce confirmed updated; its rate is bulk customers per second.", nil, nil)
	quotaLeftDesc = prometheus.NewDesc("bigcommerce_quota_requests_left",
		"X-Rate-Limit-Requests-Left of the latest response that had it.", nil, nil)
	slotsDesc = prometheus.NewDesc("bigcommerce_slots_in_use",
		"Concurrency slots this process holds, by limit (sum over processes for the store's total).", []string{"limit"}, nil)
	slotsCapDesc = prometheus.NewDesc("bigcommerce_slots_capacity",
		"The store's cap on requests in flight, by limit.", []string{"limit"}, nil)
)

// storeCollector reads a client's counts at each scrape.
type storeCollector struct{ client *bc.Client }

func (storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{responsesDesc, rateLimitedDesc, retriesDesc, customersDesc, quotaLeftDesc, slotsDesc, slotsCapDesc} {
		ch <- d
	}
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.client.Stats()
	ch <- prometheus.MustNewConstMetric(responsesDesc, prometheus.CounterValue, float64(s.Responses))
	ch <- prometheus.MustNewConstMetric(rateLimitedDesc, prometheus.CounterValue, float64(s.RateLimited))
	ch <- prometheus.MustNewConstMetric(retriesDesc, prometheus.CounterValue, float64(s.Retries))
	ch <- prometheus.MustNewConstMetric(customersDesc, prometheus.CounterValue, float64(s.CustomersUpdated))
	if s.RequestsLeft >= 0 { // absent until a response reported it
		ch <- prometheus.MustNewConstMetric(quotaLeftDesc, prometheus.GaugeValue, float64(s.RequestsLeft))
	}
	for class, n := range s.SlotsInUse {
		ch <- prometheus.MustNewConstMetric(slotsDesc, prometheus.GaugeValue, float64(n), string(class))
		ch <- prometheus.MustNewConstMetric(slotsCapDesc, prometheus.GaugeValue, float64(bc.LimitClasses[class]), string(class))
	}
}
