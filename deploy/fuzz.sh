#!/usr/bin/env bash
# make fuzz: runs every Go fuzz target of the module for FUZZTIME each (3m
# unless told: FUZZTIME=45s make fuzz), one at a time, then prints a report:
# target, executions, new corpus entries, crashes. FUZZ=regexp keeps the
# targets whose name matches; FUZZPARALLEL sets the workers (default 1, as
# the targets share the machine with everything else).
#
# The seeds (f.Add and testdata/fuzz/FuzzX/) already run in `make test`.
# What a run finds new stays in Go's cache ($(go env GOCACHE)/fuzz), and a
# crasher is written to the package's testdata/fuzz/FuzzX/: fix the code,
# keep the file as a regression seed and commit both.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-3m}
FUZZ=${FUZZ:-.}
FUZZPARALLEL=${FUZZPARALLEL:-1}
logs=.atlas/fuzz
mkdir -p "$logs"

# Every "func FuzzX(f *testing.F)" of a _test.go file, as "dir name".
targets=$(grep -rE --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' internal cmd 2>/dev/null |
	sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+)\(.*#\1 \2#' | sort -u | grep -E " .*${FUZZ}" || true)
if [ -z "$targets" ]; then
	echo "fuzz: no target matches FUZZ=$FUZZ" >&2
	exit 1
fi

report=()
failed=0
while read -r dir name; do
	log="$logs/$name.log"
	echo "fuzz: $name (./$dir) for $FUZZTIME" >&2
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -parallel "$FUZZPARALLEL" "./$dir" >"$log" 2>&1
	rc=$?
	# The last progress line: "fuzz: elapsed: 45s, execs: 123 (3/sec), new interesting: 4 (total: 20)".
	last=$(grep -E '^fuzz: elapsed: .*execs: ' "$log" | tail -n 1)
	execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
	fresh=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
	crash=$(sed -nE 's#.*Failing input written to (testdata/fuzz/[^ ]+).*#\1#p' "$log" | head -n 1)
	if [ "$rc" -eq 0 ]; then
		status=ok
	else
		failed=1
		status="FAIL ${crash:+$dir/$crash}"
		[ -n "$crash" ] || status="FAIL (see $log)"
	fi
	report+=("$(printf '%-22s %-28s %12s %6s  %s' "$name" "$dir" "${execs:-?}" "${fresh:-?}" "$status")")
done <<<"$targets"

echo
printf '%-22s %-28s %12s %6s  %s\n' target package execs new result
printf '%s\n' "${report[@]}"
echo "(FUZZTIME=$FUZZTIME each; logs in $logs)"
exit $failed
