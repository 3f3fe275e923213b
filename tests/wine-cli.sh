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
exec wine "$MP_WIN_BUILD/src/cli/mapiprof.exe" "$@"
