// Package bc is a client for the parts of the BigCommerce API this server wraps:
// customer groups (V2) and customers (V3). One *Client per store applies every
// documented limit (concurrency caps, the rate-limit quota, batch sizes) across all
// of its callers, retries what is safe to retry, and reports failures as *Error.
package bc
