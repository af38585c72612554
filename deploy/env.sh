# Sourced by the Makefile: exports DATABASE_URL, starting the private
# PostGIS cluster when none is given.
if [ -z "${DATABASE_URL:-}" ]; then
	DATABASE_URL=$(bash deploy/pg/cluster.sh start) || return 1
	export DATABASE_URL
else
	echo "atlas: using DATABASE_URL, the private cluster is not touched" >&2
fi
