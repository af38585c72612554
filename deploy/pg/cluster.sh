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
#
# As root, atlaspg must reach .atlas/pg. When it cannot (a clone under /root,
# mode 0700, is a common first run in a container), the data directory, the
# socket directory and the server log are kept instead in
# /var/lib/atlas-pg/<hash of the project path>/ (mode 0700, owned by
# atlaspg), and .atlas/pg/sock is a symlink to that socket directory: root
# follows it, so `atlas` still finds the cluster by .atlas/pg/sock/.s.PGSQL.5432
# and each clone still has its own cluster. The symlink records the choice:
# later runs use the cluster it points to. `url` then names the real socket
# directory (short, and the path the server itself listens on). Removing the
# clone leaves that directory: stop the cluster and remove it first
# (rm -rf "$(dirname "$(readlink .atlas/pg/sock)")").
set -euo pipefail

root=$(pwd)
base="$root/.atlas/pg"
pguser=atlaspg
# Parent of the clusters kept outside their project (see above).
outside=/var/lib/atlas-pg

# The cluster's files: under .atlas/pg, or under $state when .atlas/pg/sock
# links to $state/sock.
layout() {
	state=$1
	data="$state/data"
	sock="$state/sock"
	log="$state/postgres.log"
}
if [ -L "$base/sock" ]; then
	layout "$(dirname "$(readlink "$base/sock")")"
else
	layout "$base"
fi
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

# as_owner runs a command as the cluster's owner (from / when the cluster is
# kept outside the project, which the owner cannot enter: PostgreSQL's tools
# complain otherwise; every path here is absolute).
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
	if [ "$(id -u)" -eq 0 ] && [ "$state" != "$base" ]; then
		(cd / && runuser -u "$pguser" -- "$@")
	elif [ "$(id -u)" -eq 0 ]; then
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
	if [ -L "$base/sock" ]; then
		# Kept outside the project by an earlier run.
		claim "$state" && return 0
		# That directory is the cluster of the clone this one is a copy of
		# (cp -a copies the symlink): this clone gets its own.
		rm -f "$base/sock" "$base/postgres.log"
	else
		chown "$pguser" "$base"
		runuser -u "$pguser" -- test -w "$base" && return 0
		[ ! -f "$base/data/PG_VERSION" ] ||
			die "user $pguser cannot reach $base, where the private cluster is: the project directory must be traversable by other users (chmod o+x on its parents)"
	fi
	# atlaspg cannot traverse to the project (a parent directory such as
	# /root is 0700): keep the cluster where it can, private to this project,
	# in a directory named after the project's path (another name if a clone
	# moved away from this path still uses that one).
	local n dir=""
	for n in 0 1 2 3 4 5 6 7 8 9; do
		dir="$outside/$( (pwd -P; [ "$n" -eq 0 ] || echo "$n") | sha256sum | cut -c1-12)"
		claim "$dir" && break
		dir=""
	done
	[ -n "$dir" ] || die "no free directory for the private cluster in $outside"
	layout "$dir"
	say "user $pguser cannot reach $base (a parent directory is not traversable): the cluster is kept in $state, $base/sock links to its socket directory"
	[ ! -e "$base/sock" ] || rmdir "$base/sock" || die "$base/sock is in the way of the link to $sock"
	ln -sfn "$sock" "$base/sock"
	ln -sfn "$log" "$base/postgres.log"
}

# claim DIR makes DIR, a directory for a cluster kept outside its project
# (mode 0700, owned by atlaspg), this project's. DIR/project records the
# project's path: a DIR another project still links to is not taken (return
# 1); one whose project moved or is gone is (a clone re-made at the same path
# gets the cluster back).
claim() {
	local dir=$1 other
	[ -d "$outside" ] || install -d -m 0711 "$outside"
	[ -d "$dir" ] || install -d -m 0700 -o "$pguser" "$dir"
	if [ -f "$dir/project" ]; then
		other=$(cat "$dir/project")
		if [ "$other" != "$(pwd -P)" ] && [ "$(readlink "$other/.atlas/pg/sock" 2>/dev/null)" = "$dir/sock" ]; then
			return 1
		fi
	fi
	pwd -P >"$dir/project"
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
	# As root, ensure_owner may move the cluster out of .atlas/pg: check the
	# socket path (the one unix_socket_directories and the URL name) after.
	ensure_owner
	if [ ${#sock} -gt 90 ]; then
		die "socket path $sock is too long for a unix socket; clone the project to a shorter path"
	fi
	mkdir -p "$base"
	if [ ! -f "$data/PG_VERSION" ]; then
		say "creating the private PostGIS cluster in $state"
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
			# A streaming standby can be made of it (deploy/pg/standby.sh, the
			# read-replica tests): initdb's defaults, written out.
			wal_level = replica
			max_wal_senders = 10
		EOF
	fi
	as_owner mkdir -p "$sock"
	if ! running; then
		rm -f "$data/postmaster.pid"
		touch "$log" && { [ "$(id -u)" -ne 0 ] || chown "$pguser" "$log"; }
		(close_fds && as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null) ||
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
