#!/bin/sh
# Runs the CLI test programs of a native build (Criterion, Linux) against
# the Windows build's mapiprof.exe under Wine:
#   tests/wine-tests.sh BUILD WIN_BUILD [TEST...]
# BUILD is the native build (its tests/test_cli* and fixtures), WIN_BUILD
# the cross build (cross/x86_64-w64-mingw32.ini).  Wine gets a private
# prefix (removed at the end), no display and no debug output.  Prints one
# Criterion synthesis line per program; exits 1 when any failed.
set -u
build=$(cd "$1" && pwd) win=$(cd "$2" && pwd)
shift 2
[ $# -gt 0 ] || set -- test_cli test_cli_errors test_cli_write test_cli_reg test_cli_recover \
		test_cli_same_as_native test_cli_lock test_cli_image test_cli_profile test_cli_deleted \
		test_cli_import test_cli_prf test_cli_diff test_cli_timeline test_cli_relocate \
		test_cli_wim test_cli_help
here=$(cd "$(dirname "$0")" && pwd)
WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/mapiprof-wine-XXXXXX")
WINEDEBUG=-all
DISPLAY=
MP_WIN_BUILD=$WINEPREFIX/mapiprof-build
MP_TEST_CLI=$here/wine-cli.sh
MP_TEST_CLI_OS=windows
MP_WINE_RERUNS=$WINEPREFIX/reruns
export WINEPREFIX WINEDEBUG DISPLAY MP_WIN_BUILD MP_TEST_CLI MP_TEST_CLI_OS MP_WINE_RERUNS
trap 'wineserver -k 2>/dev/null; rm -rf "$WINEPREFIX"' EXIT
trap 'exit 130' INT TERM
# The programs run are a copy, made now: a rebuild of WIN_BUILD during the
# run (ninja relinking mapiprof.exe or a DLL) would otherwise fail the
# commands that start meanwhile, with no message (seen: exit 53, the low
# byte of STATUS_DLL_NOT_FOUND 0xC0000135, and exit 1).
mkdir -p "$MP_WIN_BUILD/src/cli" "$MP_WIN_BUILD/src/lib" "$MP_WIN_BUILD/subprojects/hivex"
cp "$win/src/cli/mapiprof.exe" "$MP_WIN_BUILD/src/cli/" &&
	cp "$win"/src/lib/*.dll "$MP_WIN_BUILD/src/lib/" &&
	cp "$win"/subprojects/hivex/*.dll "$MP_WIN_BUILD/subprojects/hivex/" || exit 1
# One wineserver for the whole run, started before anything else asks for
# one: each command then starts in ~0.2 s, and no command meets a server
# that wineboot's left running and that is exiting ("recvmsg: Connection
# reset by peer").
wineserver -p
wineboot -i >/dev/null 2>&1
failed=0
for t in "$@"; do
	out=$(cd "$build" && "./tests/$t" -j2 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^\[PASS\]' | grep -v '^$' >&2
	printf '%s: %s\n' "$t" "$(printf '%s\n' "$out" | grep 'Synthesis' | sed 's/.*Synthesis: //')"
	[ $rc -eq 0 ] || failed=1
done
# The commands wine-cli.sh ran a second time (status 1 with no output of the
# program: Wine's start-up failing); listed, with Wine's messages, in the log.
if [ -s "$MP_WINE_RERUNS" ]; then
	printf 'Under Wine, %d command(s) ended with no output and were run again:\n' \
		"$(grep -c 'with no output' "$MP_WINE_RERUNS")"
	cat "$MP_WINE_RERUNS"
fi
exit $failed
