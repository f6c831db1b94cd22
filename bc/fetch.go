package bc

import (
	"context"
	"slices"

	"golang.org/x/sync/errgroup"
)

// fetchConcurrently calls fetch for parts 0..n-1 at once (the client's
// semaphores bound how many run) and returns the parts in order, with their
// responses folded into resp. The first error cancels the rest.
func fetchConcurrently[T any](ctx context.Context, n int, resp *Response,
	fetch func(ctx context.Context, part int) ([]T, *Response, error)) ([][]T, error) {
	parts := make([][]T, n)
	responses := make([]*Response, n)
	g, gctx := errgroup.WithContext(ctx)
	for i := range n {
		g.Go(func() error {
			var err error
			parts[i], responses[i], err = fetch(gctx, i)
			return err
		})
	}
	err := g.Wait()
	for _, r := range responses {
		resp.add(r)
	}
	return parts, err
}

// mergeByID flattens pages into one id-ordered list; an item seen on two pages
// (because the list shifted while we read it) appears once.
func mergeByID[T any](pages [][]T, id func(T) int) []T {
	all := slices.Concat(pages...)
	slices.SortFunc(all, func(a, b T) int { return id(a) - id(b) })
	return slices.CompactFunc(all, func(a, b T) bool { return id(a) == id(b) })
}
