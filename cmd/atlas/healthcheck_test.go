package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthURL(t *testing.T) {
	for _, tc := range []struct{ addr, want, err string }{
		{addr: "127.0.0.1:8080", want: "http://127.0.0.1:8080/healthz"},
		{addr: ":8080", want: "http://127.0.0.1:8080/healthz"},
		{addr: "0.0.0.0:9000", want: "http://127.0.0.1:9000/healthz"},
		{addr: "[::]:8080", want: "http://127.0.0.1:8080/healthz"},
		{addr: "[::1]:8080", want: "http://[::1]:8080/healthz"},
		{addr: "atlas:8080", want: "http://atlas:8080/healthz"},
		{addr: "8080", err: "missing port"},
		{addr: "localhost:", err: "has no port"},
	} {
		got, err := healthURL(tc.addr)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("healthURL(%q) = %q, %v; want an error with %q", tc.addr, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", tc.addr, got, err, tc.want)
		}
	}
}

// TestHealthcheck runs the subcommand against servers that answer 200, 503,
// or are not there, as Docker's HEALTHCHECK does.
func TestHealthcheck(t *testing.T) {
	serve := func(status int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(status)
		}))
		t.Cleanup(srv.Close)
		return strings.TrimPrefix(srv.URL, "http://")
	}
	// An address nothing listens on: a port just released.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	for _, tc := range []struct {
		name, addr, err string
	}{
		{name: "healthy", addr: serve(http.StatusOK)},
		{name: "unhealthy", addr: serve(http.StatusServiceUnavailable), err: "503"},
		{name: "down", addr: closed, err: "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), []string{"healthcheck", "--addr", tc.addr, "--timeout", "2s"})
			if tc.err == "" && err != nil {
				t.Fatalf("healthcheck: %v", err)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("healthcheck: %v, want an error with %q", err, tc.err)
			}
		})
	}
}
