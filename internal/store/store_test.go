package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	st := storetest.New(t) // already migrated from the template
	applied, err := st.Migrate(context.Background())
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migration applied %v, err %v", applied, err)
	}
	var postgis string
	if err := storetest.SQL(t, st).QueryRow(context.Background(), `SELECT postgis_lib_version()`).Scan(&postgis); err != nil || postgis == "" {
		t.Fatalf("PostGIS not available: %v", err)
	}
}

func TestOpenUnreachableSaysWhatToDo(t *testing.T) {
	_, err := store.Open(context.Background(), "postgres://atlas:secret@127.0.0.1:1/atlas?sslmode=disable&connect_timeout=2", 3*time.Second)
	var ue *store.UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("err %v is not an UnreachableError", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "secret") || !strings.Contains(msg, "DATABASE_URL") {
		t.Errorf("message %q leaks the password or gives no hint", msg)
	}
	// The password equal to the user name, or %-encoded in the URL.
	for u, secret := range map[string]string{
		"postgres://atlas:atlas@127.0.0.1:1/atlas?sslmode=disable&connect_timeout=2":      ":atlas@",
		"postgres://atlas:s%40cret@127.0.0.1:1/atlas?sslmode=disable&connect_timeout=2":   "s%40cret",
		"host=127.0.0.1 port=1 user=atlas password=secret dbname=atlas connect_timeout=2": "secret",
	} {
		_, err := store.Open(context.Background(), u, 3*time.Second)
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("message %v leaks the password", err)
		}
	}
	if _, err := store.Open(context.Background(), "not a url", time.Second); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("bad URL: %v", err)
	}
}
