#!/usr/bin/env bash
# A streaming standby of the project's private cluster (deploy/pg/cluster.sh),
# for the read-replica tests: a physical copy made by pg_basebackup -R that
# replays the primary's WAL, as a CloudNativePG replica does.
#
#   deploy/pg/standby.sh start   start the primary, make the standby if needed, start it
#   deploy/pg/standby.sh stop    stop the standby
#   deploy/pg/standby.sh url     print the URL of database "$2" (default atlas) on the standby
#   deploy/pg/standby.sh remove  stop it and delete its files
#
# It lives beside the primary's files (.atlas/pg-standby, or the primary's
# directory outside the project with -standby appended), on a unix socket
# of its own and port 5433, owned by the same user. The primary needs
# wal_level=replica, max_wal_senders and a pg_hba line for replication on
# the local socket: initdb's defaults, which cluster.sh writes out too. The
# standby has no replication slot, so that a stopped standby never makes
# the primary keep WAL: when it has fallen too far behind to catch up, start
# makes it again.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pguser=atlaspg
port=5433

die() { echo "atlas: $*" >&2; exit 1; }
say() { echo "atlas: $*" >&2; }

# The primary's socket directory, from its URL (host=…), and its files.
primary_url=$(bash "$here/cluster.sh" url postgres)
psock=${primary_url#*host=}
psock=${psock%%&*}
pstate=$(dirname "$psock")
state="$pstate-standby"
data="$state/data"
sock="$state/sock"
log="$state/postgres.log"

# close_fds closes the descriptors above stderr that this shell inherited,
# so that the server does not keep them open for its whole life (a lock
# taken by whoever ran the tests, `flock lock make test`, would never be
# released). Called in a subshell, before pg_ctl.
close_fds() {
	local fd
	for fd in /proc/self/fd/*; do
		fd=${fd##*/}
		[ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
	done
	return 0
}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u "$pguser" -- "$@")
	else
		"$@"
	fi
}

# The server binaries of the primary's major version.
pg_bindir() {
	local major d
	major=$(cat "$pstate/data/PG_VERSION" 2>/dev/null) || return 1
	d=/usr/lib/postgresql/$major/bin
	[ -x "$d/pg_basebackup" ] && echo "$d"
}

url() {
	local db=${1:-atlas}
	echo "postgres:///$db?host=$sock&port=$port&user=atlas&sslmode=disable"
}

running() {
	[ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

sql() { as_owner "$bin/psql" -h "$sock" -p "$port" -U atlas -d postgres -Atc "$1"; }

make_standby() {
	say "making a streaming standby of the private cluster in $state"
	rm -rf "$data"
	if [ "$(id -u)" -eq 0 ]; then
		install -d -m 0700 -o "$pguser" "$state"
	else
		mkdir -p "$state"
	fi
	as_owner mkdir -p "$sock"
	# -R writes standby.signal and primary_conninfo (the primary's socket).
	as_owner "$bin/pg_basebackup" -h "$psock" -U atlas -D "$data" -R -X stream -c fast --no-sync >"$state/basebackup.log" 2>&1 ||
		die "pg_basebackup failed, see $state/basebackup.log"
	cat >>"$data/postgresql.conf" <<-EOF
		# Streaming standby of the private cluster: its own socket and port.
		listen_addresses = ''
		unix_socket_directories = '$sock'
		port = $port
		hot_standby = on
		cluster_name = 'atlas-standby'
	EOF
}

# streaming waits up to $1 seconds for the standby to stream from the
# primary.
streaming() {
	local i
	for i in $(seq 1 "$1"); do
		[ "$(sql "select count(*) from pg_stat_wal_receiver where status = 'streaming'" 2>/dev/null)" = "1" ] && return 0
		sleep 1
	done
	return 1
}

start_server() {
	as_owner mkdir -p "$sock"
	rm -f "$data/postmaster.pid"
	touch "$log" && { [ "$(id -u)" -ne 0 ] || chown "$pguser" "$log"; }
	(close_fds && as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 120 start >/dev/null)
}

start() {
	bash "$here/cluster.sh" start >/dev/null
	bin=$(pg_bindir) || die "no pg_basebackup for the primary's PostgreSQL version"
	if [ ${#sock} -gt 90 ]; then
		die "socket path $sock is too long for a unix socket; clone the project to a shorter path"
	fi
	[ -f "$data/PG_VERSION" ] || make_standby
	if ! running; then
		start_server || {
			# A standby left behind by a removed primary, or broken: make it again.
			say "the standby did not start (see $log): making it again"
			make_standby
			start_server || die "the standby did not start, see $log"
		}
	fi
	if ! streaming 20; then
		say "the standby does not stream from the primary (too far behind?): making it again"
		as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
		make_standby
		start_server || die "the standby did not start, see $log"
		streaming 60 || die "the standby does not stream from the primary, see $log"
	fi
	# A test that paused replay and died must not leave it paused.
	sql "select pg_wal_replay_resume() where pg_is_wal_replay_paused()" >/dev/null
	url atlas
}

stop() {
	bin=$(pg_bindir) || exit 0
	if [ -f "$data/PG_VERSION" ] && running; then
		as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
	fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
url) url "${2:-atlas}" ;;
remove) stop; rm -rf "$state" ;;
*) die "usage: $0 start|stop|url [db]|remove" ;;
esac
