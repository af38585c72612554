#!/usr/bin/env bash
# Builds the workshop map (web-map/, Vite + TypeScript + maplibre-gl) into
# web-map/dist, which `go build` then embeds (web-map/embed.go). Installs the
# npm dependencies with `npm ci` only when node_modules is missing or the
# lockfile changed, and rebuilds only when a source is newer than the build.
set -euo pipefail
cd "$(dirname "$0")/../web-map"

die() { echo "deploy/web.sh: $*" >&2; exit 1; }

bash ../deploy/deps.sh web
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||a===22&&b>=12||a===20&&b>=19||a===21?0:1)' ||
	die "Node.js $(node --version) is too old for Vite 8: 20.19 or 22.12 at least"

stamp=node_modules/.atlas-package-lock.sha256
sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
	echo "deploy/web.sh: npm ci" >&2
	npm ci --no-audit --no-fund --loglevel=error
	echo "$sum" >"$stamp"
fi

if [ ! -f dist/index.html ] ||
	[ -n "$(find src index.html vite.config.ts tsconfig.json package.json package-lock.json -newer dist/index.html -print -quit)" ]; then
	echo "deploy/web.sh: vite build" >&2
	npm run --silent build
fi
