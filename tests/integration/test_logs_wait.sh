# Logs in both formats (k8s-file and Docker's json-file) with every flag,
# the none driver, max-size rotation; `wait --condition` (every condition
# Podman names), --interval and --ignore; `rm -v`.
# shellcheck shell=bash

log_file_of() {
  echo "$STORE/root/containers/$(burrow inspect --format '{{.Id}}' "$1")/userdata/ctr.log"
}

# Polls until process $1 holds a pidfd: a `burrow wait` that has found its
# container and now waits for the init to exit. The bound only stops a
# broken wait from hanging the suite.
wait_until_waiting() {
  local pid=$1 i fd
  for i in $(seq 600); do
    for fd in "/proc/$pid/fd"/*; do
      [ "$(readlink "$fd" 2>/dev/null)" = "anon_inode:[pidfd]" ] && return 0
    done
    kill -0 "$pid" 2>/dev/null || fail "burrow wait ($pid) ended early: $(cat "$BURROW_WORK/wait.$$" 2>/dev/null)"
    sleep 0.1
  done
  fail "burrow wait ($pid) never waited for the container's init"
}

# Asserts that $1 holds lines "<prefix>N" with N strictly increasing, the
# last being $3: nothing garbled, duplicated or out of order.
assert_increasing_lines() {
  local text=$1 prefix=$2 last=$3 previous=0 line n
  [ -n "$text" ] || fail "no lines at all"
  while IFS= read -r line; do
    [[ "$line" =~ ^$prefix([0-9]+)$ ]] || fail "unexpected line [$line] in: $text"
    n=${BASH_REMATCH[1]}
    [ "$n" -gt "$previous" ] || fail "line $line after $prefix$previous in: $text"
    previous=$n
  done <<<"$text"
  [ "$previous" -eq "$last" ] || fail "the last line is $prefix$previous, not $prefix$last"
}

# ---- json-file ---------------------------------------------------------------

test_logs_json_file_is_dockers_format() {
  fresh_store
  load_busybox
  burrow run --log-driver json-file --name jf localhost/busybox \
    sh -c 'echo "one \"q\""; echo two >&2; printf "no newline"' >/dev/null
  local file
  file=$(log_file_of jf)
  run head -1 "$file"
  assert_match "$output" '^\{"log":"one \\"q\\"\\n","stream":"stdout","time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z"\}$'
  run grep -c '"stream":"stderr"' "$file"
  assert_eq "$output" "1"
  # The streams are read apart, so their records may come in either order.
  run grep -c '^{"log":"no newline","stream":"stdout","time":"[^"]*"}$' "$file"
  assert_eq "$output" "1"
}

test_logs_json_file_reads_like_k8s_file() {
  fresh_store
  load_busybox
  local driver out err
  for driver in k8s-file json-file; do
    burrow run -d --log-driver "$driver" --name "talk-$driver" localhost/busybox \
      sh -c 'echo one; echo two >&2; printf part; sleep 0.3; echo ial; echo three' >/dev/null
    burrow wait "talk-$driver" >/dev/null
    out=$(burrow logs "talk-$driver" 2>/dev/null)
    err=$(burrow logs "talk-$driver" 2>&1 >/dev/null)
    assert_eq "$out" $'one\npartial\nthree'
    assert_eq "$err" "two"
    run burrow logs --tail 2 "talk-$driver"
    assert_status 0
    assert_eq "$output" $'partial\nthree'
    run burrow logs --tail 0 "talk-$driver"
    assert_eq "$output" ""
    run burrow logs -t --tail 1 "talk-$driver"
    if [ "$driver" = json-file ]; then
      assert_match "$output" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+\.[0-9]{9}Z three$'
    else
      assert_match "$output" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+\.[0-9]{9}[+-][0-9]{2}:[0-9]{2} three$'
    fi
    # The partial line takes the time of its first piece.
    out=$(burrow logs -t "talk-$driver" 2>/dev/null)
    assert_match "$out" $'\n[0-9T:.Z+-]+ partial\n'
    # stdout alone: the two streams of one terminal interleave mid-line.
    run burrow logs --since 2000-01-01T00:00:00Z --until 2100-01-01 "talk-$driver"
    assert_status 0
    out=$(burrow logs --since 2000-01-01T00:00:00Z --until 2100-01-01 "talk-$driver" 2>/dev/null)
    assert_eq "$out" $'one\npartial\nthree'
    run burrow logs --since 2100-01-01 "talk-$driver"
    assert_status 0
    assert_eq "$output" ""
    run burrow logs --until 2000-01-01T00:00:00Z "talk-$driver"
    assert_eq "$output" ""
    out=$(burrow logs --since 10m "talk-$driver" 2>/dev/null)
    assert_eq "$out" $'one\npartial\nthree'
  done
}

test_logs_json_file_follow_while_writing() {
  fresh_store
  load_busybox
  burrow run -d --log-driver json-file --name jticker localhost/busybox \
    sh -c 'for i in 1 2 3 4; do echo tick$i; sleep 0.3; done; printf end' >/dev/null
  run burrow logs -f jticker
  assert_status 0
  assert_eq "$output" $'tick1\ntick2\ntick3\ntick4\nend'
  run burrow logs -f --tail 1 jticker
  assert_eq "$output" "end"
}

test_logs_damaged_json_file_is_an_error_naming_the_line() {
  fresh_store
  load_busybox
  burrow run --log-driver json-file --name damaged localhost/busybox echo fine >/dev/null
  echo 'not json' >>"$(log_file_of damaged)"
  run burrow logs damaged
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "line 2"
}

test_logs_none_driver_gives_podmans_error() {
  fresh_store
  load_busybox
  burrow run -d --log-driver none --name silent localhost/busybox echo hi >/dev/null
  burrow wait silent >/dev/null
  run burrow logs silent
  assert_status 125
  assert_contains "$output" "Error: this container is using the 'none' log driver, cannot read logs"
  run burrow logs -f --tail 1 silent
  assert_status 125
}

# ---- rotation ----------------------------------------------------------------

test_logs_max_size_keeps_the_newest_output() {
  fresh_store
  load_busybox
  local driver file size kept
  for driver in k8s-file json-file; do
    # 2000 lines take about 100 kB as records: the log starts again about 50 times.
    burrow run --log-driver "$driver" --log-opt max-size=2k --name "rot-$driver" \
      localhost/busybox sh -c 'i=1; while [ $i -le 2000 ]; do echo line$i; i=$((i + 1)); done' \
      >/dev/null
    file=$(log_file_of "rot-$driver")
    size=$(stat -c %s "$file")
    [ "$size" -le 2000 ] || fail "$driver log is $size bytes, past max-size 2k"
    [ ! -e "$file.rotate" ] || fail "$driver rotation left $file.rotate"
    run burrow logs "rot-$driver"
    assert_status 0
    assert_increasing_lines "$output" line 2000
    [ "$(count_lines "$output")" -lt 100 ] || fail "$driver log kept $(count_lines "$output") lines"
    # The last rotation may have left fewer than three lines.
    kept=$output
    run burrow logs --tail 3 "rot-$driver"
    assert_eq "$output" "$(tail -3 <<<"$kept")"
  done
}

test_logs_follow_across_rotations() {
  fresh_store
  load_busybox
  local driver
  for driver in k8s-file json-file; do
    burrow run -d --log-driver "$driver" --log-opt max-size=1k --name "frot-$driver" \
      localhost/busybox sh -c 'sleep 0.3; i=1; while [ $i -le 150 ]; do echo n$i; i=$((i + 1)); [ $((i % 10)) = 0 ] && sleep 0.05; done' \
      >/dev/null
    # Every line read is whole and in order, whatever rotations happen
    # between two reads; the end of the output is never lost.
    run burrow logs -f "frot-$driver"
    assert_status 0
    assert_increasing_lines "$output" n 150
  done
}

test_logs_bad_log_opt_is_an_error() {
  fresh_store
  load_busybox
  run burrow create --log-opt max-size=lots localhost/busybox true
  assert_status 125
  assert_contains "$output" "max-size"
  assert_eq "$(burrow ps -a -q)" ""
}

# ---- wait --condition ------------------------------------------------------

test_wait_exit_conditions_print_the_exit_code() {
  fresh_store
  load_busybox
  burrow run -d --name ex localhost/busybox sh -c 'sleep 0.2; exit 3' >/dev/null
  run burrow wait --condition exited ex
  assert_status 0
  assert_eq "$output" "3"
  run burrow wait --condition stopped ex
  assert_eq "$output" "3"
  run burrow container wait ex
  assert_eq "$output" "3"
}

test_wait_state_conditions_print_minus_one() {
  fresh_store
  load_busybox
  burrow create --name cr localhost/busybox sleep 1000 >/dev/null
  run burrow wait --condition created cr
  assert_status 0
  assert_eq "$output" "-1"
  run burrow wait --condition configured cr
  assert_eq "$output" "-1"
  # Waits for the start, then prints -1.
  burrow_background wait --condition running --interval 50ms cr >"$BURROW_WORK/wait.$$" 2>&1
  local waiter=$!
  burrow start cr >/dev/null
  wait "$waiter" || fail "wait --condition running failed: $(cat "$BURROW_WORK/wait.$$")"
  assert_eq "$(cat "$BURROW_WORK/wait.$$")" "-1"
  run burrow wait --condition running cr
  assert_eq "$output" "-1"
  run burrow wait --condition initialized cr
  assert_eq "$output" "-1"
  # Any one of several conditions.
  run burrow wait --condition exited --condition running cr
  assert_eq "$output" "-1"
  burrow rm -f cr >/dev/null
}

test_wait_paused_condition() {
  fresh_store
  load_busybox
  burrow run -d --name pz localhost/busybox sleep 1000 >/dev/null
  burrow_background wait --condition paused -i 50 pz >"$BURROW_WORK/wait.$$" 2>&1
  local waiter=$!
  burrow pause pz >/dev/null
  wait "$waiter" || fail "wait --condition paused failed: $(cat "$BURROW_WORK/wait.$$")"
  assert_eq "$(cat "$BURROW_WORK/wait.$$")" "-1"
  run burrow wait --condition paused --condition running pz
  assert_eq "$output" "-1"
  burrow rm -f pz >/dev/null
}

test_wait_stopping_condition() {
  fresh_store
  load_busybox
  # The TERM handler holds the container in "stopping" until /tmp/go exists.
  burrow run -d --name sting localhost/busybox \
    sh -c 'trap "while [ ! -e /tmp/go ]; do sleep 0.1; done; exit 0" TERM; while :; do sleep 0.1; done' \
    >/dev/null
  burrow_background stop -t 600 sting >/dev/null 2>&1
  local stopper=$!
  run burrow wait --condition stopping -i 20ms sting
  assert_status 0
  assert_eq "$output" "-1"
  burrow exec sting touch /tmp/go
  wait "$stopper" || fail "stop failed"
  run burrow wait sting
  assert_eq "$output" "0"
}

test_wait_removing_condition() {
  fresh_store
  load_busybox
  burrow run -d --name gone localhost/busybox sleep 1000 >/dev/null
  burrow_background wait --condition removing gone >"$BURROW_WORK/wait.$$" 2>&1
  local waiter=$!
  burrow rm -f gone >/dev/null
  wait "$waiter" || fail "wait --condition removing failed: $(cat "$BURROW_WORK/wait.$$")"
  assert_eq "$(cat "$BURROW_WORK/wait.$$")" "-1"
}

test_wait_prints_the_exit_code_of_a_container_removed_by_rm_flag() {
  fresh_store
  load_busybox
  burrow run -d --rm --name vanish localhost/busybox \
    sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; exit 6' >/dev/null
  burrow_background wait vanish >"$BURROW_WORK/wait.$$" 2>&1
  local waiter=$!
  wait_until_waiting "$waiter"
  burrow exec vanish touch /tmp/go
  wait "$waiter" || fail "wait failed: $(cat "$BURROW_WORK/wait.$$")"
  assert_eq "$(cat "$BURROW_WORK/wait.$$")" "6"
  run burrow wait vanish
  assert_status 125
  assert_contains "$output" "no such container"
}

test_wait_prints_the_first_exit_of_a_restarting_container() {
  fresh_store
  load_busybox
  burrow run -d --restart always --name again localhost/busybox \
    sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; rm /tmp/go; exit 4' >/dev/null
  burrow_background wait again >"$BURROW_WORK/wait.$$" 2>&1
  local waiter=$!
  wait_until_waiting "$waiter"
  burrow exec again touch /tmp/go
  wait "$waiter" || fail "wait failed: $(cat "$BURROW_WORK/wait.$$")"
  assert_eq "$(cat "$BURROW_WORK/wait.$$")" "4"
  eventually running burrow inspect --format '{{.State.Status}}' again
  burrow rm -f again >/dev/null
}

test_wait_health_conditions() {
  fresh_store
  load_busybox
  burrow run -d --name fine --health-cmd true --health-interval 1s localhost/busybox \
    sleep 1000 >/dev/null
  burrow run -d --name sick --health-cmd false --health-interval 1s --health-retries 1 \
    localhost/busybox sleep 1000 >/dev/null
  run burrow wait --condition healthy -i 100ms fine
  assert_status 0
  assert_eq "$output" "-1"
  run burrow wait --condition unhealthy -i 100ms sick
  assert_status 0
  assert_eq "$output" "-1"
  assert_eq "$(burrow inspect --format '{{.State.Health.Status}}' sick)" "unhealthy"
  burrow run -d --name plain localhost/busybox sleep 1000 >/dev/null
  run burrow wait --condition healthy plain
  assert_status 125
  assert_contains "$output" "Error: cannot use condition healthy: container plain has no healthcheck"
  burrow rm -f fine sick plain >/dev/null
}

test_wait_errors_and_ignore() {
  fresh_store
  load_busybox
  run burrow wait --condition dead x
  assert_status 125
  assert_contains "$output" "Error: invalid --condition \"dead\""
  assert_contains "$output" "unhealthy"
  run burrow wait --interval soon x
  assert_status 125
  assert_contains "$output" "Error: invalid --interval \"soon\""
  run burrow wait --interval 0 x
  assert_status 125
  run burrow wait nosuch
  assert_status 125
  assert_contains "$output" "Error: no container with name or ID \"nosuch\" found"
  run burrow wait --ignore nosuch
  assert_status 0
  assert_eq "$output" "-1"
  run burrow run --name done1 localhost/busybox sh -c 'exit 2'
  assert_status 2
  run burrow wait --ignore nosuch done1
  assert_status 0
  assert_eq "$output" $'-1\n2'
  run burrow wait
  assert_status 125
}

# ---- rm -v -------------------------------------------------------------------

test_rm_volumes_flag_removes_the_container() {
  fresh_store
  load_busybox
  burrow run --name v1 localhost/busybox true >/dev/null
  burrow run -d --name v2 localhost/busybox sleep 1000 >/dev/null
  run burrow rm -v v1
  assert_status 0
  assert_eq "$output" "v1"
  run burrow rm -fv v2
  assert_status 0
  assert_eq "$output" "v2"
  assert_eq "$(burrow ps -a -q)" ""
  run burrow rm --help
  assert_contains "$output" "no volumes yet"
}
