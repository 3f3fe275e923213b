#!/bin/sh
# Runs the Windows build's mapiprof.exe under Wine with the given arguments:
# the program the CLI tests run when MP_TEST_CLI names this script
# (tests/wine-tests.sh sets it up).  MP_WIN_BUILD is the cross build's
# directory (build-win); Wine finds the DLLs beside it through WINEPATH.
: "${MP_WIN_BUILD:?MP_WIN_BUILD: the Windows build directory}"
WINEPATH="$MP_WIN_BUILD/src/lib;$MP_WIN_BUILD/subprojects/hivex"
WINEDEBUG=-all
DISPLAY=
export WINEPATH WINEDEBUG DISPLAY
exe=$MP_WIN_BUILD/src/cli/mapiprof.exe

# A run in which the program wrote nothing at all is not an outcome of
# mapiprof, whose every failure prints a message (the native suites run the
# same tests without this).  Wine's start-up fails so, rarely: "wine:
# failed to map the shared user data: c0000018" (virtual_alloc_first_teb;
# STATUS_CONFLICTING_ADDRESSES: the fixed address of that page was taken),
# status 1 before any code of the program runs, and no message at all
# under WINEDEBUG=-all.  Such a run is made once more and written down in
# MP_WINE_RERUNS with Wine's messages (wine-tests.sh prints the list).
# Only when the command reads nothing from standard input (a second run
# could not read it again) and its output goes to pipes (the tests'
# capture), so that buffering it here changes nothing the tests see.
if [ -z "${MP_WINE_RERUNS:-}" ] || [ "$(readlink /proc/$$/fd/0 2>/dev/null)" != /dev/null ] ||
	[ ! -p /dev/stdout ] || [ ! -p /dev/stderr ]; then
	exec wine "$exe" "$@"
fi
# Wine's own error messages (WINEDEBUG=err+all: lines "XXXX:err:...", or
# "err:..." before the first thread exists) are kept apart from the
# program's and written down with such a run.  Debian's
# "wine" script would print a hint about wine32 unless WINEDEBUG turns
# everything off, so its 64-bit loader is run directly, as that script does.
wine=wine
if [ -x /usr/lib/wine/wine64 ] && [ ! -x /usr/lib/wine/wine ]; then
	wine=/usr/lib/wine/wine64
	WINELOADER=$wine
	export WINELOADER
fi
WINEDEBUG=err+all
out=$(mktemp "${TMPDIR:-/tmp}/mapiprof-wine-out-XXXXXX") || exit 127
err=$(mktemp "${TMPDIR:-/tmp}/mapiprof-wine-err-XXXXXX") || exit 127
trap 'rm -f "$out" "$err" "$err.wine"' EXIT
wine_debug='^([0-9a-f]{4}:)?(err|warn|fixme|trace):'
run() {
	"$wine" "$exe" "$@" >"$out" 2>"$err.wine"
	rc=$?
	grep -Ev "$wine_debug" "$err.wine" >"$err"
}
run "$@"
if [ $rc -ne 0 ] && [ ! -s "$out" ] && [ ! -s "$err" ]; then
	first=$rc
	{
		printf '%s: status %d with no output of the program: mapiprof %s\n' "$(date -u +%H:%M:%S)" $rc "$*"
		grep -E "$wine_debug" "$err.wine" | sed 's/^/    /'
	} >>"$MP_WINE_RERUNS"
	run "$@"
	printf '    run again: status %d, %s bytes out, %s bytes err\n' $rc \
		"$(wc -c <"$out")" "$(wc -c <"$err")" >>"$MP_WINE_RERUNS"
	[ $rc -eq 0 ] || [ -s "$out" ] || [ -s "$err" ] || rc=$first
fi
cat "$out"
cat "$err" >&2
exit $rc
