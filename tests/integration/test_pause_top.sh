# pause, unpause and top.
# shellcheck shell=bash

# The host pid of the container's init.
init_pid_of() { burrow inspect --format '{{.State.Pid}}' "$1"; }

# The states (from /proc/PID/stat) of every process in the container's pid
# namespace, one letter each, sorted and unique.
process_states() {
  local init ns pid states=""
  init=$(init_pid_of "$1")
  ns=$(readlink "/proc/$init/ns/pid")
  for pid in /proc/[0-9]*; do
    [ "$(readlink "$pid/ns/pid" 2>/dev/null)" = "$ns" ] || continue
    states+="$(sed 's/.*) \(.\).*/\1/' "$pid/stat" 2>/dev/null)"$'\n'
  done
  sort -u <<<"$states" | grep -v '^$' | tr -d '\n'
}

test_pause_stops_every_process_and_unpause_resumes_them() {
  fresh_store
  load_busybox
  burrow run -d --name paused localhost/busybox \
    sh -c 'sleep 1000 & sleep 1000 & while :; do date +%s%N >/tmp/tick; sleep 0.05; done' >/dev/null
  eventually "running" burrow inspect --format '{{.State.Status}}' paused
  run burrow pause paused
  assert_status 0
  assert_eq "$output" "paused"
  assert_eq "$(burrow inspect --format '{{.State.Status}} {{.State.Paused}}' paused)" "paused true"
  # Every process is stopped; a child that exited just before stays a zombie.
  assert_eq "$(process_states paused | tr -d Z)" "T"
  run burrow ps --format '{{.Names}} {{.Status}}'
  assert_eq "$output" "paused Paused"
  # Nothing moves while it is paused.
  local before after
  before=$(burrow cp paused:/tmp/tick - | tar -xO)
  sleep 0.3
  after=$(burrow cp paused:/tmp/tick - | tar -xO)
  assert_eq "$after" "$before"
  run burrow pause paused
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "paused"
  run burrow unpause paused
  assert_status 0
  assert_eq "$output" "paused"
  assert_eq "$(burrow inspect --format '{{.State.Status}} {{.State.Paused}}' paused)" "running false"
  [[ "$(process_states paused)" != *T* ]] || fail "a process is still stopped: $(process_states paused)"
  eventually "moved" sh -c "[ \"\$('$BURROW_BIN' --root '$STORE/root' --runroot '$STORE/run' \
    cp paused:/tmp/tick - | tar -xO)\" != '$before' ] && echo moved"
  run burrow unpause paused
  assert_status 125
  assert_contains "$output" "Error:"
  burrow rm -f paused >/dev/null
}

test_pause_refuses_stopped_containers_and_unknown_ones() {
  fresh_store
  load_busybox
  burrow create --name created localhost/busybox true >/dev/null
  run burrow pause created
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow unpause created
  assert_status 125
  run burrow pause no-such-container
  assert_status 125
  assert_contains "$output" "no-such-container"
  run burrow top created
  assert_status 125
  assert_contains "$output" "Error:"
}

test_pause_exec_is_refused_and_stop_and_rm_work() {
  fresh_store
  load_busybox
  burrow run -d --name frozen localhost/busybox sleep 1000 >/dev/null
  burrow pause frozen >/dev/null
  run burrow exec frozen true
  assert_status 125
  assert_contains "$output" "paused"
  # A paused container still stops: its processes are woken to take the signal.
  run burrow stop -t 2 frozen
  assert_status 0
  assert_eq "$(burrow inspect --format '{{.State.Status}}' frozen)" "exited"
  burrow start frozen >/dev/null
  burrow pause frozen >/dev/null
  run burrow rm -f frozen
  assert_status 0
  assert_eq "$(burrow ps -a -q)" ""
}

test_pause_all_and_unpause_all() {
  fresh_store
  load_busybox
  burrow run -d --name pa1 localhost/busybox sleep 1000 >/dev/null
  burrow run -d --name pa2 localhost/busybox sleep 1000 >/dev/null
  burrow create --name pa3 localhost/busybox true >/dev/null
  # --all prints the ids, as Podman does.
  local ids
  ids=$(burrow ps -q --no-trunc --filter name=pa1 --filter name=pa2 | sort)
  run burrow pause --all
  assert_status 0
  assert_eq "$(sort <<<"$output")" "$ids"
  assert_eq "$(burrow ps -a --format '{{.Names}} {{.Status}}' | grep -c Paused)" "2"
  run burrow unpause -a
  assert_status 0
  assert_eq "$(sort <<<"$output")" "$ids"
  burrow rm -f pa1 pa2 pa3 >/dev/null
}

test_top_default_columns_and_descriptors() {
  fresh_store
  load_busybox
  burrow run -d --name topped -u 0:0 localhost/busybox sh -c 'sleep 1000 & exec sleep 999' >/dev/null
  eventually "2" sh -c "'$BURROW_BIN' --root '$STORE/root' --runroot '$STORE/run' \
    top topped pid | tail -n +2 | wc -l"
  run burrow top topped
  assert_status 0
  local header
  header=$(head -n 1 <<<"$output" | tr -s ' ')
  assert_eq "$header" "USER PID PPID %CPU ELAPSED TTY TIME COMMAND"
  # pid 1 is the init's command, in the container's pid namespace.
  assert_match "$(sed -n 2p <<<"$output" | tr -s ' ')" '^root 1 0 [0-9.]+ [0-9hms.µ]+ \? [0-9hms.µ]+ sleep 999$'
  assert_match "$(sed -n 3p <<<"$output" | tr -s ' ')" '^root [0-9]+ 1 .* sleep 1000$'
  run burrow top topped pid,args %U
  assert_status 0
  assert_eq "$(head -n 1 <<<"$output" | tr -s ' ')" "PID COMMAND USER"
  assert_eq "$(sed -n 2p <<<"$output" | tr -s ' ')" "1 sleep 999 root"
  run burrow top topped hpid state seccomp
  assert_status 0
  assert_eq "$(sed -n 2p <<<"$output" | tr -s ' ')" "$(init_pid_of topped) S filter"
  burrow rm -f topped >/dev/null
}

test_top_shows_the_containers_user_names() {
  fresh_store
  load_busybox
  # uid 65534 is "nobody" in the image's passwd, whatever the host maps it to.
  burrow run -d --name nobodys -u 65534:65534 localhost/busybox sleep 1000 >/dev/null
  eventually "nobody" sh -c "'$BURROW_BIN' --root '$STORE/root' --runroot '$STORE/run' \
    top nobodys user | tail -n 1 | tr -d ' '"
  run burrow top nobodys user group huser
  assert_status 0
  local host_user
  host_user=$(ps -o user= -p "$(init_pid_of nobodys)" | tr -d ' ')
  assert_eq "$(sed -n 2p <<<"$output" | tr -s ' ')" "nobody nogroup $host_user"
  burrow rm -f nobodys >/dev/null
}

test_top_passes_unknown_descriptors_to_ps_in_the_container() {
  fresh_store
  load_busybox
  burrow run -d --name psopts localhost/busybox sleep 1000 >/dev/null
  run burrow top psopts -o pid,comm
  assert_status 0
  assert_contains "$output" "sleep"
  # Neither a descriptor nor an option its ps knows.
  run burrow top psopts --nosuch
  assert_status 125
  assert_contains "$output" "Error: ps --nosuch in the container failed"
  run burrow top
  assert_status 125
  burrow rm -f psopts >/dev/null
}

test_port_lists_nothing_without_published_ports() {
  fresh_store
  load_busybox
  burrow run -d --name noports localhost/busybox sleep 1000 >/dev/null
  # No network mode burrow has today publishes ports: nothing to list.
  run burrow port noports
  assert_status 0
  assert_eq "$output" ""
  run burrow port -a
  assert_status 0
  assert_eq "$output" ""
  run burrow port -l
  assert_status 0
  run burrow container port noports 80/tcp
  assert_status 125
  assert_eq "$output" 'Error: failed to find published port "80/tcp"'
  run burrow port noports 80/icmp
  assert_status 125
  assert_contains "$output" "invalid port"
  run burrow port -a noports
  assert_status 125
  run burrow port no-such-container
  assert_status 125
  run burrow port
  assert_status 125
  burrow rm -f noports >/dev/null
}
