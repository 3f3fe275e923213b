#!/bin/sh
# bench/sections.sh - time `mapiprof apply -o` of a recipe that creates N new
# profile sections (one property each) on a fixture hive, for N = 1000,
# 2000, 4000, 8000 (or the counts given); checks that reglookup reads the
# result and finds every new section.  See bench/README.md, "Creating many
# sections".
#
# usage: bench/sections.sh [N...]
# environment: MAPIPROF (default build/src/cli/mapiprof), HIVE (default
#              build/fixtures/exchange-mapi.dat), BENCH_DIR, RUNS (best of, 3)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
MAPIPROF=${MAPIPROF:-$root/build/src/cli/mapiprof}
HIVE=${HIVE:-$root/build/fixtures/exchange-mapi.dat}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/mapiprof-bench}
RUNS=${RUNS:-3}
[ $# -gt 0 ] || set -- 1000 2000 4000 8000
mkdir -p "$BENCH_DIR"
status=0
printf '%6s %9s %9s %s\n' N apply_s per_1k_ms result
for n in "$@"; do
	recipe=$BENCH_DIR/sections-$n.recipe
	{
		echo "description: $n new sections"
		i=0
		while [ "$i" -lt "$n" ]; do
			# 32 hex digits, distinct, in no particular order.
			printf '%08x%024x PR_DISPLAY_NAME = s%d\n' $(((i * 2654435761) & 0xffffffff)) "$i" "$i"
			i=$((i + 1))
		done
	} >"$recipe"
	out=$BENCH_DIR/sections-$n.dat
	t=$(python3 "$here/timeit.py" -n "$RUNS" --prep "rm -f '$out'" -- \
		"$MAPIPROF" apply -o "$out" "$recipe" "$HIVE")
	found=$(reglookup -H -t KEY "$out" 2>/dev/null | grep -c '/Profiles/Exchange/[0-9a-f]\{32\},' || true)
	old=$(reglookup -H -t KEY "$HIVE" 2>/dev/null | grep -c '/Profiles/Exchange/[0-9a-f]\{32\},' || true)
	result=ok
	if [ "$((found - old))" -ne "$n" ]; then
		result="FAIL(reglookup finds $((found - old)) new sections)"
		status=1
	fi
	awk -v n="$n" -v t="$t" -v r="$result" 'BEGIN { printf "%6d %9.3f %9.1f %s\n", n, t, t * 1e6 / n, r }'
done
exit $status
