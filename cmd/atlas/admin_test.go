package main

import (
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/auth"
)

func TestAdminToken(t *testing.T) {
	var out strings.Builder
	if err := cmdAdmin(&out, []string{"token"}); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^token:  (admin_\S+)\nsha256: ([0-9a-f]{64})$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("output:\n%s", out.String())
	}
	hashes, err := parseTokenHashes(m[2])
	if err != nil || len(hashes) != 1 || !auth.Verify(auth.Token(m[1]), hashes[0]) {
		t.Errorf("the printed hash does not verify the printed token: %v", err)
	}
	var again strings.Builder
	if err := cmdAdmin(&again, []string{"token"}); err != nil || again.String() == out.String() {
		t.Error("two tokens alike")
	}
	if err := cmdAdmin(&again, nil); err == nil {
		t.Error("atlas admin without a subcommand accepted")
	}
}

func TestParseTokenHashes(t *testing.T) {
	a := hex.EncodeToString(auth.HashOf("admin_a"))
	b := strings.ToUpper(hex.EncodeToString(auth.HashOf("admin_b")))
	for _, c := range []struct {
		in   string
		n    int
		fail string
	}{
		{"", 0, ""},
		{a, 1, ""},
		{a + ", " + b + ",", 2, ""},
		{"admin_secret", 0, "hash 1"},
		{a + "," + a[:40], 0, "hash 2"},
	} {
		got, err := parseTokenHashes(c.in)
		switch {
		case c.fail != "" && (err == nil || !strings.Contains(err.Error(), c.fail)):
			t.Errorf("%q: %v, want an error about %s", c.in, err, c.fail)
		case c.fail == "" && (err != nil || len(got) != c.n):
			t.Errorf("%q: %d hashes, %v", c.in, len(got), err)
		}
		if err != nil && strings.Contains(err.Error(), "admin_secret") {
			t.Error("the error repeats what may be a token")
		}
	}
}
