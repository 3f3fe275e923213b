#!/bin/sh
# Runs the whole test suite twice: a plain build (build/) and an
# AddressSanitizer + UndefinedBehaviorSanitizer build (build-san/).
# Prints one closing line "tests: N passed, N failed" counted from
# Criterion's per-program synthesis lines; exits non-zero on any failure.
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

suite() {
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" || return 1
	fi
	ninja -C "$dir" || return 1
	meson test -C "$dir" --print-errorlogs --timeout-multiplier "$timeout_mult" || fail=1
	# "[====] Synthesis: Tested: 12 | Passing: 12 | Failing: 0 | Crashing: 0"
	counts=$(awk -F'[:|]' '/Synthesis: Tested:/ {
			p += $5; f += $7 + $9 }
		END { printf "%d %d", p, f }' "$dir/meson-logs/testlog.txt")
	passed=$((passed + ${counts% *}))
	failed=$((failed + ${counts#* }))
}

suite build || fail=1
# Sanitizers: any report fails the test (halt_on_error), leaks included.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
suite build-san -Db_sanitize=address,undefined -Db_lundef=false || fail=1

echo "tests: $passed passed, $failed failed"
[ "$fail" -eq 0 ] && [ "$failed" -eq 0 ]
