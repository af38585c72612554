package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
)

// A wrong embed origin stops the start, naming the origin, before the
// database is opened: a typo would otherwise leave partners' frames blank.
func TestServeRefusesBadEmbedOrigins(t *testing.T) {
	// No database here: reaching openStore would fail on this URL instead.
	t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
	for _, c := range []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"flag with a path", "", []string{"--embed-origins", "https://portail.example.fr/carte"}, `--embed-origins: origine "https://portail.example.fr/carte"`},
		{"flag with a wildcard", "", []string{"--embed-origins", "https://*.example.fr"}, "pas de joker"},
		{"environment", "portail.example.fr", nil, `origine "portail.example.fr" : schéma http ou https attendu`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("ATLAS_EMBED_ORIGINS", c.env)
			err := cmdServe(context.Background(), slog.New(slog.DiscardHandler), c.args)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("cmdServe(%q) with ATLAS_EMBED_ORIGINS=%q: %v, want an error containing %q", c.args, c.env, err, c.want)
			}
		})
	}
}
