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
