# burrow exec: processes in a running container.
# shellcheck shell=bash

test_exec_runs_in_the_container_with_its_exit_code() {
  fresh_store
  load_busybox
  burrow run -d --name target --hostname boxhost localhost/busybox sleep 100 >/dev/null
  run burrow exec target sh -c 'hostname; exit 4'
  assert_status 4
  assert_eq "$output" "boxhost"
  # Same pid namespace as the container's init: pid 1 is its sleep.
  run burrow exec target sh -c "tr '\\0' ' ' </proc/1/cmdline"
  assert_eq "$output" "sleep 100 "
  burrow rm -f target >/dev/null
}

test_exec_env_user_workdir_and_stdin() {
  fresh_store
  load_busybox
  burrow run -d --name t2 -e FROM_RUN=yes localhost/busybox sleep 100 >/dev/null
  run burrow exec -e EXTRA=1 -u 1000:1000 -w /tmp t2 sh -c 'echo $FROM_RUN $EXTRA $(id -u):$(id -g) $(pwd)'
  assert_status 0
  assert_eq "$output" "yes 1 1000:1000 /tmp"
  run burrow exec -i t2 sh -c 'read x; echo got $x' <<<"42"
  assert_eq "$output" "got 42"
  run burrow exec t2 sh -c 'cat; echo end' <<<"not-passed"
  assert_eq "$output" "end"
  burrow rm -f t2 >/dev/null
}

test_exec_capabilities_and_seccomp_match_the_container() {
  fresh_store
  load_busybox
  burrow run -d --name t3 --cap-drop ALL localhost/busybox sleep 100 >/dev/null
  run burrow exec t3 burrow-probe
  assert_status 0
  assert_eq "$(probe_value CapBnd)" "0000000000000000"
  assert_eq "$(probe_value Seccomp)" "2"
  burrow rm -f t3 >/dev/null
}

test_exec_missing_command_is_127_and_not_executable_126() {
  fresh_store
  load_busybox
  burrow run -d --name t4 localhost/busybox sleep 100 >/dev/null
  run burrow exec t4 no-such-command
  assert_status 127
  assert_contains "$output" "Error:"
  run burrow exec t4 /etc/passwd
  assert_status 126
  run burrow exec -w /no/such/dir t4 true
  assert_status 127
  burrow rm -f t4 >/dev/null
}

test_exec_into_stopped_container_is_125() {
  fresh_store
  load_busybox
  burrow create --name idle localhost/busybox true >/dev/null
  run burrow exec idle true
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "running"
  burrow run --name done localhost/busybox true >/dev/null
  run burrow exec done true
  assert_status 125
  run burrow exec no-such-container true
  assert_status 125
  assert_contains "$output" "no such container"
}

test_exec_detach_returns_at_once() {
  fresh_store
  load_busybox
  burrow run -d --name t5 localhost/busybox sleep 100 >/dev/null
  run burrow exec -d t5 sh -c 'sleep 0.3; touch /tmp/marker'
  assert_status 0
  sleep 1
  run burrow exec t5 ls /tmp/marker
  assert_status 0
  burrow rm -f t5 >/dev/null
}
