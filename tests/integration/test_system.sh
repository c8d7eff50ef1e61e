# info, version, help, global flags, storage drivers, system reset and the
# default store location.
# shellcheck shell=bash

test_system_info_rootless_flag() {
  run burrow info -f '{{.host.security.rootless}}'
  assert_status 0
  if is_rootless; then assert_eq "$output" "true"; else assert_eq "$output" "false"; fi
}

test_system_info_store_paths() {
  run burrow info -f '{{.store.graphRoot}} {{.store.runRoot}}'
  assert_status 0
  assert_eq "$output" "$STORE/root $STORE/run"
}

test_system_info_default_output() {
  run burrow info
  assert_status 0
  assert_contains "$output" "graphRoot: $STORE/root"
  assert_contains "$output" "runRoot: $STORE/run"
  assert_contains "$output" "rootless:"
  run burrow system info -f '{{.store.graphRoot}}'
  assert_status 0
  assert_eq "$output" "$STORE/root"
}

test_system_info_json_is_valid() {
  fresh_store
  load_busybox
  run burrow info -f json
  assert_status 0
  python3 -m json.tool <<<"$output" >/dev/null || fail "info -f json is not JSON: $output"
  python3 -c '
import json, sys
info = json.loads(sys.argv[1])
assert info["store"]["graphRoot"] == sys.argv[2], info["store"]
assert info["store"]["imageStore"]["number"] == 1, info["store"]
assert info["host"]["security"]["rootless"] == (sys.argv[3] == "rootless"), info["host"]
assert info["host"]["os"] == "linux", info["host"]
' "$output" "$STORE/root" "$BURROW_MODE" || fail "unexpected info: $output"
}

test_system_info_id_mappings_rootless() {
  is_rootless || skip "rootless only: root has no id mappings"
  run burrow info -f json
  python3 -c '
import json, sys
maps = json.loads(sys.argv[1])["host"]["idMappings"]["uidmap"]
assert maps[0] == {"container_id": 0, "host_id": int(sys.argv[2]), "size": 1}, maps
assert maps[1]["container_id"] == 1 and maps[1]["size"] > 0, maps
' "$output" "$(id -u)" || fail "unexpected idMappings: $output"
}

test_system_version() {
  run burrow version
  assert_status 0
  assert_match "$output" 'Version: +[0-9]+\.[0-9]+\.[0-9]+'
  assert_contains "$output" "OS/Arch:      linux/"
  run burrow version -f '{{.Client.Version}}'
  assert_status 0
  assert_match "$output" '^[0-9]+\.[0-9]+\.[0-9]+$'
}

test_system_help_on_every_command() {
  local cmd
  for cmd in "" images rmi tag inspect load import run info version system "system info" \
    "system reset" image "image ls" "image list" "image inspect" "image tag" "image rm" \
    "image load" "image import"; do
    # shellcheck disable=SC2086 # the command words are meant to split
    run burrow $cmd --help
    assert_status 0
    assert_contains "$output" "Usage:"
  done
}

test_system_unknown_command_fails() {
  run burrow no-such-command
  assert_status 125
  assert_contains "$output" "Error:"
}

test_system_no_command_fails() {
  run burrow
  assert_status 125
  assert_contains "$output" "Error:"
}

test_system_unknown_flag_fails() {
  run burrow images --no-such-flag
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow --no-such-global-flag images
  assert_status 125
  assert_contains "$output" "Error:"
}

test_system_bogus_log_level_fails() {
  run burrow --log-level bogus images
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "bogus"
}

test_system_log_level_debug_works() {
  run burrow --log-level debug images -q
  assert_status 0
  assert_contains "$output" "$(burrow images -q)"
}

test_system_vfs_driver_runs_container() {
  fresh_store
  burrow --storage-driver vfs load -i "$BURROW_IMAGE_TAR" >/dev/null
  run burrow --storage-driver vfs run --rm localhost/busybox sh -c 'echo vfs >/file && cat /file'
  assert_status 0
  assert_eq "$output" "vfs"
  run burrow --storage-driver vfs info -f '{{.store.graphDriverName}}'
  assert_eq "$output" "vfs"
}

test_system_fuse_overlayfs_driver_runs_container() {
  command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
  [ -w /dev/fuse ] || skip "/dev/fuse is not usable"
  fresh_store
  burrow --storage-driver fuse-overlayfs load -i "$BURROW_IMAGE_TAR" >/dev/null
  run burrow --storage-driver fuse-overlayfs run --rm localhost/busybox sh -c 'echo fuse >/file && cat /file'
  assert_status 0
  assert_eq "$output" "fuse"
}

test_system_unknown_storage_driver_fails() {
  run burrow --storage-driver bogus info
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "bogus"
  run burrow --storage-driver bogus run --rm localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error:"
}

test_system_reset_removes_everything() {
  fresh_store
  load_busybox
  burrow run --name before-reset localhost/busybox true
  run burrow system reset -f
  assert_status 0
  if [ -d "$STORE/root" ] && [ -n "$(ls -A "$STORE/root")" ]; then
    fail "the graph root still holds: $(ls -A "$STORE/root")"
  fi
  if [ -d "$STORE/run" ] && [ -n "$(ls -A "$STORE/run")" ]; then
    fail "the run root still holds: $(ls -A "$STORE/run")"
  fi
  run burrow images -q
  assert_status 0
  assert_eq "$output" ""
  load_busybox
  run burrow run --rm localhost/busybox echo after-reset
  assert_eq "$output" "after-reset"
}

test_system_reset_asks_first() {
  fresh_store
  load_busybox
  run burrow system reset <<<"n"
  assert_status 0
  assert_contains "$output" "Are you sure"
  run burrow images -q
  assert_eq "$(count_lines "$output")" 1
}

test_system_reset_on_empty_store() {
  fresh_store
  run burrow system reset -f
  assert_status 0
  run burrow images -q
  assert_status 0
  assert_eq "$output" ""
}

# Runs the binary without --root/--runroot, with HOME and the XDG variables
# pointing into $fake_home.
burrow_default_store() {
  env -u XDG_DATA_HOME HOME="$fake_home" XDG_RUNTIME_DIR="$fake_home/run" "$BURROW_BIN" "$@"
}

test_system_default_store_rootless() {
  is_rootless || skip "needs rootless: root's default store is /var/lib/burrow, the host's own"
  fake_home=$(mktemp -d "$BURROW_WORK/home.XXXXXX")
  mkdir -m 0700 "$fake_home/run"
  trap 'burrow_default_store system reset -f >/dev/null 2>&1 || true' EXIT
  run burrow_default_store info -f '{{.store.graphRoot}} {{.store.runRoot}}'
  assert_status 0
  assert_eq "$output" "$fake_home/.local/share/burrow $fake_home/run/burrow"
  burrow_default_store load -i "$BURROW_IMAGE_TAR" >/dev/null
  run burrow_default_store run --rm localhost/busybox echo default-store
  assert_eq "$output" "default-store"
  run burrow_default_store system reset -f
  assert_status 0
  [ ! -e "$fake_home/.local/share/burrow" ] || [ -z "$(ls -A "$fake_home/.local/share/burrow")" ] ||
    fail "system reset left files in the default graph root"
}

test_system_default_store_follows_xdg_data_home() {
  is_rootless || skip "needs rootless: root's default store is /var/lib/burrow, the host's own"
  fake_home=$(mktemp -d "$BURROW_WORK/home.XXXXXX")
  mkdir -m 0700 "$fake_home/run"
  xdg_data=$fake_home/xdg-data
  trap 'env XDG_DATA_HOME="$xdg_data" HOME="$fake_home" XDG_RUNTIME_DIR="$fake_home/run" \
    "$BURROW_BIN" system reset -f >/dev/null 2>&1 || true' EXIT
  run env XDG_DATA_HOME="$xdg_data" HOME="$fake_home" XDG_RUNTIME_DIR="$fake_home/run" \
    "$BURROW_BIN" info -f '{{.store.graphRoot}}'
  assert_status 0
  assert_eq "$output" "$xdg_data/burrow"
}

test_system_concurrent_loads() {
  fresh_store
  local i pids=()
  for i in 1 2 3; do
    "$BURROW_BIN" --root "$STORE/root" --runroot "$STORE/run" load -i "$BURROW_IMAGE_TAR" \
      >"$BURROW_WORK/concurrent-load.$$.$i" 2>&1 &
    pids+=($!)
  done
  for i in 0 1 2; do
    wait "${pids[$i]}" || fail "load $i failed: $(cat "$BURROW_WORK/concurrent-load.$$.$((i + 1))")"
  done
  run burrow images -q
  assert_eq "$(count_lines "$output")" 1
  run burrow run --rm localhost/busybox echo ok
  assert_eq "$output" "ok"
}

test_system_concurrent_runs() {
  local i pids=()
  for i in 1 2 3; do
    "$BURROW_BIN" --root "$STORE/root" --runroot "$STORE/run" run --rm localhost/busybox \
      echo "run-$i" >"$BURROW_WORK/concurrent-run.$$.$i" 2>&1 &
    pids+=($!)
  done
  for i in 1 2 3; do
    wait "${pids[$((i - 1))]}" || fail "run $i failed: $(cat "$BURROW_WORK/concurrent-run.$$.$i")"
    assert_eq "$(cat "$BURROW_WORK/concurrent-run.$$.$i")" "run-$i"
  done
}
