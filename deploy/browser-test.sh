#!/usr/bin/env bash
# Runs the browser test of the workshop map (web-map/test/, node --test and
# playwright-core driving Debian's chromium) against a running atlas server.
#
#   ATLAS_URL=http://127.0.0.1:8097 ATLAS_REGION_URL=http://127.0.0.1:8098 \
#     bash deploy/browser-test.sh
#
# (the second server runs `atlas serve --region 76` on the same base). The
# workshop test (workshop.test.mjs) starts, stops and restarts its own
# server: with an external ATLAS_URL, also give it ATLAS_BIN (an atlas
# binary) and ATLAS_DATABASE_URL (the database ATLAS_URL serves).
#
# Without ATLAS_URL it starts servers itself: the front end is built,
# bin/atlas compiled, a throwaway database created in the private cluster (or
# on the server DATABASE_URL names; its role needs CREATEDB), the demo
# imported into it (from ATLAS_GEODATA_MIRROR when set), and two servers
# started on it: one opening on France (ATLAS_URL), one configured for
# Occitanie (ATLAS_REGION_URL, `--region 76`). They are stopped and the
# database dropped at the end. Screenshots go to test-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "deploy/browser-test.sh: $*" >&2; exit 1; }

bash deploy/deps.sh browser
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
	servers=()
	cleanup() {
		for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
		psql "$admin" -qc "drop database if exists $db" >/dev/null 2>&1 || true
		rm -f "$log" "$log".*
	}
	trap cleanup EXIT
	# serve LOGSUFFIX [ARGS...]: starts `atlas serve ARGS` on a port the
	# kernel picks (port 0, which the server logs), waits until it is ready
	# and prints its URL.
	serve() {
		local out="$log.$1" addr="" pid
		shift
		DATABASE_URL=$dburl ./bin/atlas serve --addr "127.0.0.1:0" "$@" >"$out" 2>&1 &
		pid=$!
		servers+=("$pid")
		for _ in $(seq 1 240); do
			addr=$(sed -nE 's/.*msg=serving addr=(http:[^ ]*).*/\1/p' "$out" | tail -1)
			[ -n "$addr" ] && break
			kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; die "atlas serve $* exited"; }
			sleep 0.5
		done
		[ -n "$addr" ] || { cat "$out" >&2; die "atlas serve $* did not start"; }
		for _ in $(seq 1 120); do
			curl -fsS "$addr/readyz" >/dev/null 2>&1 && break
			kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; die "atlas serve $* exited"; }
			sleep 0.5
		done
		curl -fsS "$addr/readyz" >/dev/null || { cat "$out" >&2; die "atlas serve $* not ready"; }
		echo "$addr"
	}
	# Not in a $(...): the cleanup must know the servers' pids.
	serve france >"$log.url"
	ATLAS_URL=$(cat "$log.url")
	# The same base seen by a regional diagnostic group (region.test.mjs).
	serve occitanie --region 76 >"$log.url"
	ATLAS_REGION_URL=$(cat "$log.url")
	# The workshop test runs its own server on this base, to restart it mid-session.
	ATLAS_BIN=$PWD/bin/atlas
	ATLAS_DATABASE_URL=$dburl
	export ATLAS_URL ATLAS_REGION_URL ATLAS_BIN ATLAS_DATABASE_URL
fi

mkdir -p test-artifacts
# Only the test files: node would also run harness.mjs as one, being in a
# test/ folder. One file at a time: in parallel they share the 2 cores and the
# timings they print mean nothing.
status=0
node --test --test-concurrency=1 --test-reporter=spec web-map/test/*.test.mjs || status=$?
if [ "$status" -ne 0 ] && [ -n "${log:-}" ]; then
	# The page only says "Erreur interne": the cause is in the servers' logs.
	for f in "$log".france "$log".occitanie; do
		[ -f "$f" ] && grep -E 'level=(ERROR|WARN)' "$f" | sed "s|^|$(basename "$f" | sed 's/.*\.//'): |" >&2
	done
fi
exit "$status"
