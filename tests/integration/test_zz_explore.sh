test_explore() {
  set +e
  burrow run --name dup localhost/busybox true; echo "rc=$?"
  burrow run --name dup localhost/busybox true; echo "rc=$?"
  burrow run --rm --name dup2 localhost/busybox true; echo "rc=$?"
  burrow run --rm --name dup2 localhost/busybox true; echo "rc=$?"
  burrow info -f '{{.store.containerStore.number}}'
  ls $STORE/root/containers
  burrow run --rm -t localhost/busybox tty; echo "rc=$?"
  burrow run --rm localhost/busybox burrow-probe | grep -E "^(groups|gid)"
  burrow run --rm localhost/busybox sh -c 'cat /proc/self/status | grep -i -E "nonew|secc"'
  burrow run --rm --security-opt seccomp=unconfined localhost/busybox unshare -U true; echo "rc=$?"
  burrow run --rm localhost/busybox keyctl show; echo "rc=$?"
  burrow run --rm localhost/busybox ls -la /proc/sys /sys/firmware; echo "rc=$?"
  burrow --storage-driver vfs run --rm localhost/busybox echo vfs; echo "rc=$?"
  false
}
