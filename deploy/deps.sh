#!/usr/bin/env bash
# The one place that installs what the project needs on a Debian machine,
# and only what is missing. The other scripts call it for their part:
#   deploy/deps.sh                 everything for the tests
#   deploy/deps.sh go web          what `make run` builds with (Go modules, Node.js)
#   deploy/deps.sh db              PostgreSQL with PostGIS (deploy/pg/cluster.sh)
#   deploy/deps.sh browser         Debian's chromium (deploy/browser-test.sh)
set -euo pipefail

die() { echo "atlas: $*" >&2; exit 1; }

[ $# -gt 0 ] || set -- go web db gdal browser
missing=()
for part in "$@"; do
	case $part in
	go)
		command -v go >/dev/null || die "Go is not installed (https://go.dev/dl/); it is needed to build atlas"
		go mod download || die "could not download the Go modules (no access to the Go module proxy?)"
		;;
	web) command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm) ;;
	db) ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || missing+=(postgresql-postgis) ;;
	gdal)
		command -v ogrinfo >/dev/null || missing+=(gdal-bin)
		# The MBTiles tests read the files with the sqlite3 shell too.
		command -v sqlite3 >/dev/null || missing+=(sqlite3)
		# The document tests read the PDFs with poppler's pdftotext, pdfinfo and pdffonts.
		command -v pdftotext >/dev/null || missing+=(poppler-utils)
		;;
	browser) command -v chromium >/dev/null || missing+=(chromium) ;;
	*) die "deploy/deps.sh: unknown part $part (go, web, db, gdal, browser)" ;;
	esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || die "${missing[*]} missing and not root, without sudo: install them, or set DATABASE_URL to a PostGIS database for db"
	sudo=sudo
fi
command -v apt-get >/dev/null || die "${missing[*]} missing and this is not a Debian system: install them by hand"
echo "atlas: installing ${missing[*]}" >&2
# A system cluster that postgresql-postgis may create is left alone: ours is private.
$sudo apt-get update -qq || die "apt-get update failed (no package registry reachable?)"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null ||
	die "could not install ${missing[*]} with apt-get"
