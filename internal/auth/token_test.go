package auth

import (
	"fmt"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	a, ha, err := New("p7")
	if err != nil {
		t.Fatal(err)
	}
	b, hb, _ := New("p7")
	if a == b || string(ha) == string(hb) {
		t.Fatal("two tokens are equal")
	}
	if !Verify(a, ha) || Verify(a, hb) || Verify(b, ha) || Verify("", ha) || Verify(a, nil) {
		t.Error("Verify accepts a wrong token or refuses a right one")
	}
	if p, err := Prefix(a); err != nil || p != "p7" {
		t.Errorf("prefix %q %v", p, err)
	}
	for _, bad := range []Token{"", "p7", "p7_", "_abc", "p7_short", Token("f_" + strings.Repeat("A", 44))} {
		if _, err := Prefix(bad); err == nil {
			t.Errorf("Prefix(%q) accepted", bad.Secret())
		}
	}
	if s := fmt.Sprint(a); strings.Contains(s, a.Secret()[3:]) || fmt.Sprintf("%v %s", a, a) != "[token] [token]" {
		t.Errorf("a token prints as %q", s)
	}
	if len(a.Secret()) < 40 {
		t.Errorf("token %d characters: under 256 bits", len(a.Secret()))
	}
}
