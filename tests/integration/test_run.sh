# burrow run: commands, exit codes, environment, users, mounts, networks
# and signals.
# shellcheck shell=bash

test_run_echo_hello() {
  run burrow run --rm localhost/busybox echo hello
  assert_status 0
  assert_eq "$output" "hello"
}

test_run_interactive_stdin() {
  run burrow run --rm -i localhost/busybox sh -c 'read x; echo "got $x"' <<<42
  assert_status 0
  assert_eq "$output" "got 42"
}

test_run_without_interactive_stdin_is_empty() {
  run burrow run --rm localhost/busybox sh -c 'cat; echo end' <<<"should-not-arrive"
  assert_status 0
  assert_eq "$output" "end"
}

test_run_exit_code_propagates() {
  run burrow run --rm localhost/busybox sh -c 'exit 3'
  assert_status 3
}

test_run_missing_command_is_127() {
  run burrow run --rm localhost/busybox no-such-command
  assert_status 127
  assert_contains "$output" "Error:"
  assert_contains "$output" "no-such-command"
}

test_run_not_executable_is_126() {
  run burrow run --rm localhost/busybox /etc/passwd
  assert_status 126
  assert_contains "$output" "Error:"
  assert_contains "$output" "/etc/passwd"
}

test_run_env_flag() {
  run burrow run --rm -e A=1 -e B="two words" localhost/busybox sh -c 'echo "$A|$B"'
  assert_status 0
  assert_eq "$output" "1|two words"
}

test_run_env_from_host() {
  export BURROW_TEST_FROM_HOST=host-value
  run burrow run --rm -e BURROW_TEST_FROM_HOST localhost/busybox sh -c 'echo "$BURROW_TEST_FROM_HOST"'
  assert_status 0
  assert_eq "$output" "host-value"
}

test_run_env_unset_host_variable_is_left_out() {
  unset BURROW_TEST_NOT_SET
  run burrow run --rm -e BURROW_TEST_NOT_SET localhost/busybox sh -c 'env | grep -c BURROW_TEST_NOT_SET || true'
  assert_status 0
  assert_eq "$output" "0"
}

test_run_env_file() {
  local file=$BURROW_WORK/env.$$
  printf '# a comment\nFROM_FILE=yes\n\nSECOND=2\n' >"$file"
  run burrow run --rm --env-file "$file" -e SECOND=override localhost/busybox sh -c 'echo "$FROM_FILE $SECOND"'
  assert_status 0
  assert_eq "$output" "yes override"
}

test_run_image_env_is_set() {
  run burrow run --rm localhost/busybox sh -c 'echo "$PATH"'
  assert_eq "$output" "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

test_run_workdir() {
  run burrow run --rm -w /tmp localhost/busybox pwd
  assert_status 0
  assert_eq "$output" "/tmp"
}

test_run_workdir_created_when_missing() {
  run burrow run --rm -w /new/dir localhost/busybox pwd
  assert_status 0
  assert_eq "$output" "/new/dir"
}

test_run_user_numeric() {
  run burrow run --rm -u 1000:1000 localhost/busybox id
  assert_status 0
  assert_eq "$output" "uid=1000 gid=1000"
}

test_run_user_name_from_image_passwd() {
  run burrow run --rm -u nobody localhost/busybox id
  assert_status 0
  assert_eq "$output" "uid=65534(nobody) gid=65534(nogroup)"
}

test_run_user_and_group_names() {
  run burrow run --rm -u daemon:nogroup localhost/busybox id
  assert_status 0
  assert_eq "$output" "uid=1(daemon) gid=65534(nogroup)"
}

test_run_unknown_user_fails() {
  run burrow run --rm -u no-such-user localhost/busybox id
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "unable to find user no-such-user"
}

test_run_unknown_group_fails() {
  run burrow run --rm -u root:no-such-group localhost/busybox id
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "no-such-group"
}

test_run_hostname() {
  run burrow run --rm --hostname box localhost/busybox hostname
  assert_status 0
  assert_eq "$output" "box"
  run burrow run --rm -h box2 localhost/busybox cat /etc/hostname
  assert_eq "$output" "box2"
}

test_run_default_hostname_is_not_host() {
  run burrow run --rm localhost/busybox hostname
  assert_status 0
  assert_match "$output" '^[0-9a-f]{12}$'
}

test_run_read_only_root() {
  run burrow run --rm --read-only localhost/busybox burrow-probe write /newfile
  assert_status 1
  assert_eq "$output" "write=EROFS"
  run burrow run --rm --read-only localhost/busybox burrow-probe
  assert_eq "$(probe_value root_readonly)" "1"
}

# GAP (reported to the lead): Podman's --read-only defaults to
# --read-only-tmpfs=true and mounts tmpfs on /tmp, /run and /var/tmp; burrow
# mounts nothing there, so writes to /tmp fail with EROFS. Rename this to
# test_run_read_only_has_writable_tmpfs once engine/spec_build.cpp adds them.
test_run_read_only_has_writable_tmpfs() {
  local dir
  for dir in /tmp /run /var/tmp; do
    run burrow run --rm --read-only localhost/busybox burrow-probe write "$dir/file"
    assert_status 0
    assert_eq "$output" "write=ok"
  done
}

# GAP (reported to the lead): with -t Podman gives the container a
# pseudo-terminal even when burrow's own stdin is not one; burrow passes its
# stdio through, so `tty` says "not a tty". Rename to test_run_tty_allocates_pty
# once run -t allocates one.
gap_run_tty_allocates_pty() {
  run burrow run --rm -t localhost/busybox tty
  assert_status 0
  assert_match "$output" '^/dev/pts/[0-9]+'
}

test_run_root_is_writable_by_default() {
  run burrow run --rm localhost/busybox sh -c 'echo data >/newfile && cat /newfile'
  assert_status 0
  assert_eq "$output" "data"
}

test_run_container_writes_do_not_reach_the_image() {
  burrow run --rm localhost/busybox sh -c 'echo changed >/etc/motd-test'
  run burrow run --rm localhost/busybox cat /etc/motd-test
  assert_status 1
}

test_run_volume_read_only() {
  local dir=$BURROW_WORK/vol-ro.$$
  mkdir -p "$dir"
  echo from-host >"$dir/file"
  run burrow run --rm -v "$dir:/data:ro" localhost/busybox cat /data/file
  assert_status 0
  assert_eq "$output" "from-host"
  run burrow run --rm -v "$dir:/data:ro" localhost/busybox burrow-probe write /data/new
  assert_status 1
  assert_eq "$output" "write=EROFS"
  [ ! -e "$dir/new" ] || fail "a write to a read-only volume reached the host"
}

test_run_volume_write_lands_on_host() {
  local dir=$BURROW_WORK/vol-rw.$$
  mkdir -p "$dir"
  run burrow run --rm -v "$dir:/data" localhost/busybox sh -c 'echo from-container >/data/out'
  assert_status 0
  assert_eq "$(cat "$dir/out")" "from-container"
}

test_run_volume_relative_source() {
  local dir=$BURROW_WORK/vol-rel.$$
  mkdir -p "$dir/sub"
  echo relative >"$dir/sub/file"
  run sh -c "cd '$dir' && '$BURROW_BIN' --root '$STORE/root' --runroot '$STORE/run' \
    run --rm -v ./sub:/data localhost/busybox cat /data/file"
  assert_status 0
  assert_eq "$output" "relative"
}

test_run_volume_missing_source_fails() {
  run burrow run --rm -v "$BURROW_WORK/does-not-exist:/data" localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "does-not-exist"
}

test_run_volume_relative_destination_fails() {
  run burrow run --rm -v "$BURROW_WORK:data" localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error:"
}

test_run_default_cmd() {
  # The image's CMD is ["sh"]: it reads the script from stdin.
  run burrow run --rm -i localhost/busybox <<<'echo default-cmd'
  assert_status 0
  assert_eq "$output" "default-cmd"
}

test_run_entrypoint_override() {
  run burrow run --rm --entrypoint /bin/echo localhost/busybox from entrypoint
  assert_status 0
  assert_eq "$output" "from entrypoint"
}

test_run_entrypoint_json_form() {
  run burrow run --rm --entrypoint '["/bin/sh","-c"]' localhost/busybox 'echo json-entry'
  assert_status 0
  assert_eq "$output" "json-entry"
}

test_run_pid_is_one() {
  run burrow run --rm localhost/busybox burrow-probe
  assert_status 0
  assert_eq "$(probe_value pid)" "1"
}

test_run_probe_exit_code() {
  run burrow run --rm localhost/busybox burrow-probe exit 7
  assert_status 7
  assert_eq "$(probe_value pid)" "1"
}

test_run_rm_removes_the_container() {
  fresh_store
  load_busybox
  burrow run --rm localhost/busybox true
  run burrow info -f '{{.store.containerStore.number}}'
  assert_eq "$output" "0"
  burrow run localhost/busybox true
  run burrow info -f '{{.store.containerStore.number}}'
  assert_eq "$output" "1"
  assert_eq "$(find "$STORE/root/containers" -mindepth 1 -maxdepth 1 | wc -l)" "1"
}

test_run_rm_removes_the_container_after_failure() {
  fresh_store
  load_busybox
  run burrow run --rm localhost/busybox sh -c 'exit 5'
  assert_status 5
  run burrow run --rm localhost/busybox no-such-command
  assert_status 127
  run burrow info -f '{{.store.containerStore.number}}'
  assert_eq "$output" "0"
  assert_eq "$(find "$STORE/root/containers" -mindepth 1 -maxdepth 1 | wc -l)" "0"
}

test_run_duplicate_name_fails() {
  run burrow run --name dup-name localhost/busybox true
  assert_status 0
  run burrow run --name dup-name localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "already in use"
}

test_run_name_is_free_again_after_rm() {
  run burrow run --rm --name reusable localhost/busybox true
  assert_status 0
  run burrow run --rm --name reusable localhost/busybox true
  assert_status 0
}

test_run_network_none_has_only_lo() {
  run burrow run --rm --network none localhost/busybox sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"
  assert_status 0
  assert_eq "$output" "lo"
}

test_run_network_host_sees_host_interfaces() {
  local host_ifaces
  host_ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort)
  [ "$host_ifaces" != lo ] || skip "the host has no interface besides lo to compare"
  run burrow run --rm --network host localhost/busybox sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"
  assert_status 0
  assert_eq "$(sort <<<"$output")" "$host_ifaces"
}

test_run_network_unsupported_mode_fails() {
  run burrow run --rm --network no-such-mode localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error:"
}

test_run_etc_hosts_has_hostname() {
  run burrow run --rm --hostname hostsbox localhost/busybox cat /etc/hosts
  assert_status 0
  assert_contains "$output" "hostsbox"
  assert_contains "$output" "localhost"
}

test_run_unknown_image_fails() {
  run burrow run --rm localhost/no-such-image true
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "no-such-image"
}

test_run_unknown_flag_fails() {
  run burrow run --no-such-flag localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error:"
}

# Starts `burrow run` in the background (not through a shell function, so
# that $! is burrow itself) with output to $1; sets $bg_pid.
start_background_run() {
  local out=$1
  shift
  burrow_background run --rm "$@" >"$out" 2>&1
  bg_pid=$!
}

# Waits (bounded) until file $1 contains $2.
wait_for_output() {
  local _
  for _ in $(seq 1 600); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$bg_pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "never saw [$2] in the output: $(cat "$1")"
}

signal_forwarding_case() {
  local signal=$1 code=$2 out=$BURROW_WORK/signal-$1.$$
  start_background_run "$out" localhost/busybox sh -c \
    "trap 'echo caught-$signal; exit $code' $signal; echo ready; while :; do sleep 0.1; done"
  wait_for_output "$out" ready
  kill "-$signal" "$bg_pid"
  local _
  for _ in $(seq 1 600); do
    kill -0 "$bg_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$bg_pid" 2>/dev/null; then
    kill -KILL "$bg_pid"
    fail "burrow run was still running after SIG$signal: $(cat "$out")"
  fi
  set +e
  wait "$bg_pid"
  status=$?
  set -e
  output=$(cat "$out")
  assert_status "$code"
  assert_contains "$output" "caught-$signal"
}

test_run_forwards_sigterm() {
  signal_forwarding_case TERM 42
}

test_run_forwards_sigint() {
  signal_forwarding_case INT 43
}

test_run_forwards_sighup() {
  signal_forwarding_case HUP 44
}
