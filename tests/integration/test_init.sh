# --init: catatonit as the container's pid 1.
# shellcheck shell=bash

test_init_runs_the_command_under_an_init() {
  fresh_store
  load_busybox
  run burrow run --rm --init localhost/busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo "me $$"'
  assert_status 0
  assert_eq "$output" $'/run/burrow-init -- sh -c cat /proc/1/cmdline | tr "\\0" " "; echo; echo "me $$" \nme 2'
  # The command's exit code and death by a signal come through the init.
  run burrow run --rm --init localhost/busybox sh -c 'exit 7'
  assert_status 7
  run burrow run --rm --init localhost/busybox sh -c 'kill -9 $$'
  assert_status 137
  # Without --init the command is pid 1.
  run burrow run --rm localhost/busybox sh -c 'echo "me $$"'
  assert_eq "$output" "me 1"
}

test_init_works_with_a_read_only_root() {
  fresh_store
  load_busybox
  run burrow run --rm --init --read-only localhost/busybox sh -c 'echo "me $$"'
  assert_status 0
  assert_eq "$output" "me 2"
}

test_init_passes_the_stop_signal_on() {
  fresh_store
  load_busybox
  # A command that is pid 1 ignores SIGTERM without a handler; under the
  # init it is pid 2 and dies of it at once.
  burrow run -d --init --name inited localhost/busybox sleep 1000 >/dev/null
  assert_eq "$(burrow inspect --format '{{.HostConfig.Init}}' inited)" "true"
  run burrow stop -t 60 inited
  assert_status 0
  assert_eq "$(burrow inspect --format '{{.State.Status}} {{.State.ExitCode}}' inited)" "exited 143"
  burrow rm inited >/dev/null
  burrow create --name plain localhost/busybox true >/dev/null
  assert_eq "$(burrow inspect --format '{{.HostConfig.Init}}' plain)" "false"
}

test_init_reaps_orphans() {
  fresh_store
  load_busybox
  # The subshell exits at once, leaving its child to pid 1; sleep as pid 2
  # never waits for it, so only the init can reap it.
  burrow run -d --init --name reaper localhost/busybox \
    sh -c '(sleep 0.2 &); exec sleep 1000' >/dev/null
  eventually "1 /run/burrow-init -- sh -c (sleep 0.2 &); exec sleep 1000|2 sleep 1000" \
    sh -c "'$BURROW_BIN' --root '$STORE/root' --runroot '$STORE/run' top reaper pid,args |
      tail -n +2 | sed 's/  */ /g; s/^ //; s/ \$//' | paste -sd '|'"
  burrow rm -f reaper >/dev/null
}

test_init_path_errors() {
  fresh_store
  load_busybox
  run burrow run --rm --init --init-path /no/such/init localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error: --init-path /no/such/init is not an executable file"
  run burrow run --rm --init --init-path relative/init localhost/busybox true
  assert_status 125
  assert_contains "$output" "must be an absolute path"
  assert_eq "$(burrow ps -a -q)" ""
}
