#!/bin/sh
# Runs the whole test suite twice: a plain build (build/) and an
# AddressSanitizer + UndefinedBehaviorSanitizer build (build-san/).
# Prints per build and in one closing line "tests: N passed, N failed,
# N skipped" counted from Criterion's per-program output (and meson's count
# of programs that skipped whole); exits non-zero on any failure.
#
# The CLI tests run mapiprof's command lines in a server that forks one
# started program per command (tests/cli_server.c), so that thousands of
# commands do not each pay the program's start (the sanitizers' above all);
# MP_TEST_EXEC=1 executes every command instead.
#
# --long also runs the slow trials (MP_TEST_LONG=1 for the tests, e.g.
# regfexport dumps of multi-megabyte hives), with longer time limits.
set -u
cd "$(dirname "$0")/.." || exit 1

timeout_mult=1
case "${1-}" in
--long)
	export MP_TEST_LONG=1
	timeout_mult=4
	;;
"") ;;
*)
	echo "usage: tests/run.sh [--long]" >&2
	exit 2
	;;
esac

fail=0
passed=0
failed=0
skipped=0
programs=0

# Criterion reports a skipped test (cr_skip_test, a missing optional
# sample) only at verbosity 1, as "[SKIP] suite::test: reason"; its
# synthesis line leaves skipped tests out.
export CRITERION_VERBOSITY_LEVEL=1

suite() {
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" || return 1
	fi
	ninja -C "$dir" || return 1
	start=$(date +%s)
	meson test -C "$dir" --print-errorlogs --timeout-multiplier "$timeout_mult" || fail=1
	log="$dir/meson-logs/testlog.txt"
	# "[====] Synthesis: Tested: 12 | Passing: 12 | Failing: 0 | Crashing: 0"
	# plus one "[SKIP] " line per skipped test, and meson's "Skipped: N"
	# for whole programs that exit 77.
	# A program that times out or dies before its synthesis line is in
	# meson's "Fail: N" and "Timeout: N" only: reported as such.
	counts=$(awk -F'[:|]' '/Synthesis: Tested:/ { p += $5; f += $7 + $9 }
		/^\[SKIP\] / { s++ }
		/^Skipped: / { s += $2 }
		/^(Fail|Timeout): / { x += $2 }
		END { printf "%d %d %d %d", p, f, s, x }' "$log")
	set -- $counts
	note=
	[ "$4" -gt 0 ] && note=", $4 programs failed or timed out"
	echo "$dir: $1 passed, $2 failed, $3 skipped$note ($(($(date +%s) - start)) s)"
	passed=$((passed + $1))
	failed=$((failed + $2))
	skipped=$((skipped + $3))
	programs=$((programs + $4))
}

suite build || fail=1
# Sanitizers: any report fails the test (halt_on_error), leaks included.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# clang when it is here: its sanitizers are one runtime linked into each
# program, which starts faster and gives LeakSanitizer less to scan than
# gcc's libasan and libubsan (the thousands of short processes of the
# suite spend most of their time there).  An existing build-san keeps the
# compiler it was set up with.
san_cc=${SAN_CC:-}
[ -n "$san_cc" ] || { command -v clang >/dev/null 2>&1 && san_cc=clang; } || san_cc=${CC:-cc}
export CC="$san_cc"
suite build-san -Db_sanitize=address,undefined -Db_lundef=false || fail=1

note=
[ "$programs" -gt 0 ] && note=", $programs programs failed or timed out"
echo "tests: $passed passed, $failed failed, $skipped skipped$note"
[ "$fail" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$programs" -eq 0 ]
