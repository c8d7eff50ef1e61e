# Helpers for the integration tests. Each test is a function test_* run in
# a subshell with `set -e`; a failed assertion prints why and exits 1;
# `skip REASON` exits 77.

# The store the `burrow` function uses.
use_store() {
  STORE=$1
  mkdir -p "$STORE"
}

burrow() {
  "$BURROW_BIN" --root "$STORE/root" --runroot "$STORE/run" "$@"
}

# burrow_background ARGS...: the binary itself in the background, not a
# subshell running the function, so that $! is the CLI's own pid and
# killing it ends the command.
burrow_background() {
  "$BURROW_BIN" --root "$STORE/root" --runroot "$STORE/run" "$@" &
}

# A private, empty store for tests that count or break things.
fresh_store() {
  use_store "$(mktemp -d "$BURROW_WORK/store.XXXXXX")"
}

reset_store() {
  [ -d "$1" ] || return 0
  "$BURROW_BIN" --root "$1/root" --runroot "$1/run" system reset --force >/dev/null 2>&1 || true
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

skip() {
  echo "$*"
  exit 77
}

# eventually EXPECTED CMD...: polls (up to about 20 s) until CMD prints
# exactly EXPECTED, for what the container or its monitor does on its own.
eventually() {
  local expected=$1 i
  shift
  for i in $(seq 200); do
    run "$@"
    [ "$output" = "$expected" ] && return 0
    sleep 0.1
  done
  fail "expected [$expected] from [$*], last got [$output]"
}

# run CMD...: sets $status and $output (stdout and stderr) without failing.
run() {
  set +e
  output=$("$@" 2>&1)
  status=$?
  set -e
}

assert_status() {
  [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status; output: $output"
}

assert_eq() {
  [ "$1" = "$2" ] || fail "expected [$2], got [$1]"
}

assert_contains() {
  [[ "$1" == *"$2"* ]] || fail "expected output to contain [$2]; output: $1"
}

assert_not_contains() {
  [[ "$1" != *"$2"* ]] || fail "expected output not to contain [$2]; output: $1"
}

is_rootless() { [ "$BURROW_MODE" = rootless ]; }

# The value of KEY from burrow-probe's key=value output in $output.
probe_value() {
  grep -m1 "^$1=" <<<"$output" | cut -d= -f2-
}

assert_match() {
  [[ "$1" =~ $2 ]] || fail "expected output to match /$2/; output: $1"
}

# Loads the docker-archive test image into the current store.
load_busybox() {
  burrow load -i "$BURROW_IMAGE_TAR" >/dev/null
}

# Number of lines in $1 (0 for an empty string).
count_lines() {
  if [ -z "$1" ]; then echo 0; else wc -l <<<"$1" | tr -d ' '; fi
}

# A minimal busybox root file system in directory $1 (busybox, sh, a few
# applets, /etc/passwd), from the host's static busybox.
make_busybox_rootfs() {
  local root=$1 applet
  mkdir -p "$root/bin" "$root/etc" "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in sh echo cat ls id true false; do ln -s busybox "$root/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
}

# The entries under the store's layers/, tmp/ and blobs/sha256/ directories,
# one "dir/name" a line: what a failed command must not leave behind.
store_entries() {
  local dir
  for dir in layers tmp blobs/sha256; do
    [ -d "$STORE/root/$dir" ] || continue
    (cd "$STORE/root/$dir" && find . -mindepth 1 -maxdepth 1 | sed "s|^\.|$dir|")
  done | sort
}
