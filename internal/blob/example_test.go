package blob_test

import (
	"context"
	"fmt"

	"github.com/atlas-sante-travail/atlas/internal/blob"
)

// A body is encoded once, with its gzip form and tags, then served from a
// byte-bounded cache as often as it is asked for.
func ExampleNew() {
	ctx := context.Background()
	cache := blob.NewLRU(1 << 20)
	b, err := blob.New([]byte(`{"territories":[{"code":"31","class":2}]}`))
	if err != nil {
		panic(err)
	}
	cache.Set(ctx, "choropleth|taux-at|departement|2023", b)
	got, ok := cache.Get(ctx, "choropleth|taux-at|departement|2023")
	fmt.Println(ok, got.ETag == b.ETag, len(got.Gzip) > 0)
	// Output: true true true
}
