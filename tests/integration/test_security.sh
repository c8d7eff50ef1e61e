# Security defaults and their switches, seen from inside with burrow-probe.
# shellcheck shell=bash

# Podman's default capabilities: CHOWN DAC_OVERRIDE FOWNER FSETID KILL
# NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT.
default_caps=00000000800405fb

probe() {
  run burrow run --rm "$@" localhost/busybox burrow-probe
  assert_status 0
}

# CAPS with bit $2 set or cleared, as /proc/self/status prints it.
caps_with_bit() { printf '%016x' $((0x$1 | (1 << $2))); }
caps_without_bit() { printf '%016x' $((0x$1 & ~(1 << $2))); }

test_security_seccomp_filter_by_default() {
  probe
  assert_eq "$(probe_value Seccomp)" "2"
}

test_security_seccomp_unconfined() {
  probe --security-opt seccomp=unconfined
  assert_eq "$(probe_value Seccomp)" "0"
}

test_security_privileged_has_no_seccomp() {
  probe --privileged
  assert_eq "$(probe_value Seccomp)" "0"
}

test_security_seccomp_custom_profile() {
  local profile=$BURROW_WORK/seccomp.$$.json
  cat >"$profile" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
JSON
  run burrow run --rm --security-opt "seccomp=$profile" localhost/busybox mkdir /newdir
  assert_status 1
  assert_contains "$output" "Operation not permitted"
  run burrow run --rm --security-opt "seccomp=$profile" localhost/busybox touch /newfile
  assert_status 0
}

test_security_seccomp_missing_profile_fails() {
  run burrow run --rm --security-opt "seccomp=$BURROW_WORK/no-such-profile.json" localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error:"
}

test_security_unknown_security_opt_fails() {
  run burrow run --rm --security-opt bogus localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error:"
}

test_security_no_new_privileges() {
  probe
  assert_eq "$(probe_value NoNewPrivs)" "0"
  probe --security-opt no-new-privileges
  assert_eq "$(probe_value NoNewPrivs)" "1"
}

test_security_default_capabilities() {
  probe
  assert_eq "$(probe_value CapBnd)" "$default_caps"
  assert_eq "$(probe_value CapEff)" "$default_caps"
  assert_eq "$(probe_value CapPrm)" "$default_caps"
  assert_eq "$(probe_value CapAmb)" "0000000000000000"
}

test_security_cap_drop() {
  probe --cap-drop CHOWN
  assert_eq "$(probe_value CapBnd)" "$(caps_without_bit $default_caps 0)"
  assert_eq "$(probe_value CapEff)" "$(caps_without_bit $default_caps 0)"
}

test_security_cap_drop_with_prefix_and_lowercase() {
  probe --cap-drop cap_kill
  assert_eq "$(probe_value CapBnd)" "$(caps_without_bit $default_caps 5)"
}

test_security_cap_add() {
  probe --cap-add SYS_ADMIN
  assert_eq "$(probe_value CapBnd)" "$(caps_with_bit $default_caps 21)"
  assert_eq "$(probe_value CapEff)" "$(caps_with_bit $default_caps 21)"
}

test_security_cap_drop_all() {
  probe --cap-drop all
  assert_eq "$(probe_value CapBnd)" "0000000000000000"
  assert_eq "$(probe_value CapEff)" "0000000000000000"
}

test_security_cap_drop_all_then_add() {
  probe --cap-drop all --cap-add NET_BIND_SERVICE
  assert_eq "$(probe_value CapBnd)" "$(caps_with_bit 0 10)"
}

test_security_unknown_capability_fails() {
  run burrow run --rm --cap-add NOT_A_CAP localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error:"
}

test_security_non_root_user_has_no_effective_caps() {
  probe -u 1000:1000
  assert_eq "$(probe_value uid)" "1000"
  assert_eq "$(probe_value gid)" "1000"
  assert_eq "$(probe_value CapEff)" "0000000000000000"
  assert_eq "$(probe_value CapPrm)" "0000000000000000"
  assert_eq "$(probe_value CapBnd)" "$default_caps"
}

test_security_privileged_has_all_caps() {
  # Rootless, a new user namespace grants every capability the kernel knows;
  # as root the container gets the caller's bounding set.
  local want last
  if is_rootless; then
    last=$(cat /proc/sys/kernel/cap_last_cap)
    want=$(printf '%016x' $(((1 << (last + 1)) - 1)))
  else
    want=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  fi
  probe --privileged
  assert_eq "$(probe_value CapBnd)" "$want"
  assert_eq "$(probe_value CapEff)" "$want"
}

test_security_masked_proc_files_read_empty() {
  local checked=0 file
  for file in /proc/kcore /proc/keys /proc/timer_list /proc/interrupts /proc/sched_debug \
    /proc/latency_stats /proc/timer_stats; do
    [ -e "$file" ] || continue # masking a path the kernel lacks shows nothing
    run burrow run --rm localhost/busybox sh -c "cat $file 2>/dev/null | wc -c"
    assert_status 0
    assert_eq "$output" "0"
    checked=$((checked + 1))
  done
  [ "$checked" -gt 0 ] || skip "the host kernel has none of the masked /proc files"
}

test_security_masked_sys_firmware_is_empty() {
  [ -d /sys/firmware ] || skip "the host has no /sys/firmware"
  run burrow run --rm localhost/busybox ls -A /sys/firmware
  assert_status 0
  assert_eq "$output" ""
}

test_security_privileged_unmasks_proc() {
  [ "$(wc -c </proc/interrupts)" -gt 0 ] || skip "the host's /proc/interrupts is empty"
  run burrow run --rm --privileged localhost/busybox sh -c 'wc -c </proc/interrupts'
  assert_status 0
  [ "$output" -gt 0 ] || fail "/proc/interrupts is still masked with --privileged: $output"
}

test_security_proc_sys_read_only() {
  run burrow run --rm localhost/busybox burrow-probe write /proc/sys/kernel/hostname
  assert_status 1
  assert_eq "$output" "write=EROFS"
}

test_security_sys_read_only() {
  probe
  assert_match "$output" $'\n''mount=/sys sysfs ro,'
  assert_match "$output" $'\n''mount=/proc/sys proc ro,'
}

test_security_rootless_uid_map() {
  is_rootless || skip "rootless only: root uses the identity map (see test_security_root_uid_map)"
  local me range
  me=$(id -u)
  range=$(awk -F: -v u="$(id -un)" '$1 == u {print $2 " " $3; exit}' /etc/subuid)
  [ -n "$range" ] || fail "no /etc/subuid range for $(id -un)"
  probe
  assert_eq "$(probe_value uid_map)" "0 $me 1,1 $range"
  range=$(awk -F: -v u="$(id -un)" '$1 == u {print $2 " " $3; exit}' /etc/subgid)
  assert_eq "$(probe_value gid_map)" "0 $(id -g) 1,1 $range"
}

test_security_root_uid_map() {
  is_rootless && skip "needs root: rootless maps come from /etc/subuid (see test_security_rootless_uid_map)"
  probe
  assert_eq "$(probe_value uid_map)" "0 0 4294967295"
  assert_eq "$(probe_value gid_map)" "0 0 4294967295"
}

test_security_default_nofile_limit() {
  local host_hard want=1048576
  host_hard=$(ulimit -Hn)
  [ "$host_hard" != unlimited ] && [ "$host_hard" -lt "$want" ] && want=$host_hard
  probe
  assert_eq "$(probe_value nofile_hard)" "$want"
  assert_eq "$(probe_value nofile_soft)" "$want"
}

test_security_ulimit_nofile() {
  probe --ulimit nofile=100:200
  assert_eq "$(probe_value nofile_soft)" "100"
  assert_eq "$(probe_value nofile_hard)" "200"
}

test_security_ulimit_soft_above_hard_fails() {
  run burrow run --rm --ulimit nofile=300:200 localhost/busybox true
  assert_status 125
  assert_contains "$output" "Error:"
}

test_security_unshare_user_ns_denied_by_default() {
  run burrow run --rm localhost/busybox unshare -U true
  assert_status 1
  assert_contains "$output" "Operation not permitted"
}

test_security_unshare_user_ns_allowed_when_privileged() {
  [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] ||
    skip "user namespaces are disabled on this host"
  run burrow run --rm --privileged localhost/busybox unshare -U true
  assert_status 0
}

test_security_mount_denied_without_sys_admin() {
  run burrow run --rm localhost/busybox mount -t tmpfs tmpfs /mnt
  [ "$status" -ne 0 ] || fail "mount succeeded without CAP_SYS_ADMIN"
  assert_contains "$output" "denied"
}

test_security_no_host_block_devices() {
  run burrow run --rm localhost/busybox ls /dev
  assert_status 0
  local dev
  for dev in null zero full random urandom tty; do
    grep -qx "$dev" <<<"$output" || fail "/dev/$dev is missing: $output"
  done
  assert_not_contains "$output" "sda"
  assert_not_contains "$output" "vda"
  assert_not_contains "$output" "nvme"
}
