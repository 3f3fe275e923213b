#!/bin/sh
# bench/wim.sh - time `mapiprof apply --image golden.wim` on a WIM of at
# least 1 GiB holding two user hives with an Exchange profile (and a
# profile-less Default hive), against the four-tool wimlib route of the
# same change: wimextract the hives, mapiprof apply on the copies,
# wimupdate them back (in wimupdate's default append mode, and with
# --rebuild, the crash-safe mode mapiprof uses).  Checks that every route
# leaves the five values of the recipe in both hives and that wimverify
# passes.  See bench/README.md.
#
# usage: bench/wim.sh [FILLER_MIB]          (default: 1024)
# environment: MAPIPROF  the CLI to test (default: build/src/cli/mapiprof)
#              BENCH_DIR work directory (default: ${TMPDIR:-/tmp}/mapiprof-bench)
#              RUNS      runs per measurement, best taken (default: 3)
#              HIVE_MIB  size of each user hive (bench/mkbig.py; default 64)
# Exit status: 0 when every check passed, 1 otherwise.

# The --prep commands are expanded by timeit.py's shell (D is exported).
# shellcheck disable=SC2016
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
MAPIPROF=${MAPIPROF:-$root/build/src/cli/mapiprof}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/mapiprof-bench}
RUNS=${RUNS:-3}
HIVE_MIB=${HIVE_MIB:-64}
FILLER_MIB=${1:-1024}
RECIPE=exchange2007-gc-referral
# The profile-less Default hive: the build's fixture next to the CLI.
NOPROF=${NOPROF:-$(dirname "$MAPIPROF")/../../fixtures/no-profiles.dat}

status=0
note() { printf '%s\n' "$*" >&2; }
fail() { note "FAIL: $*"; status=1; }

for tool in python3 wimcapture wimextract wimupdate wimverify wiminfo; do
	command -v "$tool" >/dev/null 2>&1 || { note "wim.sh: $tool not found (Debian: wimtools)"; exit 1; }
done
[ -x "$MAPIPROF" ] || { note "wim.sh: $MAPIPROF: not executable"; exit 1; }

D=$BENCH_DIR/wim
export D MAPIPROF RECIPE
mkdir -p "$D"
timeit() { python3 "$here/timeit.py" -n "$RUNS" "$@"; }
sec() { awk -v s="$1" 'BEGIN { printf "%.2f", s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

# The golden image: made once, kept while the sizes and mkbig.py match.
golden=$D/golden-$FILLER_MIB-$HIVE_MIB.wim
if [ ! -f "$golden" ] || [ "$here/mkbig.py" -nt "$golden" ]; then
	note "wim.sh: building $golden (${FILLER_MIB} MiB filler, two ${HIVE_MIB} MiB hives)"
	tree=$D/tree
	rm -rf "$tree"
	mkdir -p "$tree/Users/Default" "$tree/Users/alice" "$tree/Users/bob" "$tree/Windows"
	python3 "$here/mkbig.py" "$HIVE_MIB" "$tree/Users/alice/NTUSER.DAT" >/dev/null
	cp "$tree/Users/alice/NTUSER.DAT" "$tree/Users/bob/NTUSER.DAT"
	: >"$tree/Users/alice/NTUSER.DAT.LOG1"
	: >"$tree/Users/alice/NTUSER.DAT.LOG2"
	cp "$NOPROF" "$tree/Users/Default/NTUSER.DAT"
	# Incompressible, as most of a real image's bytes are already packed.
	head -c "$((FILLER_MIB * 1024 * 1024))" /dev/urandom >"$tree/Windows/filler.bin"
	wimcapture "$tree" "$golden.tmp" Golden --compress=none >/dev/null
	mv "$golden.tmp" "$golden"
	rm -rf "$tree"
fi
size=$(stat -c %s "$golden")
note "wim.sh: $golden: $((size / 1048576)) MiB"
[ "$size" -ge $((1024 * 1024 * 1024)) ] || note "wim.sh: note: the WIM is under 1 GiB"

# check WIM: both hives hold the recipe's values (none would change) and
# the archive verifies.
check() {
	wimverify "$1" >/dev/null 2>&1 || fail "$2: wimverify $1"
	"$MAPIPROF" apply --check --image "$1" "$RECIPE" /Users/alice/NTUSER.DAT \
	    /Users/bob/NTUSER.DAT >/dev/null 2>&1 || fail "$2: the recipe is not in both hives"
}

# (a) one call.
t_a=$(timeit --prep 'cp "'"$golden"'" "$D/a.wim" && sync' --log "$D/a.log" -- \
    "$MAPIPROF" apply --image "$D/a.wim" "$RECIPE")
check "$D/a.wim" "apply --image"
rm -f "$D/a.wim.bak"

# (b) the four-tool route: extract, apply, put back (append), and (c) the
# same with wimupdate --rebuild.
cat >"$D/four.sh" <<'EOF'
#!/bin/sh
set -eu
w=$1
shift
x=$D/x
rm -rf "$x"
mkdir -p "$x/alice" "$x/bob"
wimextract "$w" 1 /Users/alice/NTUSER.DAT --dest-dir="$x/alice" --no-acls >/dev/null
wimextract "$w" 1 /Users/bob/NTUSER.DAT --dest-dir="$x/bob" --no-acls >/dev/null
"$MAPIPROF" apply "$RECIPE" "$x/alice/NTUSER.DAT" "$x/bob/NTUSER.DAT" >/dev/null
printf 'add %s /Users/alice/NTUSER.DAT\nadd %s /Users/bob/NTUSER.DAT\n' \
    "$x/alice/NTUSER.DAT" "$x/bob/NTUSER.DAT" | wimupdate "$w" 1 "$@" >/dev/null
EOF
chmod +x "$D/four.sh"
t_b=$(timeit --prep 'cp "'"$golden"'" "$D/b.wim" && sync' --log "$D/b.log" -- \
    "$D/four.sh" "$D/b.wim")
check "$D/b.wim" "four tools (append)"
t_c=$(timeit --prep 'cp "'"$golden"'" "$D/c.wim" && sync' --log "$D/c.log" -- \
    "$D/four.sh" "$D/c.wim" --rebuild)
check "$D/c.wim" "four tools (--rebuild)"

# (d) nothing to change: the second run reads and writes nothing back.
t_d=$(timeit --log "$D/d.log" -- "$MAPIPROF" apply --image "$D/a.wim" "$RECIPE")

printf '%-34s %10s %8s\n' "route (WIM $((size / 1048576)) MiB)" "seconds" "vs (a)"
printf '%-34s %10s %8s\n' "(a) apply --image (rebuild)" "$(sec "$t_a")" "1.00"
printf '%-34s %10s %8s\n' "(b) wimextract+apply+wimupdate" "$(sec "$t_b")" "$(ratio "$t_b" "$t_a")"
printf '%-34s %10s %8s\n' "(c) the same, wimupdate --rebuild" "$(sec "$t_c")" "$(ratio "$t_c" "$t_a")"
printf '%-34s %10s %8s\n' "(d) apply --image, nothing to do" "$(sec "$t_d")" "$(ratio "$t_d" "$t_a")"
rm -f "$D/a.wim" "$D/b.wim" "$D/c.wim"
rm -rf "$D/x"
exit "$status"
