#!/usr/bin/env bash
# A small end-to-end run of a sanitized warpsynth (make test-sanitize): generate with compile
# verification, the same command again (resume), a SIGTERM in mid-run and its resume (not SIGINT: a background job of a script ignores it), extract of a
# folder with good and bad files, verify and stats. Any AddressSanitizer, LeakSanitizer or
# UndefinedBehaviorSanitizer report fails it (their own exit codes, and their text on stderr).
set -u
BIN=${1:?usage: tests/sanitize/e2e.sh path/to/sanitized/warpsynth}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=87}
export WARPSYNTH_CACHE_DIR="$WORK/cache"
failed=0

# step NAME EXPECTED_EXIT_CODES COMMAND...: runs it, keeps its stderr, checks code and reports.
step() {
  local name=$1 expected=$2
  shift 2
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  local rc=$?
  if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$WORK/$name.err" || [[ " $expected " != *" $rc "* ]]; then
    echo "FAILED $name: exit $rc (expected $expected)"
    grep -E -A20 "ERROR: (Address|Leak)Sanitizer|runtime error:" "$WORK/$name.err" | head -40
    tail -5 "$WORK/$name.err"
    failed=1
  else
    echo "ok     $name (exit $rc)"
  fi
}

step generate "0" "$BIN" generate --count 40 --shard-size 10 --batch 5 --jobs 2 --seed 3 --verify compile --out "$WORK/gen" -q
step resume "0" "$BIN" generate --count 40 --shard-size 10 --batch 5 --jobs 2 --seed 3 --verify compile --out "$WORK/gen" -q

"$BIN" generate --count 100 --shard-size 10 --batch 5 --jobs 2 --seed 4 --verify compile --out "$WORK/killed" -q >/dev/null 2>"$WORK/killed.err" &
pid=$!
sleep 3
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$WORK/killed.err" || [ "$rc" -eq 86 ] || [ "$rc" -eq 87 ]; then
  echo "FAILED interrupt: exit $rc"; tail -20 "$WORK/killed.err"; failed=1
else
  echo "ok     interrupt (exit $rc, $(ls "$WORK/killed" | grep -c "^kernels-") of 10 shards written)"
fi
step resume-after-interrupt "0" "$BIN" generate --count 100 --shard-size 10 --batch 5 --jobs 2 --seed 4 --verify compile --out "$WORK/killed" -q

mkdir -p "$WORK/src"
printf 'import warp as wp\n\n@wp.kernel\ndef good(x: wp.array(dtype=float)):\n    x[wp.tid()] = 1.0\n' >"$WORK/src/good.py"
printf 'def broken(:\n' >"$WORK/src/syntax.py"
printf 'import os\nos._exit(3)\n' >"$WORK/src/exits.py"
printf '\xef\xbb\xbfimport warp as wp\n' >"$WORK/src/bom.py"
printf 'import warp as wp\n' >"$WORK/src/$(printf 'bad\xffname').py"
step extract "1" "$BIN" extract "$WORK/src" --out "$WORK/ext" --jobs 2 -q
step verify "0 1" "$BIN" verify "$WORK/gen" --level run --out "$WORK/verified" --jobs 2
step stats "0" "$BIN" stats "$WORK/gen"
step stats-extracted "0" "$BIN" stats "$WORK/ext"
step bad-option "2" "$BIN" generate --count 4 --seed -1 --out "$WORK/never"

exit $failed
