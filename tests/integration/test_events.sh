# Events (burrow events, system events) and container prune.
# shellcheck shell=bash

# The statuses of a container's events, one a line.
event_statuses() {
  burrow events --stream=false --filter "container=$1" --format '{{.Status}}'
}

# The Unix time (seconds.nanoseconds) of the first event matching filters.
event_unix_time() {
  local ns
  ns=$(burrow events --stream=false "$@" --format '{{.TimeNano}}' | head -n 1)
  [ -n "$ns" ] || fail "no event for $*"
  echo "${ns:0:${#ns}-9}.${ns:${#ns}-9}"
}

# Polls (generously) until FILE has a line matching REGEX.
wait_for_line() {
  local file=$1 regex=$2 i
  for i in $(seq 600); do
    grep -qE "$regex" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "no line matching /$regex/ in $file: $(cat "$file")"
}

test_events_run_rm_records_the_lifecycle_in_order() {
  fresh_store
  load_busybox
  run burrow run --rm --name evrm -l tier=web localhost/busybox sh -c 'exit 3'
  assert_status 3
  run event_statuses evrm
  assert_status 0
  # create, init, start, died, cleanup, remove: the ones scripts wait for, in order.
  assert_eq "$(grep -xE 'create|start|died|remove' <<<"$output" | tr '\n' ' ')" \
    "create start died remove "
  run burrow events --stream=false --filter container=evrm --filter event=died
  assert_match "$output" '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ [-+][0-9]{4} [A-Z]+ container died [0-9a-f]{64} '
  assert_contains "$output" "(image=localhost/busybox:latest, name=evrm, containerExitCode=3, tier=web)"
  run burrow events --stream=false --filter container=evrm --filter event=died --format json
  assert_contains "$output" '"ContainerExitCode":3'
  assert_contains "$output" '"Name":"evrm"'
  assert_contains "$output" '"Image":"localhost/busybox:latest"'
  assert_contains "$output" '"Attributes":{"tier":"web"}'
  [ "$(count_lines "$output")" -eq 1 ] || fail "expected one died event: $output"
}

test_events_filters_by_event_container_type_and_image() {
  fresh_store
  load_busybox
  burrow run --rm --name eva localhost/busybox true
  burrow run --rm --name evb localhost/busybox sh -c 'exit 1' || true
  run burrow events --stream=false --filter event=die --filter container=eva \
    --format '{{.Status}} {{.Name}} {{.ContainerExitCode}}'
  assert_status 0
  assert_eq "$output" "died eva 0"
  run burrow events --stream=false --filter event=die --format '{{.Name}}'
  assert_eq "$output" "$(printf 'eva\nevb')"
  # Two values of one key: either; different keys: both.
  run burrow events --stream=false --filter event=start --filter event=remove \
    --filter container=evb --format '{{.Status}}'
  assert_eq "$output" "$(printf 'start\nremove')"
  run burrow events --stream=false --filter type=image --format '{{.Type}} {{.Status}} {{.Name}}'
  assert_eq "$output" "image loadfromarchive localhost/busybox:latest"
  run burrow events --stream=false --filter image=busybox --filter event=create --format '{{.Name}}'
  assert_eq "$output" "$(printf 'eva\nevb')"
  run burrow events --stream=false --filter bogus=1
  assert_status 125
  assert_contains "$output" "Error: invalid filter"
}

test_events_format_template_json_and_truncation() {
  fresh_store
  load_busybox
  local id
  id=$(burrow create --name evfmt localhost/busybox true)
  run burrow events --stream=false --filter container=evfmt --format '{{.Status}} {{.Name}}'
  assert_eq "$output" "create evfmt"
  run burrow events --stream=false --filter container=evfmt --format '{{json .Attributes}}'
  assert_eq "$output" "{}"
  run burrow events --stream=false --filter container=evfmt --format json
  assert_match "$output" '^\{"ID":"'"$id"'","Image":"localhost/busybox:latest","Name":"evfmt","Status":"create","Time":"[0-9T:.Z-]+","Type":"container","Attributes":\{\}\}$'
  run burrow events --stream=false --filter container=evfmt --no-trunc=false
  assert_contains "$output" "container create ${id:0:12} (image="
  assert_not_contains "$output" "$id"
  run burrow system events --stream=false --filter container=evfmt --format '{{.Status}}'
  assert_eq "$output" "create"
}

test_events_since_and_until() {
  fresh_store
  load_busybox
  burrow create --name evold localhost/busybox true >/dev/null
  burrow create --name evnew localhost/busybox true >/dev/null
  local old new
  old=$(event_unix_time --filter container=evold)
  new=$(event_unix_time --filter container=evnew)
  run burrow events --stream=false --filter event=create --since "$new" --format '{{.Name}}'
  assert_eq "$output" "evnew"
  run burrow events --stream=false --filter event=create --until "$old" --format '{{.Name}}'
  assert_eq "$output" "evold"
  run burrow events --stream=false --filter event=create --since 1h --format '{{.Name}}'
  assert_eq "$output" "$(printf 'evold\nevnew')"
  run burrow events --stream=false --filter event=create --until 1h --format '{{.Name}}'
  assert_eq "$output" ""
  run burrow events --stream=false --since 'not a time'
  assert_status 125
  assert_contains "$output" "Error: invalid time"
}

test_events_stream_prints_new_events_until_killed() {
  fresh_store
  load_busybox
  burrow create --name evearly localhost/busybox true >/dev/null
  local out=$BURROW_WORK/stream.$$ pid
  burrow_background events --since 1h --filter event=create --format '{{.Status}} {{.Name}}' >"$out" 2>&1
  pid=$!
  # Once the past event is printed the command is reading the log.
  wait_for_line "$out" '^create evearly$'
  burrow create --name evlate localhost/busybox true >/dev/null
  wait_for_line "$out" '^create evlate$'
  kill -0 "$pid" 2>/dev/null || fail "events --stream exited by itself: $(cat "$out")"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  # Streaming without --since shows only what happens after it started.
  burrow_background events --filter event=remove --format '{{.Name}}' >"$out.new" 2>&1
  pid=$!
  local i
  for i in $(seq 600); do
    burrow create --name "evlate$i" localhost/busybox true >/dev/null
    burrow rm "evlate$i" >/dev/null
    grep -q "^evlate$i\$" "$out.new" && break
  done
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  grep -q '^evlate[0-9]' "$out.new" || fail "no streamed remove event: $(cat "$out.new")"
  assert_not_contains "$(cat "$out.new")" "evearly"
}

test_events_exec_rename_stop_and_images() {
  fresh_store
  load_busybox
  local id
  id=$(burrow run -d --name evx localhost/busybox sleep 100)
  burrow exec evx sh -c 'exit 4' || true
  burrow rename evx evy
  burrow stop -t 0 evy >/dev/null
  # The events before the rename carry the old name: follow the id.
  run event_statuses "$id"
  assert_eq "$(grep -xE 'exec|exec_died|rename|died|stop|kill' <<<"$output" | sort | tr '\n' ' ')" \
    "died exec exec_died rename stop "
  run burrow events --stream=false --filter container=evx --filter event=exec_died \
    --format '{{.ContainerExitCode}}'
  assert_eq "$output" "4"
  run burrow events --stream=false --filter container=evy --filter event=rename --format '{{.Name}}'
  assert_eq "$output" "evy"
  burrow tag localhost/busybox localhost/evtag:1
  burrow rmi localhost/evtag:1 >/dev/null
  run burrow events --stream=false --filter type=image --format '{{.Status}} {{.Name}}'
  assert_eq "$output" "$(printf 'loadfromarchive localhost/busybox:latest\ntag localhost/evtag:1\nuntag localhost/evtag:1')"
}

test_prune_removes_stopped_and_created_containers_only() {
  fresh_store
  load_busybox
  local created exited running
  created=$(burrow create --name pcreated localhost/busybox true)
  exited=$(burrow run -d --name pexited localhost/busybox true)
  burrow wait pexited >/dev/null
  running=$(burrow run -d --name prunning localhost/busybox sleep 100)
  run burrow container prune -f
  assert_status 0
  assert_eq "$(sort <<<"$output")" "$(printf '%s\n%s' "$created" "$exited" | sort)"
  run burrow ps -a --format '{{.Names}}'
  assert_eq "$output" "prunning"
  run event_statuses pcreated
  assert_contains "$output" "remove"
  burrow rm -f prunning >/dev/null
  [ -n "$running" ]
}

test_prune_asks_first_and_honours_filters() {
  fresh_store
  load_busybox
  burrow create --name pkeep -l keep=yes localhost/busybox true >/dev/null
  burrow create --name pdrop localhost/busybox true >/dev/null
  run sh -c 'echo n | "$0" --root "$1" --runroot "$2" container prune' \
    "$BURROW_BIN" "$STORE/root" "$STORE/run"
  assert_status 0
  assert_contains "$output" "Are you sure you want to continue? [y/N]"
  run burrow ps -a --format '{{.Names}}'
  assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "pdrop pkeep "
  run sh -c 'echo y | "$0" --root "$1" --runroot "$2" container prune --filter label!=keep' \
    "$BURROW_BIN" "$STORE/root" "$STORE/run"
  assert_status 0
  run burrow ps -a --format '{{.Names}}'
  assert_eq "$output" "pkeep"
  run burrow container prune -f --filter label=keep=yes
  assert_status 0
  run burrow ps -a --format '{{.Names}}'
  assert_eq "$output" ""
  run burrow container prune -f --filter bogus=1
  assert_status 125
  assert_contains "$output" "Error: invalid filter"
}

test_events_rm_force_of_a_running_container_records_its_death() {
  fresh_store
  load_busybox
  burrow run -d --name evkill localhost/busybox sleep 1000 >/dev/null
  burrow rm -f evkill >/dev/null
  run event_statuses evkill
  assert_eq "$(grep -xE 'create|start|died|remove' <<<"$output" | tr '\n' ' ')" \
    "create start died remove "
  run burrow events --stream=false --filter container=evkill --filter event=died --format json
  assert_contains "$output" '"ContainerExitCode":137'
}
