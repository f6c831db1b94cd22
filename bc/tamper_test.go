package bc_test

import (
	"net/http"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

// tamperedClient is a client of store whose answers to method path are
// rewritten after the simulator did its work: the client is told something else.
func tamperedClient(t testing.TB, store *bcsim.Store, method, path string, rewrite func(*http.Request, int, []byte) (int, []byte)) *bc.Client {
	return tamperClient(t, store, badstore.On(method, path, badstore.Rewrite(rewrite)))
}

// tamperClient is a client of store served misbehaving as m.
func tamperClient(t testing.TB, store *bcsim.Store, m badstore.Misbehaviour) *bc.Client {
	served := badstore.Serve(t, store)
	served.Misbehave(m)
	return bc.BadStoreClient(t, served, nil)
}
