#!/bin/sh
# bench/run.sh - time `mapiprof apply exchange2007-gc-referral` on large
# generated hives next to `dd conv=fsync` (the floor for a durable rewrite)
# and `hivexregedit --merge` of the same five changes; check the targets
# (apply <= 1.5x dd, >= 4x faster than hivexregedit, no-op and
# --check <= 25 ms) and that the result is right.  See bench/README.md.
#
# usage: bench/run.sh [SIZE_MIB...]          (default: 16 64 256)
# environment: MAPIPROF  the CLI to test (default: build/src/cli/mapiprof)
#              BENCH_DIR work directory for hives and copies
#                        (default: ${TMPDIR:-/tmp}/mapiprof-bench)
#              RUNS      runs per measurement, best taken (default: 3)
#              KEEP=1    keep the per-size copies (default: removed)
# Exit status: 0 all targets met and all checks passed, 1 otherwise.

# The --prep commands are expanded by timeit.py's shell (H and D are exported).
# shellcheck disable=SC2016
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
MAPIPROF=${MAPIPROF:-$root/build/src/cli/mapiprof}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/mapiprof-bench}
RUNS=${RUNS:-3}
KEEP=${KEEP:-0}
RECIPE=exchange2007-gc-referral
REG=$here/gc-referral.reg
PROFILES='/Software/Microsoft/Windows NT/CurrentVersion/Windows Messaging Subsystem/Profiles/Exchange'
GLOBAL=13dbb0c8aa05101a9bb000aa002fc45a
EMSAB=dca740c8c042101ab4b908002b2fe182

if [ $# -eq 0 ]; then
	set -- 16 64 256
fi

status=0
note() { printf '%s\n' "$*" >&2; }
fail() { note "FAIL: $*"; status=1; }

for tool in python3 dd reglookup; do
	command -v "$tool" >/dev/null 2>&1 || { note "run.sh: $tool not found"; exit 1; }
done
if [ ! -x "$MAPIPROF" ]; then
	note "run.sh: $MAPIPROF: not executable (build first, or set MAPIPROF)"
	exit 1
fi
have_hivex=1
if ! command -v hivexregedit >/dev/null 2>&1; then
	note "run.sh: hivexregedit not found (Debian: apt-get install libwin-hivex-perl)"
	have_hivex=0
fi
have_apply=1
if ! "$MAPIPROF" apply --help >/dev/null 2>&1; then
	note "apply: not available in $MAPIPROF"
	have_apply=0
fi

mkdir -p "$BENCH_DIR"
timeit() { python3 "$here/timeit.py" -n "$RUNS" "$@"; }
# ratio A B: A/B with two decimals; ms S: seconds to milliseconds.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
sec() { awk -v s="$1" 'BEGIN { printf "%.3f", s }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# The five values after the recipe, as reglookup prints them.
expected_lines() {
	printf '%s\n' \
	    "$PROFILES/$GLOBAL/00036604,BINARY,%00%00%00%00," \
	    "$PROFILES/$GLOBAL/00036606,BINARY,%00@%00%00," \
	    "$PROFILES/$GLOBAL/0003661b,BINARY,%B8%0B%00%00," \
	    "$PROFILES/$EMSAB/00036619,BINARY,%09%00%00%00," \
	    "$PROFILES/$EMSAB/00036639,BINARY,%01%00%00%00," | sort
}

# check_values FILE: mapiprof get shows the five values the recipe sets.
check_values() {
	file=$1
	got=$(for p in global:PR_PROFILE_CONNECT_FLAGS global:PR_PROFILE_UI_STATE \
	    global:PR_PROFILE_SERVER_VERSION emsab:PR_PROFILE_AUTH_PACKAGE \
	    emsab:PR_PROFILE_ABP_ALLOW_RECONNECT; do
		"$MAPIPROF" get --section "${p%%:*}" "${p#*:}" "$file" 2>&1 || echo "?"
	done | tr '\n' ' ')
	[ "$got" = "0 16384 3000 9 1 " ] || { fail "$file: mapiprof get shows: $got"; return 1; }
}

# walk FILE OUT: full reglookup walk, value lines only, sorted; errors fail.
walk() {
	if ! reglookup -H "$1" >"$2.raw" 2>"$2.err" || [ -s "$2.err" ]; then
		fail "$1: reglookup walk: $(head -c 300 "$2.err")"
		return 1
	fi
	grep -v ',KEY,' "$2.raw" | LC_ALL=C sort >"$2"
	rm -f "$2.raw" "$2.err"
}

rows=""
for size in "$@"; do
	H=$BENCH_DIR/ntuser-${size}M.dat
	if [ ! -f "$H" ] || [ -n "$(find "$here/mkbig.py" -newer "$H")" ]; then
		note "generating $H"
		python3 "$here/mkbig.py" "$size" "$H"
		rm -f "$H.walk"
	fi
	[ -f "$H.walk" ] || walk "$H" "$H.walk"
	D=$BENCH_DIR/run-$size
	rm -rf "$D"
	mkdir -p "$D"
	export H D
	cat "$H" >/dev/null          # cache warm

	# (a) the floor: a durable copy of the file.
	t_dd=$(timeit --prep 'rm -f "$D/dd.dat" && sync' --log "$D/dd.log" -- \
	    dd if="$H" of="$D/dd.dat" bs=4M conv=fsync) || t_dd=
	# (c) hivexregedit --merge of the same changes, on a fresh copy.
	t_hx=
	if [ "$have_hivex" = 1 ]; then
		t_hx=$(timeit --prep 'cp "$H" "$D/hx.dat" && sync' --log "$D/hx.log" -- \
		    hivexregedit --merge --prefix HKEY_CURRENT_USER "$D/hx.dat" "$REG") || t_hx=
		[ -n "$t_hx" ] && { check_values "$D/hx.dat" || :; }
	fi
	t_apply='' t_noop='' t_check=''
	if [ "$have_apply" = 1 ]; then
		# (b) apply on a fresh copy; then check what it wrote.
		t_apply=$(timeit --prep 'cp "$H" "$D/apply.dat" && sync' --log "$D/apply.log" -- \
		    "$MAPIPROF" apply "$RECIPE" "$D/apply.dat") || t_apply=
		if [ -n "$t_apply" ]; then
			check_values "$D/apply.dat" || :
			if walk "$D/apply.dat" "$D/apply.walk"; then
				LC_ALL=C comm -13 "$H.walk" "$D/apply.walk" >"$D/changed"
				LC_ALL=C comm -23 "$H.walk" "$D/apply.walk" | wc -l >"$D/gone"
				if ! expected_lines | cmp -s - "$D/changed" ||
				    [ "$(cat "$D/gone")" -ne 5 ]; then
					fail "$size MiB: reglookup sees other changes than the five:"
					head -20 "$D/changed" >&2
				fi
			fi
			# (d) nothing to change: must not write; --check exits 0.
			before=$(stat -c '%i %y %s' "$D/apply.dat")
			cp "$D/apply.dat" "$D/patched.ref"
			t_noop=$(timeit --log "$D/noop.log" -- \
			    "$MAPIPROF" apply "$RECIPE" "$D/apply.dat") || t_noop=
			t_check=$(timeit --log "$D/check.log" -- \
			    "$MAPIPROF" apply --check "$RECIPE" "$D/apply.dat") || t_check=
			after=$(stat -c '%i %y %s' "$D/apply.dat")
			if [ "$before" != "$after" ] || ! cmp -s "$D/apply.dat" "$D/patched.ref"; then
				fail "$size MiB: the no-op apply rewrote the file"
			fi
			# --check on the original must say "would change" (3), touching nothing.
			set +e
			"$MAPIPROF" apply --check "$RECIPE" "$H" >/dev/null 2>&1
			rc=$?
			set -e
			[ "$rc" = 3 ] || fail "$size MiB: apply --check on the original exited $rc, not 3"
		fi
	fi

	# One table row; PASS only if every target is met.
	verdict=PASS
	r_ad=- r_ha=-
	[ -n "$t_dd" ] || { verdict=FAIL; fail "$size MiB: dd failed"; }
	if [ "$have_apply" = 0 ]; then
		verdict="apply: not available"
	elif [ -z "$t_apply" ] || [ -z "$t_noop" ] || [ -z "$t_check" ]; then
		verdict="FAIL(apply error)"
		status=1
	else
		why=""
		[ -n "$t_dd" ] && r_ad=$(ratio "$t_apply" "$t_dd")
		[ -n "$t_hx" ] && r_ha=$(ratio "$t_hx" "$t_apply")
		[ "$r_ad" != - ] && ! le "$r_ad" 1.5 && why="$why apply>1.5xdd"
		[ "$r_ha" != - ] && ! le 4 "$r_ha" && why="$why hivex<4xapply"
		le "$t_noop" 0.025 || why="$why noop>25ms"
		le "$t_check" 0.025 || why="$why check>25ms"
		[ -n "$why" ] && { verdict="FAIL(${why# })"; status=1; }
	fi
	row=$(printf '%5s %8s %8s %8s %8s %8s %8s %8s  %s' "$size" \
	    "$( [ -n "$t_dd" ] && sec "$t_dd" || echo -)" \
	    "$( [ -n "$t_apply" ] && sec "$t_apply" || echo -)" \
	    "$( [ -n "$t_hx" ] && sec "$t_hx" || echo -)" \
	    "$( [ -n "$t_noop" ] && ms "$t_noop" || echo -)" \
	    "$( [ -n "$t_check" ] && ms "$t_check" || echo -)" \
	    "$r_ad" "$r_ha" "$verdict")
	printf '%s\n' "$row" >&2
	rows="$rows$row
"
	[ "$KEEP" = 1 ] || rm -rf "$D"
done

printf '\n# %s, %s cores, %s, %s on %s, best of %s\n' "$(date -u +%Y-%m-%d)" \
    "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo ?)" "$(uname -sr)" \
    "$("$MAPIPROF" --version 2>/dev/null | head -1)" \
    "$(df --output=fstype "$BENCH_DIR" 2>/dev/null | tail -1 ||
	stat -f -c %T "$BENCH_DIR" 2>/dev/null || echo ?)" "$RUNS"
printf '%5s %8s %8s %8s %8s %8s %8s %8s  %s\n' MiB dd_s apply_s hivex_s \
    noop_ms check_ms apply/dd hx/apply result
printf '%s' "$rows"
exit "$status"
