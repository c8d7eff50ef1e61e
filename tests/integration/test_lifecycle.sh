# Container lifecycle: detached containers under their monitor, create and
# start, stop and kill, rm, wait, logs, ps and inspect, restart policies,
# and a state that survives a killed CLI.
# shellcheck shell=bash

# Mounts under this store's containers/, seen from the keeper's mount
# namespace when rootless (where they are made) and from ours.
container_mounts_of_store() {
  local keeper
  keeper=$(cut -d' ' -f1 "$STORE/run/keeper.pid" 2>/dev/null || true)
  cat /proc/self/mountinfo ${keeper:+/proc/$keeper/mountinfo} 2>/dev/null |
    grep "$STORE/root/containers" || true
}

# The monitor processes of this store still alive (by their --exit-file).
monitors_of_store() {
  pgrep -f "burrow-monitor .*$STORE/run/" || true
}

test_lifecycle_run_detached_prints_id_and_runs() {
  fresh_store
  load_busybox
  run burrow run -d --name web localhost/busybox sleep 100
  assert_status 0
  assert_match "$output" '^[0-9a-f]{64}$'
  local id=$output
  run burrow ps --format '{{.ID}} {{.Names}} {{.State}}'
  assert_eq "$output" "${id:0:12} web running"
  run burrow inspect --format '{{.State.Status}} {{.State.Running}} {{.Id}}' web
  assert_eq "$output" "running true $id"
  run burrow inspect --format '{{.State.Pid}}' web
  [ "$output" -gt 1 ] || fail "no pid in inspect: $output"
  kill -0 "$output" 2>/dev/null || is_rootless || fail "pid $output is not alive"
  [ -n "$(container_mounts_of_store)" ] || fail "the running container's rootfs is not mounted"
  run burrow rm -f web
  assert_status 0
  [ -z "$(monitors_of_store)" ] || fail "a monitor is left: $(monitors_of_store)"
  [ -z "$(container_mounts_of_store)" ] || fail "mounts are left: $(container_mounts_of_store)"
}

test_lifecycle_detached_exit_code_and_wait() {
  fresh_store
  load_busybox
  run burrow run -d --name three localhost/busybox sh -c 'sleep 0.2; exit 3'
  assert_status 0
  run burrow wait three
  assert_status 0
  assert_eq "$output" "3"
  run burrow ps -a --format '{{.Status}}'
  assert_match "$output" '^Exited \(3\) '
  run burrow inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}' three
  assert_eq "$output" "exited 3 false"
  [ -z "$(monitors_of_store)" ] || fail "the monitor did not exit"
}

test_lifecycle_run_detached_returns_immediately_in_command_substitution() {
  fresh_store
  load_busybox
  # Holding the caller's stdout would make $(...) wait for the container.
  local start end id
  start=$(date +%s)
  id=$(burrow run -d localhost/busybox sleep 30)
  end=$(date +%s)
  [ $((end - start)) -lt 10 ] || fail "run -d held the pipe for $((end - start)) s"
  burrow rm -f "$id" >/dev/null
}

test_lifecycle_logs_of_detached_container() {
  fresh_store
  load_busybox
  burrow run -d --name talk localhost/busybox sh -c 'echo one; echo two >&2; sleep 0.2; echo three' >/dev/null
  burrow wait talk >/dev/null
  run burrow logs talk
  assert_status 0
  assert_contains "$output" "one"
  assert_contains "$output" "two"
  assert_contains "$output" "three"
  local out err
  out=$(burrow logs talk 2>/dev/null)
  err=$(burrow logs talk 2>&1 >/dev/null)
  assert_eq "$out" $'one\nthree'
  assert_eq "$err" "two"
  run burrow logs --tail 1 talk
  assert_eq "$output" "three"
  run burrow logs -t --tail 1 talk
  assert_match "$output" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+[+-][0-9]{2}:[0-9]{2} three$'
}

test_lifecycle_logs_of_foreground_container() {
  fresh_store
  load_busybox
  run burrow run --name fg localhost/busybox sh -c 'echo hello; echo oops >&2'
  assert_status 0
  assert_contains "$output" "hello"
  run burrow logs fg
  assert_contains "$output" "hello"
  assert_contains "$output" "oops"
}

test_lifecycle_logs_follow_while_writing() {
  fresh_store
  load_busybox
  burrow run -d --name ticker localhost/busybox \
    sh -c 'for i in 1 2 3 4; do echo tick$i; sleep 0.3; done' >/dev/null
  run burrow logs -f ticker
  assert_status 0
  assert_eq "$output" $'tick1\ntick2\ntick3\ntick4'
}

test_lifecycle_log_driver_none_has_no_logs() {
  fresh_store
  load_busybox
  burrow run --log-driver none --name quiet localhost/busybox echo hi >/dev/null
  run burrow logs quiet
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "--log-driver none"
}

test_lifecycle_create_then_start_and_attach() {
  fresh_store
  load_busybox
  run burrow create --name later localhost/busybox sh -c 'echo started; exit 5'
  assert_status 0
  run burrow ps -a --format '{{.Names}} {{.Status}}'
  assert_eq "$output" "later Created"
  run burrow start -a later
  assert_status 5
  assert_eq "$output" "started"
  run burrow start later
  assert_status 0
  run burrow wait later
  assert_eq "$output" "5"
}

test_lifecycle_stop_kills_after_timeout() {
  fresh_store
  load_busybox
  # As pid 1 of its namespace, sleep without a handler ignores SIGTERM.
  burrow run -d --name stubborn localhost/busybox sleep 100 >/dev/null
  run burrow stop -t 1 stubborn
  assert_status 0
  assert_eq "$output" "stubborn"
  run burrow inspect --format '{{.State.Status}} {{.State.ExitCode}}' stubborn
  assert_eq "$output" "exited 137"
}

test_lifecycle_stop_with_handler_exits_cleanly() {
  fresh_store
  load_busybox
  burrow run -d --name polite localhost/busybox \
    sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
  sleep 0.3
  run burrow stop -t 20 polite
  assert_status 0
  run burrow inspect --format '{{.State.ExitCode}}' polite
  assert_eq "$output" "0"
}

test_lifecycle_stop_signal_flag() {
  fresh_store
  load_busybox
  burrow run -d --name usr1 --stop-signal USR1 localhost/busybox \
    sh -c 'trap "exit 7" USR1; while :; do sleep 0.1; done' >/dev/null
  sleep 0.3
  run burrow stop usr1
  assert_status 0
  run burrow inspect --format '{{.State.ExitCode}}' usr1
  assert_eq "$output" "7"
}

test_lifecycle_kill_sends_signal() {
  fresh_store
  load_busybox
  burrow run -d --name k localhost/busybox \
    sh -c 'trap "exit 9" HUP; while :; do sleep 0.1; done' >/dev/null
  sleep 0.3
  run burrow kill -s HUP k
  assert_status 0
  run burrow wait k
  assert_eq "$output" "9"
  run burrow kill k
  assert_status 125
  assert_contains "$output" "Error:"
}

test_lifecycle_kill_bad_signal_is_an_error() {
  fresh_store
  load_busybox
  run burrow kill -s NOPE whatever
  assert_status 125
  assert_contains "$output" "invalid signal"
}

test_lifecycle_rm_exit_codes() {
  fresh_store
  load_busybox
  burrow run -d --name busy localhost/busybox sleep 100 >/dev/null
  run burrow rm busy
  assert_status 2
  assert_contains "$output" "rm -f"
  run burrow rm no-such-container
  assert_status 1
  assert_contains "$output" "no such container"
  run burrow rm -f busy
  assert_status 0
  run burrow ps -a -q
  assert_eq "$output" ""
  [ -z "$(ls "$STORE/root/containers")" ] || fail "container files are left"
}

test_lifecycle_detached_rm_removes_after_exit() {
  fresh_store
  load_busybox
  burrow run -d --rm --name brief localhost/busybox true >/dev/null
  eventually "" burrow ps -a -q
  [ -z "$(ls "$STORE/root/containers")" ] || fail "container files are left"
}

test_lifecycle_restart_policy_counts() {
  fresh_store
  load_busybox
  burrow run -d --name flaky --restart on-failure:2 localhost/busybox sh -c 'exit 1' >/dev/null
  eventually "exited 2" burrow inspect --format '{{.State.Status}} {{.RestartCount}}' flaky
  # Stays exited: the count is used up.
  sleep 0.5
  run burrow inspect --format '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' flaky
  assert_eq "$output" "exited 2 1"
}

test_lifecycle_restart_always_stops_on_user_stop() {
  fresh_store
  load_busybox
  burrow run -d --name again --restart always localhost/busybox sh -c 'sleep 0.2' >/dev/null
  sleep 1.5
  run burrow inspect --format '{{.RestartCount}}' again
  [ "$output" -ge 1 ] || fail "no restart after 1.5 s: $output"
  run burrow stop -t 1 again
  assert_status 0
  sleep 0.5
  run burrow inspect --format '{{.State.Status}}' again
  assert_eq "$output" "exited"
}

test_lifecycle_rm_conflicts_with_restart() {
  fresh_store
  load_busybox
  run burrow run --rm --restart always localhost/busybox true
  assert_status 125
  assert_contains "$output" "--restart"
}

test_lifecycle_names_are_unique_and_prefixes_resolve() {
  fresh_store
  load_busybox
  local id
  id=$(burrow create --name solo localhost/busybox true)
  run burrow create --name solo localhost/busybox true
  assert_status 125
  assert_contains "$output" "already in use"
  run burrow inspect --format '{{.Name}}' "${id:0:5}"
  assert_eq "$output" "solo"
  run burrow rename solo duo
  assert_status 0
  run burrow ps -a --format '{{.Names}}'
  assert_eq "$output" "duo"
}

test_lifecycle_ps_filters_and_formats() {
  fresh_store
  load_busybox
  burrow create --name a1 --label tier=web localhost/busybox true >/dev/null
  burrow run --name b2 localhost/busybox sh -c 'exit 4' >/dev/null || true
  run burrow ps -a --filter name=a1 --format '{{.Names}}'
  assert_eq "$output" "a1"
  run burrow ps -a --filter status=exited --format '{{.Names}}'
  assert_eq "$output" "b2"
  run burrow ps -a --filter label=tier=web --format '{{.Names}}'
  assert_eq "$output" "a1"
  run burrow ps -a --filter ancestor=localhost/busybox --format '{{.Names}}'
  assert_eq "$(count_lines "$output")" "2"
  run burrow ps -a --filter exited=4 -q
  assert_eq "$(count_lines "$output")" "1"
  run burrow ps -a --format '{{json .}}' --filter name=b2
  assert_contains "$output" '"Names":"b2"'
  run burrow ps -a --format 'table {{.Names}}\t{{.Status}}' --filter name=a1
  assert_eq "$(head -1 <<<"$output" | tr -s ' ')" "NAMES STATUS"
  run burrow ps -a --filter bogus=1
  assert_status 125
  run burrow ps
  assert_eq "$(count_lines "$output")" "1"
}

test_lifecycle_killed_cli_leaves_container_to_its_monitor() {
  fresh_store
  load_busybox
  burrow_background run --name orphan localhost/busybox sh -c 'sleep 1; exit 4' >/dev/null 2>&1
  local cli=$!
  sleep 0.5
  kill -9 "$cli"
  wait "$cli" 2>/dev/null || true
  run burrow wait orphan
  assert_status 0
  assert_eq "$output" "4"
  run burrow ps -a --format '{{.Status}}'
  assert_match "$output" '^Exited \(4\)'
}

test_lifecycle_foreground_signal_is_proxied() {
  fresh_store
  load_busybox
  burrow_background run --name proxied localhost/busybox \
    sh -c 'trap "exit 11" TERM; while :; do sleep 0.1; done' >/dev/null 2>&1
  local cli=$!
  sleep 0.8
  kill -TERM "$cli"
  set +e
  wait "$cli"
  local code=$?
  set -e
  assert_eq "$code" "11"
}

# burrow processes of this store other than monitors: once no command runs,
# only the keeper (rootless) may be left.
leftover_processes_of_store() {
  local keeper pid
  keeper=$(cut -d' ' -f1 "$STORE/run/keeper.pid" 2>/dev/null || true)
  for pid in $(pgrep -f -- "--root $STORE/root" || true); do
    [ "$pid" = "$keeper" ] || echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
  done
}

test_lifecycle_parallel_run_and_rm_stay_consistent() {
  fresh_store
  load_busybox
  local i pids=()
  # 32 loops at once, each creating, listing and force-removing containers.
  for i in $(seq 32); do
    (
      for j in 1 2; do
        id=$(burrow run -d --label "loop=$i" localhost/busybox sleep 30) || exit 1
        burrow ps -a >/dev/null || exit 1
        burrow rm -f "$id" >/dev/null || exit 1
      done
    ) >"$BURROW_WORK/parallel.$$.$i" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || fail "loop $((i + 1)) failed: $(cat "$BURROW_WORK/parallel.$$.$((i + 1))")"
  done
  run burrow ps -a -q
  assert_eq "$output" ""
  [ -z "$(ls "$STORE/root/containers")" ] || fail "container directories are left"
  [ -z "$(monitors_of_store)" ] || fail "monitors are left"
  [ -z "$(container_mounts_of_store)" ] || fail "mounts are left: $(container_mounts_of_store)"
  [ -z "$(leftover_processes_of_store)" ] || fail "processes are left: $(leftover_processes_of_store)"
  # The database agrees with itself after all that.
  run burrow ps -a --format '{{.Names}}'
  assert_status 0
  assert_eq "$output" ""
}

test_lifecycle_many_unnamed_containers_get_unique_names() {
  fresh_store
  load_busybox
  local i
  for i in $(seq 80); do burrow create localhost/busybox true >/dev/null; done
  run burrow ps -a --format '{{.Names}}'
  assert_eq "$(sort -u <<<"$output" | wc -l)" "80"
}

# Kills a command with SIGKILL after a delay that varies with $1 (0 to 45 ms),
# so that over a loop the kill lands in every phase of the command.
kill_after_a_moment() {
  local step=$1
  shift
  burrow_background "$@" >/dev/null 2>&1
  local pid=$!
  sleep "0.0$((step % 10 / 2))$((step % 2 * 5))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

test_lifecycle_sigkilled_commands_leave_a_repairable_state() {
  fresh_store
  load_busybox
  local i
  for i in $(seq 20); do
    kill_after_a_moment "$i" run -d --name "killed$i" localhost/busybox sleep 30
  done
  for i in $(seq 1 2 20); do
    burrow inspect "killed$i" >/dev/null 2>&1 || continue
    kill_after_a_moment "$i" rm -f "killed$i"
  done
  # Whatever was left half-done, the next commands read it and clean it up.
  run burrow ps -a
  assert_status 0
  run burrow rm -f -a
  assert_status 0
  run burrow ps -a -q
  assert_eq "$output" ""
  [ -z "$(ls "$STORE/root/containers")" ] || fail "container directories are left"
  [ -z "$(monitors_of_store)" ] || fail "monitors are left: $(monitors_of_store)"
  [ -z "$(container_mounts_of_store)" ] || fail "mounts are left: $(container_mounts_of_store)"
  # The names are free again.
  run burrow run --rm --name killed1 localhost/busybox true
  assert_status 0
}

test_lifecycle_inspect_times_have_nanoseconds_and_order() {
  fresh_store
  load_busybox
  burrow run --name timed localhost/busybox sleep 0.5
  local created started finished
  read -r created started finished < <(burrow inspect \
    --format '{{.Created}} {{.State.StartedAt}} {{.State.FinishedAt}}' timed)
  local rfc='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$'
  assert_match "$created" "$rfc"
  assert_match "$started" "$rfc"
  assert_match "$finished" "$rfc"
  local c s f
  c=$(date -d "$created" +%s%N)
  s=$(date -d "$started" +%s%N)
  f=$(date -d "$finished" +%s%N)
  [ "$c" -le "$s" ] || fail "created $created after started $started"
  # The container slept 0.5 s: only sub-second precision shows that it
  # finished more than 0.3 s after it started (StartedAt is recorded once
  # the start is reported back, a little after the sleep began).
  [ $((f - s)) -ge 300000000 ] || fail "finished $finished less than 0.3 s after started $started"
  # ps keeps Podman's Unix seconds.
  assert_eq "$(burrow ps -a --format '{{.StartedAt}}')" "$((s / 1000000000))"
  burrow rm timed >/dev/null
}
