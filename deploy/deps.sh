#!/usr/bin/env bash
# Installs what the project needs on a Debian machine, only when missing:
#   deploy/deps.sh        everything for the tests (PostGIS, GDAL's ogrinfo, Go modules)
#   deploy/deps.sh go     Go modules only
set -euo pipefail

die() { echo "atlas: $*" >&2; exit 1; }

command -v go >/dev/null || die "Go is not installed (https://go.dev/dl/); it is needed to build atlas"
go mod download || die "could not download the Go modules (no access to the Go module proxy?)"
[ "${1:-}" = go ] && exit 0

missing=()
command -v ogrinfo >/dev/null || missing+=(gdal-bin)
command -v node >/dev/null || missing+=(nodejs npm)
command -v chromium >/dev/null || missing+=(chromium)
ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || missing+=(postgresql-postgis)
if [ ${#missing[@]} -gt 0 ]; then
	echo "atlas: installing ${missing[*]}" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null ||
		die "could not install ${missing[*]} with apt-get"
fi
