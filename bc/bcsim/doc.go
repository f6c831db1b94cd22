// Package bcsim is an in-memory BigCommerce store: an http.Handler that serves the V2
// customer-group and V3 customer endpoints, with their documented limits, seeded demo data,
// and injectable latency and faults. It is written from the API documentation alone.
package bcsim
