package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
)

// Without a read replica the read side is the store itself and nothing
// waits for a replay. (With one: internal/server's TestReadReplica, which
// owns the test cluster's standby.)
func TestWithoutReplica(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if st.ReadSide() != st || st.Replicated() {
		t.Fatal("a store without a replica has a read side of its own")
	}
	if d, err := st.WaitReplayed(ctx); d != 0 || err != nil {
		t.Fatalf("WaitReplayed without a replica: %s, %v", d, err)
	}
	if _, err := st.Replication(ctx); !errors.Is(err, store.ErrNoReplica) {
		t.Fatalf("Replication without a replica: %v", err)
	}
	if err := st.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	var none *store.Store
	if none.ReadSide() != nil || none.Replicated() {
		t.Fatal("no store has a read side")
	}
}
