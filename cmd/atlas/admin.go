package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/auth"
)

// cmdAdmin runs `atlas admin token`: a fresh admin token and its SHA-256,
// the value `atlas serve --admin-token-sha256` (ATLAS_ADMIN_TOKENS_SHA256)
// takes. The token is printed this once and kept nowhere: the server is
// configured with its hash only.
func cmdAdmin(w io.Writer, args []string) error {
	if len(args) != 1 || args[0] != "token" {
		return errors.New("usage: atlas admin token")
	}
	tok, hash, err := auth.New("admin")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "token:  %s\nsha256: %s\n\n"+
		"Give the token to the administrator (Authorization: Bearer <token>) and start the server with\n"+
		"  atlas serve --admin-token-sha256 %s\n"+
		"(several hashes, comma-separated, while a token is being replaced).\n",
		tok.Secret(), hex.EncodeToString(hash), hex.EncodeToString(hash))
	return err
}

// parseTokenHashes reads comma-separated hex SHA-256 of admin tokens.
func parseTokenHashes(s string) ([]auth.Hash, error) {
	var out []auth.Hash
	for i, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		h, err := hex.DecodeString(f)
		if err != nil || len(h) != 32 {
			return nil, fmt.Errorf("hash %d: expected 64 hexadecimal digits (the sha256 printed by `atlas admin token`), not a token", i+1)
		}
		out = append(out, h)
	}
	return out, nil
}
