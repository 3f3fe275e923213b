#!/bin/sh
# bench/run.sh - the ratios of mapiprof's performance targets (bench/README.md,
# "What run.sh measures"), on generated hives of 16, 64 and 256 MiB and on a
# whole-HKCU regedit-style UTF-16LE .reg export of a generated hive:
# one line per ratio, with its target and whether it is met, and checks that
# what apply wrote is right.  Only ratios count (the machine may be shared):
# each time is the best of RUNS runs.  The reading rows also give the ratio
# of the least CPU times (user + system), which other users of the machine
# move much less than the wall clock.
#
# usage: bench/run.sh [SIZE_MIB...]          (default: 16 64 256)
# environment: MAPIPROF  the CLI to test (default: build/src/cli/mapiprof)
#              BENCH_DIR work directory for hives and copies
#                        (default: ${TMPDIR:-/tmp}/mapiprof-bench)
#              RUNS      runs per measurement, best taken (default: 5)
#              REG=0     skip the .reg rows; REG_RUNS runs there (default: 2)
#              REG_HIVE_MIB  the hive the export is made of (default 64: a
#                        306 MiB export; 36 gives 180 MB)
#              KEEP=1    keep the per-size copies (default: removed)
# Exit status: 0 all targets met and all checks passed, 1 otherwise.

# The --prep commands are expanded by timeit.py's shell (H, D, R are exported).
# shellcheck disable=SC2016
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
MAPIPROF=${MAPIPROF:-$root/build/src/cli/mapiprof}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/mapiprof-bench}
RUNS=${RUNS:-5}
REG=${REG:-1}
REG_RUNS=${REG_RUNS:-2}
REG_HIVE_MIB=${REG_HIVE_MIB:-64}
KEEP=${KEEP:-0}
RECIPE=exchange2007-gc-referral
MERGE=$here/gc-referral.reg
PROFILES='/Software/Microsoft/Windows NT/CurrentVersion/Windows Messaging Subsystem/Profiles'
GLOBAL=13dbb0c8aa05101a9bb000aa002fc45a
EMSAB=dca740c8c042101ab4b908002b2fe182

if [ $# -eq 0 ]; then
	set -- 16 64 256
fi

status=0
note() { printf '%s\n' "$*" >&2; }
fail() { note "FAIL: $*"; status=1; }

for tool in python3 dd reglookup hivexsh hivexregedit openssl; do
	command -v "$tool" >/dev/null 2>&1 || {
		note "run.sh: $tool not found (Debian: reglookup libhivex-bin libwin-hivex-perl openssl)"
		exit 1
	}
done
[ -x /usr/bin/time ] || { note "run.sh: /usr/bin/time not found (Debian: time)"; exit 1; }
if [ ! -x "$MAPIPROF" ]; then
	note "run.sh: $MAPIPROF: not executable (build first, or set MAPIPROF)"
	exit 1
fi
in_place=0
"$MAPIPROF" apply --help 2>/dev/null | grep -q -- '--in-place' && in_place=1

mkdir -p "$BENCH_DIR"
timeit() { python3 "$here/timeit.py" -n "$RUNS" "$@"; }
# ratio A B: A/B with two decimals; sec S: seconds, three decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
sec() { awk -v s="$1" 'BEGIN { printf "%.3f", s }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
# cpu NAME: the least CPU seconds timeit --cpu "$D/NAME.cpu" kept, or "".
cpu() { cat "$D/$1.cpu" 2>/dev/null || :; }

# row SIZE WORK A B TARGET [CPU_A CPU_B]: one line of the table, ratio A/B
# against TARGET ("<=X" or ">=X"), and the ratio of the CPU times when
# given; an empty A or B is a failed measurement, A "-" with B a note
# prints the note instead of a ratio.
FMT='%5s  %-52s %8s %8s %7s %7s %7s  %s'
rows=""
row() {
	size=$1 work=$2 a=$3 b=$4 target=$5 cpu=-
	[ $# -lt 7 ] || [ -z "$6" ] || [ -z "$7" ] || cpu=$(ratio "$6" "$7")
	if [ "$a" = - ]; then
		line=$(printf "$FMT" "$size" "$work" - - - - "$target" "$b")
	elif [ -z "$a" ] || [ -z "$b" ]; then
		line=$(printf "$FMT" "$size" "$work" - - - - "$target" "FAIL(no measurement)")
		status=1
	else
		r=$(ratio "$a" "$b")
		lim=${target#??}
		case $target in
		'<='*) le "$r" "$lim" && met=yes || met=no ;;
		*) le "$lim" "$r" && met=yes || met=no ;;
		esac
		[ "$met" = yes ] || status=1
		line=$(printf "$FMT" "$size" "$work" "$(sec "$a")" "$(sec "$b")" "$r" "$cpu" \
		    "$target" "$met")
	fi
	printf '%s\n' "$line" >&2
	rows="$rows$line
"
}

# The five values after the recipe, as reglookup prints them.
expected_lines() {
	printf '%s\n' \
	    "$PROFILES/Exchange/$GLOBAL/00036604,BINARY,%00%00%00%00," \
	    "$PROFILES/Exchange/$GLOBAL/00036606,BINARY,%00@%00%00," \
	    "$PROFILES/Exchange/$GLOBAL/0003661b,BINARY,%B8%0B%00%00," \
	    "$PROFILES/Exchange/$EMSAB/00036619,BINARY,%09%00%00%00," \
	    "$PROFILES/Exchange/$EMSAB/00036639,BINARY,%01%00%00%00," | sort
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

# check_apply H OUT: reglookup sees exactly the five changes between them.
check_apply() {
	check_values "$2" || return 0
	walk "$2" "$2.walk" || return 0
	LC_ALL=C comm -13 "$1.walk" "$2.walk" >"$D/changed"
	gone=$(LC_ALL=C comm -23 "$1.walk" "$2.walk" | wc -l)
	if ! expected_lines | cmp -s - "$D/changed" || [ "$gone" -ne 5 ]; then
		fail "$2: reglookup sees other changes than the five:"
		head -20 "$D/changed" >&2
	fi
	rm -f "$2.walk"
}

# The stamp of generated files: the sha256 of what made them, kept in
# FILE.gen.  Contents, not modification times: a fresh checkout's scripts are
# newer than every file made before, yet make the same bytes.
stamp() {
	cat "$@" | sha256sum | cut -d' ' -f1
}

# hive SIZE: the generated hive of SIZE MiB (made when missing or made by
# another mkbig.py), with its reglookup walk.
hive() {
	h=$BENCH_DIR/ntuser-$1M.dat
	want="$(stamp "$here/mkbig.py") $1"
	if [ ! -f "$h" ] || [ "$(cat "$h.gen" 2>/dev/null)" != "$want" ]; then
		note "generating $h"
		python3 "$here/mkbig.py" "$1" "$h" >&2
		printf '%s\n' "$want" >"$h.gen"
		rm -f "$h.walk"
	fi
	[ -f "$h.walk" ] || walk "$h" "$h.walk"
	printf '%s\n' "$h"
}

for size in "$@"; do
	H=$(hive "$size")
	D=$BENCH_DIR/run-$size
	rm -rf "$D"
	mkdir -p "$D"
	export H D
	cat "$H" >/dev/null # in the page cache, as for every tool

	# The result of apply, for the no-op --check.
	cp "$H" "$D/patched.dat"
	"$MAPIPROF" apply "$RECIPE" "$D/patched.dat" >/dev/null

	t_hivexsh=$(timeit --cpu "$D/hivexsh.cpu" -- hivexsh -f /dev/null "$H") || t_hivexsh=
	t_list=$(timeit --cpu "$D/list.cpu" --log "$D/list.log" -- "$MAPIPROF" list "$H") ||
		t_list=
	row "$size" "list / hivexsh open" "$t_list" "$t_hivexsh" "<=1.5" "$(cpu list)" \
	    "$(cpu hivexsh)"

	before=$(stat -c '%i %y %s' "$D/patched.dat")
	t_check=$(timeit --cpu "$D/check.cpu" --log "$D/check.log" -- \
	    "$MAPIPROF" apply --check "$RECIPE" "$D/patched.dat") || t_check=
	[ "$before" = "$(stat -c '%i %y %s' "$D/patched.dat")" ] ||
		fail "$size MiB: apply --check changed the file"
	row "$size" "apply --check (nothing to do) / hivexsh open" "$t_check" "$t_hivexsh" "<=1.5" \
	    "$(cpu check)" "$(cpu hivexsh)"

	t_nohash=$(timeit --cpu "$D/nohash.cpu" --log "$D/nohash.log" -- \
	    "$MAPIPROF" show --json --no-hash "$H") || t_nohash=
	t_rl=$(timeit --cpu "$D/rl.cpu" --log "$D/reglookup.log" -- \
	    reglookup -p "$PROFILES" "$H") || t_rl=
	row "$size" "reglookup -p Profiles / show --json --no-hash" "$t_rl" "$t_nohash" ">=3" \
	    "$(cpu rl)" "$(cpu nohash)"

	t_show=$(timeit --cpu "$D/show.cpu" --log "$D/show.log" -- "$MAPIPROF" show --json "$H") ||
		t_show=
	t_ossl=$(timeit --cpu "$D/ossl.cpu" --log "$D/openssl.log" -- openssl dgst -sha256 "$H") ||
		t_ossl=
	t_both=
	[ -n "$t_nohash" ] && [ -n "$t_ossl" ] &&
		t_both=$(awk -v a="$t_nohash" -v b="$t_ossl" 'BEGIN { printf "%.6f", a + b }')
	c_both=
	[ -z "$(cpu nohash)" ] || [ -z "$(cpu ossl)" ] || c_both=$(awk -v a="$(cpu nohash)" \
	    -v b="$(cpu ossl)" 'BEGIN { printf "%.6f", a + b }')
	row "$size" "show --json / (show --no-hash + openssl dgst)" "$t_show" "$t_both" "<=1.2" \
	    "$(cpu show)" "$c_both"
	want=$(sha256sum "$H" | cut -c1-64)
	"$MAPIPROF" show --json "$H" | grep -q "\"sha256\":\"$want\"" ||
		fail "$size MiB: show --json does not show sha256sum's hash"

	t_dd=$(timeit --prep 'rm -f "$D/dd.dat" && sync' --log "$D/dd.log" -- \
	    dd if="$H" of="$D/dd.dat" bs=4M conv=fsync) || t_dd=
	rm -f "$D/dd.dat"

	# apply and hivexregedit --merge in pairs, each on a fresh copy: the
	# target holds for every pair, not only for the best times.
	t_apply='' t_hx='' worst='' i=0
	while [ "$i" -lt "$RUNS" ]; do
		i=$((i + 1))
		a=$(python3 "$here/timeit.py" -n 1 --prep 'cp "$H" "$D/apply.dat" && sync' \
		    --log "$D/apply.log" -- "$MAPIPROF" apply "$RECIPE" "$D/apply.dat") || a=
		x=$(python3 "$here/timeit.py" -n 1 --prep 'cp "$H" "$D/hx.dat" && sync' \
		    --log "$D/hx.log" -- \
		    hivexregedit --merge --prefix HKEY_CURRENT_USER "$D/hx.dat" "$MERGE") || x=
		[ -n "$a" ] && [ -n "$x" ] || { t_apply='' t_hx=''; break; }
		t_apply=$(awk -v a="$a" -v b="${t_apply:-$a}" 'BEGIN { print (a < b) ? a : b }')
		t_hx=$(awk -v a="$x" -v b="${t_hx:-$x}" 'BEGIN { print (a < b) ? a : b }')
		r=$(ratio "$x" "$a")
		worst=$(awk -v a="$r" -v b="${worst:-$r}" 'BEGIN { print (a < b) ? a : b }')
	done
	row "$size" "apply / dd conv=fsync" "$t_apply" "$t_dd" "<=1.5"
	if [ -n "$t_apply" ]; then
		check_apply "$H" "$D/apply.dat"
		check_values "$D/hx.dat" || :
		# The worst pair, as a ratio of its own two times.
		line=$(printf "$FMT" "$size" "hivexregedit --merge / apply (worst of $RUNS pairs)" \
		    "$(sec "$t_hx")" "$(sec "$t_apply")" "$worst" - ">=4" \
		    "$(le 4 "$worst" && echo yes || echo no)")
		le 4 "$worst" || status=1
		printf '%s\n' "$line" >&2
		rows="$rows$line
"
		# What that row can reach here: an atomic apply writes and
		# flushes a whole copy, as dd does, and hivexregedit flushes
		# nothing.  No target: it describes the machine.
		if [ -n "$t_dd" ]; then
			line=$(printf "$FMT" "$size" "  bound: hivexregedit --merge / dd conv=fsync" \
			    "$(sec "$t_hx")" "$(sec "$t_dd")" "$(ratio "$t_hx" "$t_dd")" - - "(info)")
			printf '%s\n' "$line" >&2
			rows="$rows$line
"
		fi
	else
		row "$size" "hivexregedit --merge / apply (every pair)" "" "" ">=4"
	fi

	if [ "$in_place" = 1 ]; then
		t_ip=$(timeit --prep 'cp "$H" "$D/ip.dat" && sync' --log "$D/ip.log" -- \
		    "$MAPIPROF" apply --in-place "$RECIPE" "$D/ip.dat") || t_ip=
		[ -z "$t_ip" ] || check_apply "$H" "$D/ip.dat"
		row "$size" "apply --in-place / dd conv=fsync" "$t_ip" "$t_dd" "<=0.1"
	else
		row "$size" "apply --in-place / dd conv=fsync" - "option missing" "<=0.1"
		status=1
	fi
	[ "$KEEP" = 1 ] || rm -rf "$D"
done

# A whole-HKCU .reg export of a hive (bench/mkhkcu.py).
if [ "$REG" = 1 ]; then
	H=$(hive "$REG_HIVE_MIB")
	R=$BENCH_DIR/hkcu-${REG_HIVE_MIB}M.reg
	want="$(stamp "$here/mkhkcu.py") $(cat "$H.gen")"
	if [ ! -f "$R" ] || [ "$(cat "$R.gen" 2>/dev/null)" != "$want" ]; then
		note "generating $R"
		python3 "$here/mkhkcu.py" "$H" "$R"
		printf '%s\n' "$want" >"$R.gen"
	fi
	D=$BENCH_DIR/run-reg
	rm -rf "$D"
	mkdir -p "$D"
	export R D
	cat "$R" >/dev/null
	mib=$(($(stat -c %s "$R") / 1048576))
	t_ddr=$(python3 "$here/timeit.py" -n "$REG_RUNS" --prep 'rm -f "$D/dd.reg" && sync' \
	    --log "$D/dd.log" -- dd if="$R" of="$D/dd.reg" bs=4M conv=fsync) || t_ddr=
	rm -f "$D/dd.reg"
	t_applyr=$(python3 "$here/timeit.py" -n "$REG_RUNS" --rss "$D/apply.rss" \
	    --prep 'cp "$R" "$D/r.reg" && sync' --log "$D/apply.log" -- \
	    "$MAPIPROF" apply "$RECIPE" "$D/r.reg") || t_applyr=
	[ -z "$t_applyr" ] || check_values "$D/r.reg" || :
	row "reg" "apply on a ${mib} MiB whole-HKCU .reg / dd conv=fsync" "$t_applyr" "$t_ddr" "<=3"
	rm -f "$D/r.reg"
	python3 "$here/timeit.py" -n 1 --rss "$D/list.rss" --log "$D/list.log" -- \
	    "$MAPIPROF" list "$R" >/dev/null || :
	limit=$(($(stat -c %s "$R") / 1024 + 65536))
	for cmd in apply list; do
		kib=$(cat "$D/$cmd.rss" 2>/dev/null || echo 0)
		met=yes
		[ "$kib" -gt 0 ] && [ "$kib" -le "$limit" ] || { met=no; status=1; }
		line=$(printf "$FMT" reg "$cmd: peak RSS MiB / (file + 64 MiB)" "$((kib / 1024))" \
		    "$((limit / 1024))" "$(ratio "$kib" "$limit")" - "<=1" "$met")
		printf '%s\n' "$line" >&2
		rows="$rows$line
"
	done
	[ "$KEEP" = 1 ] || rm -rf "$D"
fi

printf '\n# %s, %s cores (%s), %s, %s on %s, best of %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo ?)" \
    "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -1)" \
    "$(uname -sr)" "$("$MAPIPROF" --version 2>/dev/null | head -1)" \
    "$(df --output=fstype "$BENCH_DIR" 2>/dev/null | tail -1)" "$RUNS"
printf "$FMT\n" MiB "ratio A / B (wall clock; cpu: of the CPU times)" A_s B_s ratio cpu \
    target met
printf '%s' "$rows"
exit "$status"
