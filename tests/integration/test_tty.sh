# Terminals: run -it, run -t, start -ai, exec -it, attach and detach keys.
# Commands run under a pseudo-terminal made by tty_driver.py, which types
# and resizes as a user would.
# shellcheck shell=bash

TTY_DRIVER="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/tty_driver.py"

# in_tty [--rows R --cols C] [--expect RE | --send TEXT | --resize R C]... -- burrow ARGS...
# Runs burrow on a new terminal, with $output and $status as `run` sets them.
in_tty() {
  local args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
  shift  # --
  [ "$1" = burrow ] || fail "in_tty runs burrow, not $1"
  shift
  run python3 "$TTY_DRIVER" "${args[@]}" -- \
    "$BURROW_BIN" --root "$STORE/root" --runroot "$STORE/run" "$@"
}

# The terminal's output with the pty's carriage returns removed.
strip_cr() { tr -d '\r' <<<"$1"; }

test_tty_run_it_gives_the_container_a_terminal() {
  fresh_store
  load_busybox
  in_tty --rows 31 --cols 97 -- burrow run -it --rm localhost/busybox \
    sh -c 'tty; stty size; echo "TERM=$TERM"; exit 3'
  assert_status 3
  assert_contains "$output" "/dev/pts/0"
  assert_contains "$output" "31 97"
  assert_contains "$output" "TERM=xterm"
  # Our terminal is raw: the container's "\r\n" arrives as it is.
  assert_contains "$output" $'/dev/pts/0\r\n31 97\r\n'
  # --rm: nothing left once it returned.
  assert_eq "$(burrow ps -a -q)" ""
  in_tty -- burrow run -it --rm localhost/busybox no-such-command
  assert_status 127
  assert_contains "$output" "Error:"
}

test_tty_run_it_passes_input_and_the_window_size_follows() {
  fresh_store
  load_busybox
  in_tty --rows 20 --cols 70 \
    --expect 'ready' --send 'hello\r' --expect 'got hello' \
    --resize 44 132 --send 'stty size\r' --expect '44 132' --send 'exit 6\r' \
    -- burrow run -it --rm localhost/busybox sh -c 'echo ready; read x; echo "got $x"; exec sh'
  assert_status 6
}

test_tty_run_t_without_a_terminal_still_works() {
  fresh_store
  load_busybox
  # The CLI's stdio are pipes; the container still has its pty, whose
  # output processing turns "\n" into "\r\n".
  run burrow run --rm -t localhost/busybox sh -c 'echo hi; tty'
  assert_status 0
  assert_eq "$output" $'hi\r\n/dev/pts/0\r'
  # -t without -i: the CLI's stdin is not connected.
  output=$(echo not-passed | burrow run --rm -t localhost/busybox sh -c 'read -t 1 x; echo "[$x]"')
  assert_eq "$(strip_cr "$output")" "[]"
}

test_tty_large_input_and_output_do_not_deadlock() {
  fresh_store
  load_busybox
  # The pty echoes all the input while head prints it again: far more than
  # the pipes and the pty buffers hold, in both directions at once.
  local input=$BURROW_WORK/tty-input.$$
  for _ in $(seq 6000); do echo abcdefghijklmnopqrstuvwxyz; done >"$input"
  output=$(burrow run -i -t --rm localhost/busybox head -n 5000 <"$input")
  local lines
  lines=$(grep -c abcdefghijklmnopqrstuvwxyz <<<"$output")
  [ "$lines" -ge 5000 ] || fail "expected at least 5000 lines, got $lines"
}

test_tty_logs_show_the_terminal_output() {
  fresh_store
  load_busybox
  burrow run -d -t --name logged localhost/busybox sh -c 'echo hello-tty; echo second' >/dev/null
  eventually "exited" burrow inspect --format '{{.State.Status}}' logged
  run burrow logs logged
  assert_status 0
  assert_eq "$(strip_cr "$output")" $'hello-tty\nsecond'
  burrow rm logged >/dev/null
}

test_tty_exec_it_gets_its_own_terminal() {
  fresh_store
  load_busybox
  burrow run -d --name box localhost/busybox sleep 1000 >/dev/null
  in_tty --rows 40 --cols 120 -- burrow exec -it box sh -c 'tty; stty size; echo "TERM=$TERM"; exit 5'
  assert_status 5
  assert_contains "$output" "/dev/pts/0"
  assert_contains "$output" "40 120"
  assert_contains "$output" "TERM=xterm"
  # Input reaches it, and exec -t without a terminal on our side works too.
  in_tty --expect '# ' --send 'echo $((6*7))\r' --expect '42' --send 'exit\r' \
    -- burrow exec -it box sh
  assert_status 0
  run burrow exec -t box echo piped
  assert_eq "$output" $'piped\r'
  burrow rm -f box >/dev/null
}

test_tty_exec_detach_leaves_the_process_running() {
  fresh_store
  load_busybox
  burrow run -d --name box localhost/busybox sleep 1000 >/dev/null
  in_tty --expect 'started' --send '\x10\x11' \
    -- burrow exec -it box sh -c 'echo started; touch /tmp/alive; sleep 1000'
  assert_status 0
  # Two sleeps: the container's own and the detached exec's (which a hung-up
  # terminal would have killed). "started" comes before the exec's sleep
  # does, so a loaded machine may need a moment.
  eventually "2" burrow exec box sh -c \
    'for p in /proc/[0-9]*; do tr "\0" " " <$p/cmdline; echo; done | grep -c "^sleep 1000 $"'
  run burrow exec box ls /tmp/alive
  assert_status 0
  burrow rm -f box >/dev/null
}

test_tty_detach_then_attach_returns_the_exit_code() {
  fresh_store
  load_busybox
  in_tty --expect 'ready' --send '\x10\x11' \
    -- burrow run -it --name det localhost/busybox sh -c 'echo ready; exec sh'
  assert_status 0
  run burrow ps --format '{{.Names}} {{.State}}'
  assert_eq "$output" "det running"
  # Typing ctrl-p alone, then something else, passes both on.
  in_tty --send 'echo ping-$((1+1))\r' --expect 'ping-2' --send 'exit 7\r' -- burrow attach det
  assert_status 7
  # The monitor cleaned up once the container exited.
  run burrow ps -a --format '{{.Names}} {{.Status}}'
  assert_contains "$output" "det Exited (7)"
  run burrow inspect --format '{{.State.Status}} {{.State.ExitCode}}' det
  assert_eq "$output" "exited 7"
  burrow rm det >/dev/null
}

test_tty_custom_detach_keys() {
  fresh_store
  load_busybox
  # The default keys are ordinary input then; ctrl-a,x detaches.
  in_tty --expect 'ready' --send '\x10\x11' --send 'echo still-here\r' --expect 'still-here' \
    --send '\x01x' -- burrow run -it --detach-keys ctrl-a,x --name ck localhost/busybox \
    sh -c 'echo ready; exec sh'
  assert_status 0
  run burrow inspect --format '{{.State.Status}}' ck
  assert_eq "$output" "running"
  # attach with its own keys; "" would disable detaching.
  in_tty --send 'echo in\r' --expect 'in' --send 'q' --send 'q' \
    -- burrow attach --detach-keys q,q ck
  assert_status 0
  run burrow inspect --format '{{.State.Status}}' ck
  assert_eq "$output" "running"
  burrow rm -f ck >/dev/null
  # "" disables detaching: ctrl-p,ctrl-q are typed into the shell.
  in_tty --expect 'ready' --send '\x10\x11' --send 'echo not-detached\r' \
    --expect 'not-detached\r\n' --send 'exit 2\r' \
    -- burrow run -it --rm --detach-keys "" localhost/busybox sh -c 'echo ready; exec sh'
  assert_status 2
}

test_tty_invalid_detach_keys_are_125() {
  fresh_store
  load_busybox
  run burrow run -it --detach-keys ctrl-1 localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "detach keys"
  # Refused before anything was created.
  assert_eq "$(burrow ps -a -q)" ""
  burrow run -d --name box localhost/busybox sleep 1000 >/dev/null
  run burrow exec -it --detach-keys shift-a box true
  assert_status 125
  run burrow attach --detach-keys ctrl-a, box
  assert_status 125
  burrow create --name idle localhost/busybox true >/dev/null
  run burrow start -a --detach-keys ab idle
  assert_status 125
  burrow rm -f box idle >/dev/null
}

test_tty_attach_to_a_stopped_container_is_125() {
  fresh_store
  load_busybox
  burrow create --name idle localhost/busybox true >/dev/null
  run burrow attach idle
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "running"
  burrow run --name done localhost/busybox true >/dev/null
  run burrow attach done
  assert_status 125
  run burrow container attach no-such-container
  assert_status 125
}

test_tty_start_ai_uses_the_terminal() {
  fresh_store
  load_busybox
  burrow create -it --name later localhost/busybox sh -c 'echo ready; read x; echo "got $x"; tty; exit 4' >/dev/null
  in_tty --rows 25 --cols 90 --expect 'ready' --send 'there\r' --expect 'got there' \
    -- burrow start -ai later
  assert_status 4
  assert_contains "$output" "/dev/pts/0"
  burrow rm later >/dev/null
}

test_tty_attach_without_tty_relays_output_and_exit_code() {
  fresh_store
  load_busybox
  burrow run -d -i --name plain localhost/busybox sh -c 'read x; echo "out $x"; echo "err $x" >&2; exit 9' >/dev/null
  run burrow attach plain <<<"hello"
  assert_status 9
  assert_contains "$output" "out hello"
  assert_contains "$output" "err hello"
  burrow rm plain >/dev/null
}

test_tty_attach_no_stdin_and_the_terminal_belongs_to_the_user() {
  fresh_store
  load_busybox
  burrow run -d -t -u 1000:1000 --name owned localhost/busybox sh -c \
    'stat -c "owner %u" $(tty); until [ -e /tmp/go ]; do echo tick; sleep 0.2; done; echo done' \
    >/dev/null
  local out=$BURROW_WORK/attach.out
  burrow attach --no-stdin owned </dev/null >"$out" 2>&1 &
  local attach_pid=$!
  # Once it relays the ticks it is attached: then let the container end.
  eventually "yes" sh -c "grep -q tick '$out' && echo yes || cat '$out'"
  burrow exec -u 0 owned touch /tmp/go
  local status=0
  wait "$attach_pid" || status=$?
  output=$(cat "$out")
  assert_status 0
  assert_contains "$output" "done"
  run burrow logs owned
  assert_contains "$(strip_cr "$output")" "owner 1000"
  burrow rm -f owned >/dev/null
}
