# Hostile input: archives that try to escape the store, damaged or tampered
# archives, and images that point at host files. Each must fail with a clear
# error (exit 125), write nothing outside the store and register nothing.
# shellcheck shell=bash

hostile_py=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/hostile_archives.py

# hostile KIND [ARG]: builds that hostile archive; prints its path.
hostile() {
  local out
  out=$(mktemp "$BURROW_WORK/hostile-$1.XXXXXX")
  python3 "$hostile_py" "$1" "$out" "${2:-}" "$BURROW_IMAGE_TAR" || fail "building $1 failed"
  echo "$out"
}

# expect_load_rejected ARCHIVE [MESSAGE]: the load fails with exit 125 and
# an Error: (containing MESSAGE), and the store is exactly as before.
expect_load_rejected() {
  local before_ids before_entries
  before_ids=$(burrow images -q --no-trunc)
  before_entries=$(store_entries)
  run burrow load -i "$1"
  assert_status 125
  assert_contains "$output" "Error:"
  [ -z "${2:-}" ] || assert_contains "$output" "$2"
  assert_eq "$(burrow images -q --no-trunc)" "$before_ids"
  assert_eq "$(store_entries)" "$before_entries"
}

# A store that already holds the busybox image: its layers must survive.
store_with_busybox() {
  fresh_store
  load_busybox
}

# A fresh directory for an archive to aim at.
target_dir() {
  mktemp -d "$BURROW_WORK/target.XXXXXX"
}

test_hostile_layer_path_escape() {
  store_with_busybox
  local target
  target=$(target_dir)/escaped
  expect_load_rejected "$(hostile path-escape "$target")" "escapes the layer directory"
  [ ! -e "$target" ] || fail "the layer wrote $target outside the store"
}

test_hostile_layer_absolute_path_stays_inside() {
  # As with Docker and Podman, a leading / names a path inside the layer.
  fresh_store
  local target
  target=$(target_dir)/absolute
  run burrow load -i "$(hostile absolute-path "$target")"
  assert_status 0
  [ ! -e "$target" ] || fail "the layer wrote $target outside the store"
  run find "$STORE/root/layers" -path "*$target"
  assert_contains "$output" "$target"
}

test_hostile_layer_symlink_escape_absolute() {
  store_with_busybox
  local dir
  dir=$(target_dir)
  expect_load_rejected "$(hostile symlink-escape "$dir")" "outside the layer directory"
  [ ! -e "$dir/pwned" ] || fail "a write through an absolute symlink reached $dir"
}

test_hostile_layer_symlink_escape_relative() {
  store_with_busybox
  local dir
  dir=$(target_dir)
  expect_load_rejected "$(hostile symlink-up "$dir")" "outside the layer directory"
  [ ! -e "$dir/pwned" ] || fail "a write through up -> ../../.. reached $dir"
}

test_hostile_layer_symlink_replaced_by_directory() {
  # etc -> DIR, then a directory entry etc/ and etc/pwned: the link is
  # replaced, never followed.
  fresh_store
  local dir
  dir=$(target_dir)
  burrow load -i "$(hostile symlink-then-dir "$dir")" >/dev/null 2>&1 || true
  [ ! -e "$dir/pwned" ] || fail "a file was written through a replaced symlink into $dir"
  assert_eq "$(ls -A "$dir")" ""
}

test_hostile_layer_hardlink_escape() {
  store_with_busybox
  local file
  file=$(target_dir)/victim
  echo original >"$file"
  expect_load_rejected "$(hostile hardlink-escape "$file")" "escapes the layer directory"
  assert_eq "$(stat -c %h "$file")" "1"
  assert_eq "$(cat "$file")" "original"
}

test_hostile_layer_hardlink_absolute_target() {
  store_with_busybox
  local file
  file=$(target_dir)/victim
  echo original >"$file"
  expect_load_rejected "$(hostile hardlink-absolute "$file")"
  assert_eq "$(stat -c %h "$file")" "1"
}

test_hostile_layer_truncated_gzip() {
  store_with_busybox
  expect_load_rejected "$(hostile truncated-gzip)" "truncated"
}

test_hostile_layer_wrong_diff_id() {
  store_with_busybox
  expect_load_rejected "$(hostile wrong-diff-id)" "does not match"
}

test_hostile_second_layer_bad_keeps_first() {
  # The good first layer was unpacked before the second failed: it must go.
  fresh_store
  expect_load_rejected "$(hostile second-layer-bad)" "does not match"
  assert_eq "$(store_entries)" ""
}

test_hostile_manifest_config_path_escape() {
  store_with_busybox
  expect_load_rejected "$(hostile manifest-config-escape)" "unsafe archive path"
}

test_hostile_manifest_layer_path_escape() {
  store_with_busybox
  expect_load_rejected "$(hostile manifest-layer-escape)" "unsafe archive path"
}

test_hostile_oci_blob_digest_mismatch() {
  store_with_busybox
  expect_load_rejected "$(hostile oci-bad-digest)" "does not match its digest"
}

test_hostile_truncated_docker_archive() {
  store_with_busybox
  local cut=$BURROW_WORK/truncated.$$.tar
  head -c "$(($(stat -c %s "$BURROW_IMAGE_TAR") / 2))" "$BURROW_IMAGE_TAR" >"$cut"
  expect_load_rejected "$cut"
}

test_hostile_truncated_oci_archive() {
  fresh_store
  local cut=$BURROW_WORK/truncated-oci.$$.tar
  head -c "$(($(stat -c %s "$BURROW_OCI_TAR") / 2))" "$BURROW_OCI_TAR" >"$cut"
  expect_load_rejected "$cut"
  assert_eq "$(store_entries)" ""
}

test_hostile_truncated_archive_from_stdin() {
  store_with_busybox
  local before
  before=$(store_entries)
  run sh -c "head -c 100000 '$BURROW_OCI_TAR' |
    '$BURROW_BIN' --root '$STORE/root' --runroot '$STORE/run' load"
  assert_status 125
  assert_contains "$output" "Error:"
  assert_eq "$(store_entries)" "$before"
}

test_hostile_not_an_archive() {
  store_with_busybox
  local file=$BURROW_WORK/not-an-archive.$$
  printf 'this is not a tar archive\n%.0s' $(seq 1 100) >"$file"
  expect_load_rejected "$file" "supported image formats"
}

test_hostile_empty_input() {
  store_with_busybox
  expect_load_rejected /dev/null
}

test_hostile_plain_tar_is_not_an_image() {
  store_with_busybox
  local dir=$BURROW_WORK/plain.$$
  mkdir -p "$dir"
  echo hello >"$dir/file"
  tar -C "$dir" -cf "$dir.tar" file
  expect_load_rejected "$dir.tar"
}

test_hostile_import_truncated_tarball() {
  store_with_busybox
  local dir=$BURROW_WORK/import-cut.$$ before_ids before_entries
  make_busybox_rootfs "$dir/rootfs"
  tar -C "$dir/rootfs" -cf "$dir/full.tar" .
  head -c "$(($(stat -c %s "$dir/full.tar") / 2))" "$dir/full.tar" >"$dir/cut.tar"
  before_ids=$(burrow images -q --no-trunc)
  before_entries=$(store_entries)
  run burrow import "$dir/cut.tar" localhost/cut
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "truncated"
  assert_eq "$(burrow images -q --no-trunc)" "$before_ids"
  assert_eq "$(store_entries)" "$before_entries"
  run burrow image inspect localhost/cut
  assert_status 125
}

test_hostile_import_not_a_tarball() {
  store_with_busybox
  local file=$BURROW_WORK/import-junk.$$ before
  head -c 4096 /dev/urandom >"$file"
  before=$(store_entries)
  run burrow import "$file" localhost/junk
  assert_status 125
  assert_contains "$output" "Error:"
  assert_eq "$(store_entries)" "$before"
}

test_hostile_import_path_escape() {
  store_with_busybox
  local target layer before
  target=$(target_dir)/escaped
  # The escaping layer of a docker-archive, imported as a rootfs tarball.
  layer=$BURROW_WORK/escape-layer.$$.tar
  python3 -c '
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as tar:
    name = json.load(tar.extractfile("manifest.json"))[0]["Layers"][0]
    open(sys.argv[2], "wb").write(tar.extractfile(name).read())
' "$(hostile path-escape "$target")" "$layer"
  before=$(store_entries)
  run burrow import "$layer" localhost/escape
  assert_status 125
  assert_contains "$output" "Error:"
  [ ! -e "$target" ] || fail "the import wrote $target outside the store"
  assert_eq "$(store_entries)" "$before"
}

# The image's /etc/passwd is a symlink to a host file that names the user:
# it must be resolved inside the container's root, never on the host.
passwd_symlink_case() {
  local kind=$1 host_passwd
  host_passwd=$(target_dir)/passwd
  echo 'someuser:x:4242:4242:host file:/:/bin/sh' >"$host_passwd"
  fresh_store
  burrow load -i "$(hostile "$kind" "$host_passwd")" >/dev/null
  run burrow run --rm -u someuser "$2" id
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "unable to find user someuser"
  assert_not_contains "$output" "4242"
}

test_hostile_passwd_symlink_to_host_file() {
  passwd_symlink_case passwd-symlink localhost/passwd-link
}

test_hostile_passwd_relative_symlink_to_host_file() {
  passwd_symlink_case passwd-symlink-up localhost/passwd-link-up
}

test_hostile_passwd_symlink_numeric_user_still_runs() {
  # A numeric user needs no passwd entry: the container still starts.
  local host_passwd
  host_passwd=$(target_dir)/passwd
  echo 'someuser:x:4242:4242::/:/bin/sh' >"$host_passwd"
  fresh_store
  burrow load -i "$(hostile passwd-symlink "$host_passwd")" >/dev/null
  run burrow run --rm -u 1234 localhost/passwd-link id -u
  assert_status 0
  assert_eq "$output" "1234"
}

test_hostile_tag_invalid_name() {
  fresh_store
  load_busybox
  run burrow tag localhost/busybox '../../escape'
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow tag localhost/busybox 'UPPER/Case:tag'
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow images --format '{{.Repository}}:{{.Tag}}'
  assert_eq "$output" "localhost/busybox:latest"
}

test_hostile_inspect_digest_path() {
  run burrow image inspect 'sha256:../../../etc/passwd'
  assert_status 125
  assert_contains "$output" "Error:"
}
