# Healthchecks: --health-* flags, `burrow healthcheck run`, inspect
# State.Health, ps status and filter, periodic runs by the monitor, and an
# image's own Healthcheck.
# shellcheck shell=bash

health_status_of() {
  burrow inspect --format '{{.State.Health.Status}}' "$1"
}

# Polls (generously, no timing asserts) until the health status is $2.
wait_for_health() {
  local name=$1 wanted=$2 i
  for i in $(seq 600); do
    [ "$(health_status_of "$name")" = "$wanted" ] && return 0
    sleep 0.2
  done
  fail "container $name never became $wanted: $(burrow inspect --format '{{json .State.Health}}' "$name")"
}

# Loads a copy of the test image named localhost/hc:latest whose config
# has a Healthcheck (CMD-SHELL "$1", every 1s).
load_image_with_healthcheck() {
  local dir=$BURROW_WORK/hc.$$
  mkdir -p "$dir"
  python3 - "$BURROW_IMAGE_TAR" "$dir/hc.tar" "$1" <<'PY'
import hashlib, io, json, sys, tarfile
src, dst, command = sys.argv[1:4]
with tarfile.open(src) as tin:
    members = {m.name: tin.extractfile(m).read() for m in tin.getmembers() if m.isfile()}
manifest = json.loads(members.pop("manifest.json"))
config = json.loads(members.pop(manifest[0]["Config"]))
config["config"]["Healthcheck"] = {"Test": ["CMD-SHELL", command], "Interval": 1000000000,
                                   "Retries": 1}
data = json.dumps(config).encode()
name = hashlib.sha256(data).hexdigest() + ".json"
members[name] = data
manifest[0]["Config"] = name
manifest[0]["RepoTags"] = ["localhost/hc:latest"]
members["manifest.json"] = json.dumps(manifest).encode()
with tarfile.open(dst, "w") as tout:
    for member_name, content in members.items():
        info = tarfile.TarInfo(member_name)
        info.size = len(content)
        tout.addfile(info, io.BytesIO(content))
PY
  burrow load -i "$dir/hc.tar" >/dev/null
}

test_health_passing_check_is_healthy_after_a_run() {
  fresh_store
  load_busybox
  burrow run -d --name hgood --health-cmd 'true' --health-interval disable \
    localhost/busybox sleep 100 >/dev/null
  run health_status_of hgood
  assert_eq "$output" "starting"
  run burrow ps --format '{{.Status}}'
  assert_match "$output" '^Up .*\(starting\)$'
  run burrow healthcheck run hgood
  assert_status 0
  assert_eq "$output" ""
  run burrow inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hgood
  assert_eq "$output" "healthy 0"
  run burrow inspect --format '{{json .State.Health.Log}}' hgood
  assert_match "$output" '^\[\{"End":"[^"]+","ExitCode":0,"Output":"","Start":"[^"]+"\}\]$'
  run burrow inspect --format '{{json .Config.Healthcheck.Test}}' hgood
  assert_eq "$output" '["CMD-SHELL","true"]'
  run burrow ps --format '{{.Names}} {{.Status}}'
  assert_match "$output" '^hgood Up .*\(healthy\)$'
  run burrow ps --filter health=healthy --format '{{.Names}}'
  assert_eq "$output" "hgood"
  run burrow ps --filter health=unhealthy --format '{{.Names}}'
  assert_eq "$output" ""
  run burrow events --stream=false --filter event=health_status --format '{{.Name}} {{.HealthStatus}}'
  assert_eq "$output" "hgood healthy"
  burrow rm -f hgood >/dev/null
}

test_health_failing_check_is_unhealthy_after_retries() {
  fresh_store
  load_busybox
  burrow run -d --name hbad --health-cmd 'echo bad; exit 2' --health-retries 2 \
    --health-interval disable localhost/busybox sleep 100 >/dev/null
  run burrow healthcheck run hbad
  assert_status 1
  assert_eq "$output" "unhealthy"
  run burrow inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hbad
  assert_eq "$output" "starting 1"
  run burrow healthcheck run hbad
  assert_status 1
  run burrow inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hbad
  assert_eq "$output" "unhealthy 2"
  run burrow inspect --format '{{json .State.Health.Log}}' hbad
  assert_contains "$output" '"ExitCode":1,"Output":"bad"'
  run burrow ps --filter health=unhealthy --format '{{.Names}} {{.Status}}'
  assert_match "$output" '^hbad Up .*\(unhealthy\)$'
  burrow rm -f hbad >/dev/null
}

test_health_run_errors_exit_125() {
  fresh_store
  load_busybox
  run burrow healthcheck run nosuch
  assert_status 125
  assert_contains "$output" "Error: unable to look up nosuch to perform a health check"
  burrow run -d --name hnone localhost/busybox sleep 100 >/dev/null
  run burrow healthcheck run hnone
  assert_status 125
  assert_contains "$output" "has no defined healthcheck"
  burrow create --name hstopped --health-cmd true localhost/busybox true >/dev/null
  run burrow healthcheck run hstopped
  assert_status 125
  assert_contains "$output" "is not running"
  run burrow run -d --health-cmd true --health-interval 10 localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error: invalid --health-interval"
  run burrow run -d --health-cmd true --no-healthcheck localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error: --no-healthcheck conflicts with --health-cmd"
  burrow rm -f hnone >/dev/null
}

test_health_monitor_runs_the_check_periodically() {
  fresh_store
  load_busybox
  burrow run -d --name hperiodic --health-cmd 'true' --health-interval 1s \
    localhost/busybox sleep 300 >/dev/null
  # No manual run: the monitor's timer runs it.
  wait_for_health hperiodic healthy
  run burrow inspect --format '{{.Config.Healthcheck.Interval}}' hperiodic
  assert_eq "$output" "1000000000"
  burrow rm -f hperiodic >/dev/null
}

test_health_image_healthcheck_is_the_default_and_can_be_disabled() {
  fresh_store
  load_busybox
  load_image_with_healthcheck 'exit 1'
  burrow run -d --name himage localhost/hc sleep 300 >/dev/null
  run burrow inspect --format '{{json .Config.Healthcheck.Test}} {{.Config.Healthcheck.Retries}}' himage
  assert_eq "$output" '["CMD-SHELL","exit 1"] 1'
  wait_for_health himage unhealthy
  # A flag replaces the image's command, the image's interval stays.
  burrow run -d --name hflag --health-cmd true localhost/hc sleep 300 >/dev/null
  wait_for_health hflag healthy
  burrow run -d --name hoff --no-healthcheck localhost/hc sleep 300 >/dev/null
  run burrow healthcheck run hoff
  assert_status 125
  assert_contains "$output" "has no defined healthcheck"
  run burrow ps --filter health=none --format '{{.Names}}'
  assert_eq "$output" "hoff"
  run burrow inspect --format '{{.State.Health.Status}}' hoff
  assert_eq "$output" ""
  burrow rm -f himage hflag hoff >/dev/null
}
