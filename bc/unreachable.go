package bc

import (
	"errors"
	"net"
	"syscall"
)

// maxUnreachableRetries is how often a request is retried when the store
// cannot be reached at all: a refused connection or an unknown host almost
// always means a wrong BIGCOMMERCE_API_URL or a store that is down, which
// eight retries over half a minute would only hide from the caller.
const maxUnreachableRetries = 2

// retriesFor is how many retries a request that failed with err gets.
func (c *Client) retriesFor(err error) int {
	if unreachable(err) {
		return min(c.cfg.MaxRetries, maxUnreachableRetries)
	}
	return c.cfg.MaxRetries
}

func unreachable(err error) bool {
	var dnsErr *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &dnsErr) && dnsErr.IsNotFound)
}
