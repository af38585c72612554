#!/usr/bin/env bash
# Runs the browser test of the workshop map (web-map/test/, node --test and
# playwright-core driving Debian's chromium) against a running atlas server.
#
#   ATLAS_URL=http://127.0.0.1:8097 bash deploy/browser-test.sh
#
# Without ATLAS_URL it starts one itself: the front end is built, bin/atlas
# compiled, a throwaway database created in the private cluster (or on the
# server DATABASE_URL names; its role needs CREATEDB), the demo imported into
# it (from ATLAS_GEODATA_MIRROR when set) and the server stopped and the
# database dropped at the end. Screenshots go to test-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "deploy/browser-test.sh: $*" >&2; exit 1; }

if ! command -v chromium >/dev/null; then
	echo "deploy/browser-test.sh: installing Debian chromium" >&2
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
	else
		die "chromium is missing and cannot be installed (not root, no sudo): apt-get install chromium"
	fi
fi
export CHROMIUM_PATH=${CHROMIUM_PATH:-$(command -v chromium)}

# node_modules (playwright-core) and the build the server embeds.
bash deploy/web.sh

cleanup() { :; }
if [ -z "${ATLAS_URL:-}" ]; then
	go build -o bin/atlas ./cmd/atlas
	if [ -z "${DATABASE_URL:-}" ]; then
		bash deploy/pg/cluster.sh start >/dev/null
		admin=$(bash deploy/pg/cluster.sh url postgres)
	else
		admin=$DATABASE_URL
	fi
	db="atlas_browser_$$"
	psql "$admin" -qAtc "create database $db" >/dev/null
	# Same server and options, other database: replace the URL's path.
	dburl=$(printf '%s' "$admin" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$db#")
	log=$(mktemp)
	mirror=()
	[ -n "${ATLAS_GEODATA_MIRROR:-}" ] && mirror=(--mirror "$ATLAS_GEODATA_MIRROR")
	echo "deploy/browser-test.sh: importing the demo into $db" >&2
	DATABASE_URL=$dburl ./bin/atlas import demo "${mirror[@]}" >"$log" 2>&1 || { cat "$log" >&2; psql "$admin" -qc "drop database if exists $db" || true; die "demo import failed"; }
	# Port 0: the kernel picks a free one, which the server logs.
	DATABASE_URL=$dburl ./bin/atlas serve --addr "127.0.0.1:0" >>"$log" 2>&1 &
	server=$!
	cleanup() {
		kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
		psql "$admin" -qc "drop database if exists $db" >/dev/null 2>&1 || true
		rm -f "$log"
	}
	trap cleanup EXIT
	for _ in $(seq 1 240); do
		addr=$(sed -nE 's/.*msg=serving addr=(http:[^ ]*).*/\1/p' "$log" | tail -1)
		[ -n "$addr" ] && break
		kill -0 "$server" 2>/dev/null || { cat "$log" >&2; die "atlas serve exited"; }
		sleep 0.5
	done
	[ -n "$addr" ] || { cat "$log" >&2; die "atlas serve did not start"; }
	export ATLAS_URL=$addr
	for _ in $(seq 1 120); do
		curl -fsS "$ATLAS_URL/readyz" >/dev/null 2>&1 && break
		kill -0 "$server" 2>/dev/null || { cat "$log" >&2; die "atlas serve exited"; }
		sleep 0.5
	done
	curl -fsS "$ATLAS_URL/readyz" >/dev/null || { cat "$log" >&2; die "server not ready"; }
fi

mkdir -p test-artifacts
node --test --test-reporter=spec web-map/test/
