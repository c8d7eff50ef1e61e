# save in every format, and load of what it writes: archives, OCI layout
# directories (also hostile ones), multi-image archives, pipes.
# shellcheck shell=bash

SAVE_TTY_DRIVER="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/tty_driver.py"

save_dir() {
  mktemp -d "$BURROW_WORK/save.XXXXXX"
}

# The full id of the image NAME in the current store.
save_id_of() {
  burrow images -q --no-trunc "$1"
}

# save_round_trip NAME ARGS...: saves NAME with ARGS (which name the output),
# removes it, loads the output back and checks the id and the name survived.
save_round_trip() {
  local name=$1 target=$2 id
  shift 2
  id=$(save_id_of "$name")
  [ -n "$id" ] || fail "no image $name to save"
  run burrow save "$@" -o "$target" "$name"
  assert_status 0
  assert_eq "$output" ""
  burrow rmi "$name" >/dev/null
  assert_eq "$(save_id_of "$name")" ""
  run burrow load -i "$target"
  assert_status 0
  assert_contains "$output" "Loaded image: $name"
  assert_eq "$(save_id_of "$name")" "$id"
}

# Prints one JSON value of a member of tar $1: save_tar_json TAR MEMBER EXPR
save_tar_json() {
  python3 - "$@" <<'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as tar:
    doc = json.load(tar.extractfile(sys.argv[2]))
print(json.dumps(eval(sys.argv[3], {"doc": doc})))
PY
}

# A rootfs tarball of the host's busybox, for import.
save_rootfs_tar() {
  local dir
  dir=$(save_dir)
  make_busybox_rootfs "$dir/root"
  tar -C "$dir/root" -cf "$dir/rootfs.tar" .
  echo "$dir/rootfs.tar"
}

test_save_docker_archive_round_trip() {
  fresh_store
  load_busybox
  local dir id
  dir=$(save_dir)
  id=$(save_id_of localhost/busybox:latest)
  burrow save -o "$dir/a.tar" localhost/busybox:latest
  # docker save's layout: the config as <id>.json, the layers as
  # uncompressed <diff_id>.tar, RepoTags with the full name.
  assert_eq "$(save_tar_json "$dir/a.tar" manifest.json 'doc[0]["RepoTags"]')" \
    '["localhost/busybox:latest"]'
  assert_eq "$(save_tar_json "$dir/a.tar" manifest.json 'doc[0]["Config"]')" "\"${id#sha256:}.json\""
  run python3 - "$dir/a.tar" <<'PY'
import hashlib, json, sys, tarfile
with tarfile.open(sys.argv[1]) as tar:
    entry = json.load(tar.extractfile("manifest.json"))[0]
    config = json.load(tar.extractfile(entry["Config"]))
    for name, diff_id in zip(entry["Layers"], config["rootfs"]["diff_ids"]):
        digest = "sha256:" + hashlib.sha256(tar.extractfile(name).read()).hexdigest()
        print(digest == diff_id and name == diff_id[7:] + ".tar")
PY
  assert_eq "$output" "True"
  save_round_trip localhost/busybox:latest "$dir/b.tar"
  run burrow run --rm localhost/busybox:latest echo loaded-back
  assert_status 0
  assert_eq "$output" "loaded-back"
}

test_save_oci_archive_round_trip_keeps_gzip_layers() {
  fresh_store
  burrow load -i "$BURROW_OCI_TAR" >/dev/null
  local dir
  dir=$(save_dir)
  burrow save --format oci-archive -o "$dir/a.tar" localhost/busybox-oci:latest
  run python3 - "$dir/a.tar" <<'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as tar:
    index = json.load(tar.extractfile("index.json"))
    entry = index["manifests"][0]
    print(entry["annotations"]["org.opencontainers.image.ref.name"])
    manifest = json.load(tar.extractfile("blobs/sha256/" + entry["digest"][7:]))
    print(manifest["layers"][0]["mediaType"])
    print(json.load(tar.extractfile("oci-layout"))["imageLayoutVersion"])
PY
  assert_eq "$output" $'localhost/busybox-oci:latest\napplication/vnd.oci.image.layer.v1.tar+gzip\n1.0.0'
  save_round_trip localhost/busybox-oci:latest "$dir/b.tar" --format oci-archive
  run burrow run --rm localhost/busybox-oci:latest echo oci-back
  assert_status 0
  assert_eq "$output" "oci-back"
}

test_save_oci_formats_compress_unless_uncompressed() {
  fresh_store
  load_busybox
  local dir
  dir=$(save_dir)
  # The docker-archive image's layer is stored uncompressed: gzip by default.
  burrow save --format oci-archive -o "$dir/gz.tar" localhost/busybox:latest
  burrow save --format oci-archive --uncompressed -o "$dir/plain.tar" localhost/busybox:latest
  local check='import json, sys, tarfile
with tarfile.open(sys.argv[1]) as tar:
    entry = json.load(tar.extractfile("index.json"))["manifests"][0]
    manifest = json.load(tar.extractfile("blobs/sha256/" + entry["digest"][7:]))
    print(manifest["layers"][0]["mediaType"])'
  assert_eq "$(python3 -c "$check" "$dir/gz.tar")" "application/vnd.oci.image.layer.v1.tar+gzip"
  assert_eq "$(python3 -c "$check" "$dir/plain.tar")" "application/vnd.oci.image.layer.v1.tar"
  save_round_trip localhost/busybox:latest "$dir/gz2.tar" --format oci-archive
  save_round_trip localhost/busybox:latest "$dir/plain2.tar" --format oci-archive --uncompressed
}

test_save_docker_archive_of_gzip_image_has_plain_layers() {
  fresh_store
  burrow load -i "$BURROW_OCI_TAR" >/dev/null
  local dir
  dir=$(save_dir)
  save_round_trip localhost/busybox-oci:latest "$dir/a.tar"
  run burrow run --rm localhost/busybox-oci:latest echo plain-back
  assert_eq "$output" "plain-back"
}

test_save_oci_dir_round_trip() {
  fresh_store
  load_busybox
  local dir
  dir=$(save_dir)
  burrow save --format oci-dir -o "$dir/layout" localhost/busybox:latest
  [ -f "$dir/layout/oci-layout" ] || fail "no oci-layout in the directory"
  [ -f "$dir/layout/index.json" ] || fail "no index.json in the directory"
  save_round_trip localhost/busybox:latest "$dir/layout2" --format oci-dir
  # An existing non-empty directory is not replaced.
  run burrow save --format oci-dir -o "$dir/layout" localhost/busybox:latest
  assert_status 125
  assert_contains "$output" "already exists"
  # Nothing else either: no temporary directory is left beside them.
  assert_eq "$(find "$dir" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')" \
    "layout layout2 "
}

test_save_multi_image_docker_archive() {
  fresh_store
  load_busybox
  burrow load -i "$BURROW_OCI_TAR" >/dev/null
  local dir one two
  dir=$(save_dir)
  one=$(save_id_of localhost/busybox:latest)
  two=$(save_id_of localhost/busybox-oci:latest)
  [ "$one" != "$two" ] || fail "the two test images should differ"
  burrow save -m -o "$dir/multi.tar" localhost/busybox:latest localhost/busybox-oci:latest
  assert_eq "$(save_tar_json "$dir/multi.tar" manifest.json '[e["RepoTags"] for e in doc]')" \
    '[["localhost/busybox:latest"], ["localhost/busybox-oci:latest"]]'
  burrow rmi -a >/dev/null
  run burrow load -i "$dir/multi.tar"
  assert_status 0
  assert_contains "$output" "Loaded image: localhost/busybox:latest"
  assert_contains "$output" "Loaded image: localhost/busybox-oci:latest"
  assert_eq "$(save_id_of localhost/busybox:latest)" "$one"
  assert_eq "$(save_id_of localhost/busybox-oci:latest)" "$two"
}

test_save_extra_names_are_tags_without_multi() {
  fresh_store
  load_busybox
  local dir
  dir=$(save_dir)
  burrow save -o "$dir/tags.tar" localhost/busybox:latest extra:v1
  assert_eq "$(save_tar_json "$dir/tags.tar" manifest.json '[e["RepoTags"] for e in doc]')" \
    '[["localhost/busybox:latest", "localhost/extra:v1"]]'
  run burrow save --format oci-archive -o "$dir/two.tar" localhost/busybox:latest extra:v1
  assert_status 125
  assert_contains "$output" "docker-archive"
  run burrow save -m --format oci-archive -o "$dir/m.tar" localhost/busybox:latest
  assert_status 125
  assert_contains "$output" "--multi-image-archive"
  assert_eq "$(ls -A "$dir")" "tags.tar"
}

test_save_to_stdout_pipes_into_load() {
  fresh_store
  load_busybox
  local id source
  id=$(save_id_of localhost/busybox:latest)
  # Into the same store: neither may hold the storage lock while the other
  # needs it. save starts a moment late, so that load is already waiting
  # for its input (the order that once deadlocked).
  run bash -c "set -o pipefail; { sleep 1; \"$BURROW_BIN\" --root \"$STORE/root\" \
    --runroot \"$STORE/run\" save localhost/busybox:latest; } | \"$BURROW_BIN\" \
    --root \"$STORE/root\" --runroot \"$STORE/run\" load"
  assert_status 0
  assert_contains "$output" "Loaded image: localhost/busybox:latest"
  # Into another store.
  source=$STORE
  fresh_store
  run bash -c "set -o pipefail; \"$BURROW_BIN\" --root \"$source/root\" --runroot \"$source/run\" \
    save --format oci-archive localhost/busybox:latest | \"$BURROW_BIN\" --root \"$STORE/root\" \
    --runroot \"$STORE/run\" load"
  assert_status 0
  assert_eq "$(save_id_of localhost/busybox:latest)" "$id"
}

test_save_missing_image_writes_nothing() {
  fresh_store
  load_busybox
  local dir format
  dir=$(save_dir)
  for format in docker-archive oci-archive oci-dir; do
    run burrow save --format "$format" -o "$dir/out" no-such-image
    assert_status 125
    assert_contains "$output" "no-such-image"
  done
  run burrow save -m -o "$dir/out" localhost/busybox:latest no-such-image
  assert_status 125
  run burrow save no-such-image
  assert_status 125
  assert_eq "$(ls -A "$dir")" ""
  assert_eq "$(ls -A "$STORE/root/tmp" 2>/dev/null)" ""
  run burrow save --format zip -o "$dir/out" localhost/busybox:latest
  assert_status 125
  assert_contains "$output" "oci-archive"
}

test_save_refuses_a_terminal() {
  fresh_store
  load_busybox
  run python3 "$SAVE_TTY_DRIVER" -- "$BURROW_BIN" --root "$STORE/root" --runroot "$STORE/run" \
    save localhost/busybox:latest
  assert_status 125
  assert_contains "$output" "refusing to save to terminal"
}

test_save_images_without_stored_manifest() {
  fresh_store
  load_busybox
  local dir tarball format
  dir=$(save_dir)
  tarball=$(save_rootfs_tar)
  burrow import "$tarball" localhost/imported:latest >/dev/null
  burrow run --name base localhost/busybox sh -c 'echo committed >/c.txt' >/dev/null
  burrow commit -q base localhost/committed:latest >/dev/null
  for format in docker-archive oci-archive oci-dir; do
    save_round_trip localhost/imported:latest "$dir/imported-$format" --format "$format"
    save_round_trip localhost/committed:latest "$dir/committed-$format" --format "$format"
  done
  run burrow run --rm localhost/committed:latest cat /c.txt
  assert_eq "$output" "committed"
  run burrow run --rm localhost/imported:latest echo imported
  assert_eq "$output" "imported"
}

# A layout directory saved from the store, to be spoiled by a test.
save_layout_to_spoil() {
  local dir=$1
  burrow save --format oci-dir -o "$dir/layout" localhost/busybox:latest
  burrow rmi localhost/busybox:latest >/dev/null
}

# The biggest blob of the layout: its layer.
save_layer_blob() {
  find "$1/layout/blobs/sha256" -type f -printf '%s %f\n' | sort -n | tail -n 1 | cut -d' ' -f2
}

save_assert_load_stores_nothing() {
  local dir=$1 before
  before=$(store_entries)
  run burrow load -i "$dir/layout"
  assert_status 125
  assert_eq "$(burrow images -q)" ""
  assert_eq "$(store_entries)" "$before"
}

test_save_load_layout_dir_rejects_wrong_digest() {
  fresh_store
  load_busybox
  local dir layer
  dir=$(save_dir)
  save_layout_to_spoil "$dir"
  layer=$(save_layer_blob "$dir")
  printf 'x' >>"$dir/layout/blobs/sha256/$layer"
  save_assert_load_stores_nothing "$dir"
  assert_contains "$output" "does not match its digest"
}

test_save_load_layout_dir_rejects_path_escape() {
  fresh_store
  load_busybox
  local dir layer
  dir=$(save_dir)
  save_layout_to_spoil "$dir"
  layer=$(save_layer_blob "$dir")
  # The blob becomes a link out of the layout, to a copy of itself, so only
  # following the link could make the load succeed.
  mv "$dir/layout/blobs/sha256/$layer" "$dir/outside"
  ln -s ../../../outside "$dir/layout/blobs/sha256/$layer"
  save_assert_load_stores_nothing "$dir"
  assert_contains "$output" "$layer"
  ln -sf "$dir/outside" "$dir/layout/blobs/sha256/$layer"
  save_assert_load_stores_nothing "$dir"
  # Put back, the layout loads: the failures were the links'.
  rm "$dir/layout/blobs/sha256/$layer"
  mv "$dir/outside" "$dir/layout/blobs/sha256/$layer"
  run burrow load -i "$dir/layout"
  assert_status 0
  assert_contains "$output" "Loaded image: localhost/busybox:latest"
}

test_save_records_save_event() {
  fresh_store
  load_busybox
  local dir
  dir=$(save_dir)
  burrow save -o "$dir/a.tar" localhost/busybox:latest
  run burrow events --stream=false --filter event=save --format '{{.Status}} {{.Name}}'
  assert_status 0
  assert_eq "$output" "save localhost/busybox:latest"
}
