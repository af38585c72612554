#!/usr/bin/env bash
# Starts (or reuses) the project's private PostgreSQL+PostGIS cluster under
# .atlas/pg of the working directory and prints a DATABASE_URL for it.
#
#   deploy/pg/cluster.sh start   ensure PostGIS is installed, init if needed, start
#   deploy/pg/cluster.sh stop    stop the private cluster
#   deploy/pg/cluster.sh url     print the URL of database "$2" (default atlas)
#
# The cluster listens on a unix socket only (never a TCP port, never the system
# cluster). initdb refuses to run as root, so as root the cluster belongs to an
# unprivileged system user (atlaspg) and is driven through runuser.
set -euo pipefail

root=$(pwd)
base="$root/.atlas/pg"
data="$base/data"
sock="$base/sock"
log="$base/postgres.log"
pguser=atlaspg
deps="$(cd "$(dirname "$0")/.." && pwd)/deps.sh"

die() { echo "atlas: $*" >&2; exit 1; }
say() { echo "atlas: $*" >&2; }

pg_bindir() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -f "$(dirname "$d" | sed 's|/usr/lib/postgresql|/usr/share/postgresql|')/extension/postgis.control" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

ensure_postgis() {
	if pg_bindir >/dev/null; then return 0; fi
	say "PostgreSQL with PostGIS not found: installing Debian's postgresql-postgis (or set DATABASE_URL to a PostGIS database)"
	bash "$deps" db || exit 1
	pg_bindir >/dev/null || die "PostGIS was installed but no PostgreSQL server with the postgis extension was found"
}

# as_owner runs a command as the cluster's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$pguser" -- "$@"
	else
		"$@"
	fi
}

ensure_owner() {
	[ "$(id -u)" -eq 0 ] || return 0
	if ! id "$pguser" >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser" || die "cannot create system user $pguser for the private cluster"
	fi
	mkdir -p "$base"
	chown "$pguser" "$base"
	runuser -u "$pguser" -- test -w "$base" ||
		die "user $pguser cannot reach $base: the project directory must be traversable by other users (chmod o+x on its parents)"
}

url() {
	local db=${1:-atlas}
	echo "postgres:///$db?host=$sock&user=atlas&sslmode=disable"
}

running() {
	[ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

start() {
	ensure_postgis
	bin=$(pg_bindir)
	if [ ${#sock} -gt 90 ]; then
		die "socket path $sock is too long for a unix socket; clone the project to a shorter path"
	fi
	mkdir -p "$base"
	ensure_owner
	if [ ! -f "$data/PG_VERSION" ]; then
		say "creating the private PostGIS cluster in $base"
		rm -rf "$data"
		as_owner mkdir -p "$data" "$sock"
		as_owner "$bin/initdb" -D "$data" -U atlas --auth=trust -E UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 ||
			die "initdb failed, see $base/initdb.log"
		cat >>"$data/postgresql.conf" <<-EOF
			# Private cluster of Atlas Santé-Travail: unix socket only.
			listen_addresses = ''
			unix_socket_directories = '$sock'
			unix_socket_permissions = 0700
			max_connections = 100
			shared_buffers = 128MB
			work_mem = 16MB
			maintenance_work_mem = 128MB
			max_wal_size = 1GB
		EOF
	fi
	as_owner mkdir -p "$sock"
	if ! running; then
		rm -f "$data/postmaster.pid"
		touch "$log" && { [ "$(id -u)" -ne 0 ] || chown "$pguser" "$log"; }
		as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null ||
			die "the private PostgreSQL did not start, see $log"
	fi
	local have
	have=$(as_owner "$bin/psql" -h "$sock" -U atlas -d postgres -Atc "select 1 from pg_database where datname='atlas'")
	if [ "$have" != "1" ]; then
		as_owner "$bin/createdb" -h "$sock" -U atlas atlas
	fi
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
*) die "usage: $0 start|stop|url [db]" ;;
esac
