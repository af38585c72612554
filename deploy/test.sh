#!/usr/bin/env bash
# Runs every test against the real PostGIS: the private cluster (or the one
# DATABASE_URL names, whose server then needs CREATE DATABASE rights).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DATABASE_URL:-}" ]; then
	bash deploy/pg/cluster.sh start >/dev/null
	export ATLAS_TEST_DATABASE_URL=$(bash deploy/pg/cluster.sh url postgres)
	# A streaming standby of it, for the read-replica tests (which say they
	# are skipped without one).
	if bash deploy/pg/standby.sh start >/dev/null; then
		export ATLAS_TEST_READ_DATABASE_URL=$(bash deploy/pg/standby.sh url postgres)
	else
		echo "atlas: no standby of the private cluster: the read-replica tests are skipped" >&2
	fi
else
	export ATLAS_TEST_DATABASE_URL=$DATABASE_URL
fi
if [ -z "${ATLAS_GEODATA_MIRROR:-}" ]; then
	# No local mirror: download the pinned files once, verified, and use the
	# cache as the mirror (it has the same layout).
	go run ./cmd/atlas geodata fetch --cache .atlas/geodata
	export ATLAS_GEODATA_MIRROR=$(pwd)/.atlas/geodata
fi
bash deploy/web.sh
# Unformatted Go fails the run, as go vet's findings do.
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:" $unformatted >&2
	exit 1
fi
go vet ./...
go test -count=1 -timeout 20m ./...
# The Kubernetes manifests, compose file and Dockerfile, offline (a module
# of its own: kubeconform, compose-go and BuildKit stay out of go.mod).
go -C deploy/validate vet ./...
go -C deploy/validate test -count=1 ./...
# The workshop map in a real headless Chromium against a real server.
bash deploy/browser-test.sh
