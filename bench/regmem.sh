#!/bin/sh
# bench/regmem.sh - peak memory (RSS, /usr/bin/time -v) and wall time of
# `mapiprof list` on large generated .reg files (bench/mkreg.py) against the
# bound size + 64 MiB (the file is mapped and read through, not copied; the
# records stay within base/limits.h MP_REG_MEM_SLACK).  A file of millions
# of very short lines is refused (rc 1) once its records pass that budget.
# See bench/README.md, "Memory on large .reg files".
#
# usage: bench/regmem.sh [SIZE_MIB]            (default 64)
# environment: MAPIPROF, BENCH_DIR as for run.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
MAPIPROF=${MAPIPROF:-$root/build/src/cli/mapiprof}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/mapiprof-bench}
size=${1:-64}
half=$((size / 2))
mkdir -p "$BENCH_DIR"
gen() { # NAME ARGS...: generate BENCH_DIR/NAME.reg unless up to date
	out=$BENCH_DIR/$1.reg
	shift
	if [ ! -f "$out" ] || [ "$here/mkreg.py" -nt "$out" ]; then
		python3 "$here/mkreg.py" "$@" "$out"
	fi
}
gen keys$size keys "$size"
gen flat$size flat "$size"
gen values$size values "$size"
gen hex$size hex "$size"
gen mixed$size mixed "$size"
gen mixed$size-late mixed "$size" --fail-at $((size * 17000))
gen keys$size-early keys "$size" --fail-at 1000
gen keys$half-u16 keys "$half" --utf16
gen mixed$half-u16 mixed "$half" --utf16
printf '%-20s %6s %8s %8s %6s %6s %3s\n' file MiB rss_MiB bound ratio sec rc
for name in keys$size flat$size values$size hex$size mixed$size mixed$size-late \
	keys$size-early keys$half-u16 mixed$half-u16; do
	f=$BENCH_DIR/$name.reg
	sz=$(stat -c %s "$f")
	rc=0
	/usr/bin/time -v "$MAPIPROF" list "$f" >/dev/null 2>"$BENCH_DIR/time.txt" || rc=$?
	rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$BENCH_DIR/time.txt")
	el=$(awk -F': ' '/Elapsed/ {print $2}' "$BENCH_DIR/time.txt")
	awk -v n="$name" -v sz="$sz" -v rss="$rss" -v el="$el" -v rc="$rc" 'BEGIN {
		b = sz / 1048576 + 64
		printf "%-20s %6.1f %8.1f %8.1f %6.2f %6s %3s\n", n, sz / 1048576, rss / 1024, b, rss / 1024 / b, el, rc
	}'
done
