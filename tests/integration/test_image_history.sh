# image history, image tree and image prune.
# shellcheck shell=bash

# A docker-archive at $1 of a one-layer image localhost/hist:latest whose
# history has the layer's entry and then an empty_layer one, as a build of
# "ADD ... / CMD" leaves it.
history_archive() {
  python3 - "$1" <<'PY'
import hashlib, io, json, sys, tarfile

def member(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))

layer_buf = io.BytesIO()
with tarfile.open(fileobj=layer_buf, mode="w", format=tarfile.PAX_FORMAT) as layer:
    member(layer, "hello.txt", b"hello history\n" * 100)
layer_bytes = layer_buf.getvalue()
diff_id = "sha256:" + hashlib.sha256(layer_bytes).hexdigest()
config = json.dumps({
    "created": "2024-01-02T03:04:05Z", "architecture": "amd64", "os": "linux",
    "config": {"Cmd": ["sh"], "Labels": {"stage": "test"}},
    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    "history": [
        {"created": "2024-01-02T03:04:00Z", "created_by": "/bin/sh -c #(nop) ADD file:hello in /"},
        {"created": "2024-01-02T03:04:05Z",
         "created_by": "/bin/sh -c #(nop)  CMD [\"sh\", \"-c\", \"echo hello from a long history line\"]",
         "comment": "the command", "empty_layer": True},
    ]}).encode()
config_name = hashlib.sha256(config).hexdigest() + ".json"
with tarfile.open(sys.argv[1], "w") as tar:
    member(tar, diff_id[7:] + ".tar", layer_bytes)
    member(tar, config_name, config)
    member(tar, "manifest.json", json.dumps([{"Config": config_name,
        "RepoTags": ["localhost/hist:latest"], "Layers": [diff_id[7:] + ".tar"]}]).encode())
PY
}

history_load() {
  local dir
  dir=$(mktemp -d "$BURROW_WORK/hist.XXXXXX")
  history_archive "$dir/hist.tar"
  burrow load -i "$dir/hist.tar" >/dev/null
}

test_history_columns_and_missing_rows() {
  fresh_store
  history_load
  local id
  id=$(burrow images -q --no-trunc localhost/hist)
  id=${id#sha256:}
  run burrow history localhost/hist
  assert_status 0
  local header
  header=$(head -n 1 <<<"$output")
  assert_match "$header" '^ID +CREATED +CREATED BY +SIZE +COMMENT$'
  assert_eq "$(count_lines "$output")" 3
  # Newest first: the empty_layer entry has the image's id and size 0B; the
  # layer's entry, whose layer tops no other image, is "<missing>".
  assert_match "$(sed -n 2p <<<"$output")" "^${id:0:12} +.* ago +/bin/sh -c #\\(nop\\)  CMD .*\\.\\.\\. +0B +the command$"
  assert_match "$(sed -n 3p <<<"$output")" '^<missing> +.* ago +/bin/sh -c #\(nop\) ADD file:hello in / +[0-9.]+kB *$'
  run burrow image history --format '{{.ID}}|{{.Size}}|{{.CreatedAt}}' --human=false localhost/hist
  assert_status 0
  assert_match "$output" "^${id:0:12}\|0\|2024-01-02T03:04:05Z"$'\n'"<missing>\|[0-9]+\|2024-01-02T03:04:00Z$"
  run burrow history -q --no-trunc localhost/hist
  assert_eq "$output" "$id"$'\n<missing>'
  run burrow history no-such-image
  assert_status 125
}

test_history_truncates_created_by_unless_no_trunc() {
  fresh_store
  history_load
  # Podman's 45-column CREATED BY: longer commands end in "...".
  run burrow history --format '{{.CreatedBy}}' localhost/hist
  assert_eq "$output" '/bin/sh -c #(nop)  CMD ["sh", "-c", "echo ...'$'\n''/bin/sh -c #(nop) ADD file:hello in /'
  run burrow history --no-trunc --format '{{.CreatedBy}}' localhost/hist
  assert_eq "$(head -n 1 <<<"$output")" \
    '/bin/sh -c #(nop)  CMD ["sh", "-c", "echo hello from a long history line"]'
  fresh_store
  load_busybox
  burrow run --name base localhost/busybox true >/dev/null
  burrow commit -q -m note base localhost/child >/dev/null
  run burrow history --format '{{.ID}} {{.Comment}}' localhost/child
  assert_status 0
  # The committed layer's row, then the base image's row under the base
  # image's own id, since a local image ends at that layer.
  local base_id
  base_id=$(burrow images -q localhost/busybox)
  assert_eq "$(tail -n 1 <<<"$output")" "$base_id "
  assert_match "$(head -n 1 <<<"$output")" '^[0-9a-f]{12} note$'
}

test_image_tree_layout() {
  fresh_store
  load_busybox
  local id diff
  id=$(burrow images -q localhost/busybox)
  diff=$(burrow inspect --format '{{json .RootFS.Layers}}' localhost/busybox | tr -d '[]"')
  run burrow image tree localhost/busybox
  assert_status 0
  assert_eq "$(sed -n 1p <<<"$output")" "Image ID: $id"
  assert_eq "$(sed -n 2p <<<"$output")" "Tags:     [localhost/busybox:latest]"
  assert_match "$(sed -n 3p <<<"$output")" '^Size:     [0-9.]+[kMG]?B$'
  assert_eq "$(sed -n 4p <<<"$output")" "Image Layers"
  assert_match "$(sed -n 5p <<<"$output")" \
    "^└──  ID: ${diff:7:12} Size: +[0-9.]+[kMG]?B Top Layer of: \\[localhost/busybox:latest\\]$"
  burrow run --name base localhost/busybox true >/dev/null
  burrow commit -q base localhost/child >/dev/null
  run burrow image tree --whatrequires localhost/busybox
  assert_status 0
  assert_eq "$(count_lines "$output")" 4
  assert_match "$(sed -n 4p <<<"$output")" \
    '^└──  ID: [0-9a-f]{12} Size: +[0-9.]+[kMG]?B Top Layer of: \[localhost/child:latest\]$'
  run burrow image tree no-such-image
  assert_status 125
}

# An unnamed (dangling) image: an import without a name.
prune_dangling_id() {
  local dir
  dir=$(mktemp -d "$BURROW_WORK/prune.XXXXXX")
  make_busybox_rootfs "$dir/root"
  echo "$1" >"$dir/root/marker"
  tar -C "$dir/root" -cf "$dir/rootfs.tar" .
  burrow import "$dir/rootfs.tar" | sed 's/^sha256://'
}

test_image_prune_removes_only_dangling() {
  fresh_store
  load_busybox
  local dangling
  dangling=$(prune_dangling_id one)
  assert_eq "$(burrow images -q | wc -l)" 2
  # Without -f it asks; "n" (or no answer) removes nothing.
  run bash -c "echo n | \"$BURROW_BIN\" --root \"$STORE/root\" --runroot \"$STORE/run\" image prune"
  assert_status 0
  assert_contains "$output" "WARNING! This command removes all dangling images."
  assert_eq "$(burrow images -q | wc -l)" 2
  run bash -c "echo y | \"$BURROW_BIN\" --root \"$STORE/root\" --runroot \"$STORE/run\" image prune"
  assert_status 0
  assert_contains "$output" "$dangling"
  assert_eq "$(burrow images -q --no-trunc)" "$(burrow images -q --no-trunc localhost/busybox)"
  run burrow image prune -f
  assert_status 0
  assert_eq "$output" ""
  run burrow events --stream=false --filter event=remove --format '{{.ID}}'
  assert_contains "$output" "$dangling"
}

test_image_prune_all_keeps_images_in_use() {
  fresh_store
  load_busybox
  burrow load -i "$BURROW_OCI_TAR" >/dev/null
  local dangling unused
  dangling=$(prune_dangling_id two)
  unused=$(burrow images -q --no-trunc localhost/busybox-oci)
  burrow create --name user localhost/busybox >/dev/null
  run burrow image prune -a -f
  assert_status 0
  assert_eq "$(sort <<<"$output")" "$(printf '%s\n' "$dangling" "${unused#sha256:}" | sort)"
  assert_eq "$(burrow images --format '{{.Repository}}')" "localhost/busybox"
  burrow rm user >/dev/null
  run burrow image prune -a -f
  assert_status 0
  assert_eq "$(burrow images -q)" ""
}

test_image_prune_filters() {
  fresh_store
  load_busybox
  local dir labelled
  dir=$(mktemp -d "$BURROW_WORK/prune.XXXXXX")
  make_busybox_rootfs "$dir/root"
  tar -C "$dir/root" -cf "$dir/rootfs.tar" .
  labelled=$(burrow import -c 'LABEL purpose=scratch' "$dir/rootfs.tar" localhost/labelled |
    sed 's/^sha256://')
  # busybox was created at the epoch, the import now: until=1h takes only busybox.
  run burrow image prune -a -f --filter label=purpose=scratch
  assert_status 0
  assert_eq "$output" "$labelled"
  burrow import "$dir/rootfs.tar" localhost/recent >/dev/null
  local old
  old=$(burrow images -q --no-trunc localhost/busybox)
  run burrow image prune -a -f --filter until=1h
  assert_status 0
  assert_eq "$output" "${old#sha256:}"
  assert_eq "$(burrow images --format '{{.Repository}}')" "localhost/recent"
  run burrow image prune -f --filter bogus=1
  assert_status 125
  assert_contains "$output" "bogus"
}
