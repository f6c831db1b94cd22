package tools

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// unreachableLimits stand in for shared limits whose Redis is gone.
type unreachableLimits struct{}

func (unreachableLimits) Slots(bc.LimitClass, int) bc.Slots { return unreachableSlots{} }
func (unreachableLimits) Quota() bc.Quota                   { return noQuota{} }

type unreachableSlots struct{}

func (unreachableSlots) Acquire(context.Context, int64) error {
	return fmt.Errorf("%w: redis: connection refused", bc.ErrLimitsUnavailable)
}
func (unreachableSlots) Release(int64) {}

type noQuota struct{}

func (noQuota) Reserve() time.Duration { return 0 }
func (noQuota) Finish(bc.RateLimit)    {}
func (noQuota) Block(time.Duration)    {}

func TestUnreachableSharedLimitsAnswerUnavailableAndSendNothing(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	bcClient, err := bc.New(bc.Config{StoreHash: "test", AccessToken: testToken, BaseURL: "http://bcsim",
		HTTPClient: store.Client(), Limits: unreachableLimits{}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.NewInProcessClient(NewServer(bcClient, Config{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if _, err := c.Initialize(context.Background(), init); err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, store: store, mcp: c}

	got := s.fail("get_customer_group", map[string]any{"id": 1})
	if got.Code != codeUnavailable || !got.Retryable || !strings.Contains(got.Hint, "REDIS_URL") {
		t.Errorf("error %+v: want unavailable, retryable, with a hint naming REDIS_URL", got)
	}
	if n := len(store.Stats().Requests); n > 0 {
		t.Errorf("the store got requests without a slot: %v", store.Stats().Requests)
	}
}
