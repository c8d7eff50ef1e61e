# Container file system commands: cp, diff, export, commit, mount/unmount
# and unshare. Paths in a container are the container's, whatever symlinks
# it holds: nothing here may read or write a host file through them.
# shellcheck shell=bash

# ---- helpers ----------------------------------------------------------------

# The contents of PATH in container CTR, read through `cp CTR:PATH -`.
fs_cat() {
  burrow cp "$1:$2" - | tar -xO
}

# A fresh host directory for one test's files.
fs_dir() {
  mktemp -d "$BURROW_WORK/fs.XXXXXX"
}

# fs_tar OUT SPEC...: writes a plain tar built in memory, one entry per SPEC:
# file:NAME[:DATA], dir:NAME, symlink:NAME:TARGET, hardlink:NAME:TARGET.
# Names are stored exactly as given ("../x" and "/x" included).
fs_tar() {
  python3 - "$@" <<'PY' || fail "building the tar $1 failed"
import io, sys, tarfile
out, specs = sys.argv[1], sys.argv[2:]
with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as tar:
    for spec in specs:
        kind, name, rest = (spec.split(":", 2) + [""])[:3]
        info = tarfile.TarInfo(name)
        info.mtime = 0
        info.mode = 0o644
        if kind == "file":
            data = rest.encode()
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            continue
        info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                     "hardlink": tarfile.LNKTYPE}[kind]
        if kind == "dir":
            info.mode = 0o755
        info.linkname = rest
        tar.addfile(info)
PY
}

# Changes the owner of a host file to ids as the containers see them: as
# root the host ids are the container's; rootless, `burrow unshare` runs
# chown in the user namespace the containers' files live in.
fs_chown() {
  if is_rootless; then
    burrow unshare chown "$1" "$2"
  else
    chown "$1" "$2"
  fi
}

# A running container with /srv/data (a file and a directory tree) in it.
fs_running_container() {
  burrow run -d --name "$1" localhost/busybox sleep 1000 >/dev/null
  burrow exec "$1" sh -c 'mkdir -p /srv/data/sub && echo top >/srv/data/top.txt &&
    echo deep >/srv/data/sub/deep.txt && echo hello >/srv/hello.txt'
}

# Symlinks in container CTR that aim at the host when followed outside it:
# /tmp/abs -> / , /tmp/rel -> ../../../.. (relative), /tmp/work -> $BURROW_WORK,
# and the container's own $BURROW_WORK with a file the host does not have.
fs_escape_links_script() {
  cat <<SCRIPT
ln -s / /tmp/abs && ln -s ../../../../../../../.. /tmp/rel &&
mkdir -p '$BURROW_WORK/inside' && echo container-secret >'$BURROW_WORK/inside/secret' &&
ln -s '$BURROW_WORK' /tmp/work && ln -s '$BURROW_WORK/inside/host-only' /tmp/host-only &&
ln -s /etc /tmp/etc-link
SCRIPT
}

# ---- cp: docker cp's rules ----------------------------------------------------

test_fs_cp_out_of_a_running_container_follows_docker_rules() {
  fresh_store
  load_busybox
  fs_running_container cpout
  local dir
  dir=$(fs_dir)
  # A file to a new name, into an existing directory, over an existing file.
  burrow cp cpout:/srv/hello.txt "$dir/renamed"
  assert_eq "$(cat "$dir/renamed")" "hello"
  mkdir "$dir/into"
  burrow cp cpout:/srv/hello.txt "$dir/into"
  assert_eq "$(cat "$dir/into/hello.txt")" "hello"
  echo old >"$dir/existing"
  burrow cp cpout:/srv/hello.txt "$dir/existing"
  assert_eq "$(cat "$dir/existing")" "hello"
  # Container paths are relative to its root: "srv/hello.txt" is /srv/hello.txt.
  burrow cp cpout:srv/hello.txt "$dir/relative"
  assert_eq "$(cat "$dir/relative")" "hello"
  # A file to "DIR/" that does not exist is an error (the directory must exist).
  run burrow cp cpout:/srv/hello.txt "$dir/missing/"
  assert_status 125
  assert_contains "$output" "Error:"
  [ ! -e "$dir/missing" ] || fail "a failed cp created $dir/missing"
  # A directory to a new name: created, with the source's contents.
  burrow cp cpout:/srv/data "$dir/newdata"
  assert_eq "$(cat "$dir/newdata/top.txt") $(cat "$dir/newdata/sub/deep.txt")" "top deep"
  # A directory to a new name ending in "/": created too (only files need it to exist).
  burrow cp cpout:/srv/data "$dir/slashdata/"
  assert_eq "$(cat "$dir/slashdata/sub/deep.txt")" "deep"
  # A directory into an existing directory: copied in under its own name.
  mkdir "$dir/parent"
  burrow cp cpout:/srv/data "$dir/parent"
  assert_eq "$(cat "$dir/parent/data/top.txt")" "top"
  # "DIR/." copies the contents only.
  mkdir "$dir/contents"
  burrow cp cpout:/srv/data/. "$dir/contents"
  assert_eq "$(cd "$dir/contents" && find . | sort | tr '\n' ' ')" \
    ". ./sub ./sub/deep.txt ./top.txt "
  # A directory onto an existing file is an error, and the file stays.
  run burrow cp cpout:/srv/data "$dir/existing"
  assert_status 125
  assert_contains "$output" "Error:"
  assert_eq "$(cat "$dir/existing")" "hello"
  # Files copied out belong to the calling user.
  assert_eq "$(stat -c %u "$dir/newdata/top.txt")" "$(id -u)"
  burrow rm -f cpout >/dev/null
}

test_fs_cp_into_a_running_container_follows_docker_rules() {
  fresh_store
  load_busybox
  fs_running_container cpin
  local dir
  dir=$(fs_dir)
  echo host-file >"$dir/file.txt"
  mkdir -p "$dir/tree/sub"
  echo a >"$dir/tree/a.txt"
  echo b >"$dir/tree/sub/b.txt"
  burrow cp "$dir/file.txt" cpin:/srv/new-name
  burrow cp "$dir/file.txt" cpin:/srv
  burrow cp "$dir/file.txt" cpin:/srv/hello.txt
  burrow cp "$dir/tree" cpin:/srv/newtree
  burrow cp "$dir/tree" cpin:/srv/data
  burrow exec cpin mkdir /srv/contents
  burrow cp "$dir/tree/." cpin:/srv/contents
  run burrow exec cpin sh -c 'cat /srv/new-name /srv/file.txt /srv/hello.txt \
    /srv/newtree/a.txt /srv/newtree/sub/b.txt /srv/data/tree/sub/b.txt | tr "\n" " "
    cd /srv/contents && find . | sort | tr "\n" " "'
  assert_status 0
  assert_eq "$output" "host-file host-file host-file a b b . ./a.txt ./sub ./sub/b.txt "
  # A file to "DIR/" that does not exist, a file under a missing parent and a
  # directory onto a file are errors that change nothing.
  run burrow cp "$dir/file.txt" cpin:/srv/missing/
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow cp "$dir/file.txt" cpin:/srv/missing/deeper/file
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow cp "$dir/tree" cpin:/srv/hello.txt
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow exec cpin sh -c 'ls /srv/missing 2>&1; cat /srv/hello.txt'
  assert_contains "$output" "No such file"
  assert_contains "$output" "host-file"
  burrow rm -f cpin >/dev/null
}

test_fs_cp_works_on_created_and_exited_containers() {
  fresh_store
  load_busybox
  local dir
  dir=$(fs_dir)
  echo into-created >"$dir/created.txt"
  burrow create --name created localhost/busybox cat /created.txt >/dev/null
  burrow cp "$dir/created.txt" created:/
  assert_eq "$(fs_cat created /created.txt)" "into-created"
  # The file is there when the container starts.
  run burrow start -a created
  assert_status 0
  assert_eq "$output" "into-created"
  burrow run --name exited localhost/busybox sh -c 'echo from-exited >/out.txt' >/dev/null
  burrow cp exited:/out.txt "$dir/out.txt"
  assert_eq "$(cat "$dir/out.txt")" "from-exited"
  echo into-exited >"$dir/in.txt"
  burrow cp "$dir/in.txt" exited:/in.txt
  assert_eq "$(fs_cat exited /in.txt)" "into-exited"
  # Copying leaves a stopped container's rootfs as it found it: unmounted.
  assert_eq "$(fs_in_mount_ns "$(fs_b) mount")" ""
}

test_fs_cp_tar_streams_on_stdin_and_stdout() {
  fresh_store
  load_busybox
  fs_running_container tars
  local dir
  dir=$(fs_dir)
  # CTR:/dir - writes a tar of the directory, under its own name.
  burrow cp tars:/srv/data - >"$dir/data.tar"
  assert_eq "$(tar -tf "$dir/data.tar" | sort | tr '\n' ' ')" \
    "data/ data/sub/ data/sub/deep.txt data/top.txt "
  assert_eq "$(tar -xOf "$dir/data.tar" data/sub/deep.txt)" "deep"
  # "DIR/." gives the contents without the directory's name.
  burrow cp tars:/srv/data/. - >"$dir/contents.tar"
  assert_eq "$(tar -tf "$dir/contents.tar" | sort | tr '\n' ' ')" "sub/ sub/deep.txt top.txt "
  # - CTR:/dir extracts a tar from stdin into the directory.
  mkdir -p "$dir/src/pkg"
  echo one >"$dir/src/pkg/one"
  tar -C "$dir/src" -cf "$dir/in.tar" pkg
  burrow cp - tars:/srv <"$dir/in.tar"
  assert_eq "$(burrow exec tars cat /srv/pkg/one)" "one"
  # Compressed streams work too.
  tar -C "$dir/src" -czf "$dir/in.tgz" pkg
  burrow exec tars mkdir /srv/gz
  burrow cp - tars:/srv/gz <"$dir/in.tgz"
  assert_eq "$(burrow exec tars cat /srv/gz/pkg/one)" "one"
  # The destination of a stream must be an existing directory.
  run burrow cp - tars:/srv/hello.txt <"$dir/in.tar"
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow cp - tars:/srv/nowhere <"$dir/in.tar"
  assert_status 125
  assert_contains "$output" "Error:"
  # Something that is not a tar is an error.
  run burrow cp - tars:/srv <<<"this is not a tar archive"
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow cp - tars:/srv </dev/null
  assert_status 125
  assert_contains "$output" "Error:"
  burrow rm -f tars >/dev/null
}

test_fs_cp_ownership_of_files_copied_in() {
  fresh_store
  load_busybox
  local dir
  dir=$(fs_dir)
  echo owned >"$dir/file"
  mkdir "$dir/tree"
  echo inner >"$dir/tree/inner"
  fs_chown 4321:4322 "$dir/file"
  # The container's primary user (--user) owns what is copied in.
  burrow run -d --name owner --user 1:1 localhost/busybox sleep 1000 >/dev/null
  burrow cp "$dir/file" owner:/tmp/default
  burrow cp "$dir/tree" owner:/tmp/tree
  run burrow exec owner stat -c '%u:%g' /tmp/default /tmp/tree /tmp/tree/inner
  assert_eq "$output" $'1:1\n1:1\n1:1'
  # --archive=false keeps the ids the source has (as the container sees them).
  burrow cp --archive=false "$dir/file" owner:/tmp/kept
  assert_eq "$(burrow exec owner stat -c '%u:%g' /tmp/kept)" "4321:4322"
  # A user name from the image's /etc/passwd works as well.
  burrow create --name named --user daemon localhost/busybox true >/dev/null
  burrow cp "$dir/file" named:/named
  burrow cp named:/named - >"$dir/named.tar"
  assert_eq "$(tar -tvf "$dir/named.tar" --numeric-owner | awk '{print $2}')" "1/1"
  burrow rm -f owner >/dev/null
}

test_fs_cp_errors() {
  fresh_store
  load_busybox
  burrow create --name errs localhost/busybox true >/dev/null
  local dir
  dir=$(fs_dir)
  echo x >"$dir/x"
  run burrow cp no-such-ctr:/etc/passwd "$dir/out"
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "no-such-ctr"
  run burrow cp "$dir/x" no-such-ctr:/tmp
  assert_status 125
  assert_contains "$output" "no-such-ctr"
  run burrow cp errs:/no/such/file "$dir/out"
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "/no/such/file"
  run burrow cp "$dir/no-such-file" errs:/tmp
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "no-such-file"
  run burrow cp "$dir/x" "$dir/y"
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow cp errs:/etc/passwd errs:/tmp/passwd
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow cp - -
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow cp :/etc/passwd "$dir/out"
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow cp errs:/etc/passwd
  assert_status 125
  assert_contains "$output" "Error:"
  [ ! -e "$dir/out" ] || fail "a failed cp wrote $dir/out"
  [ ! -e "$dir/y" ] || fail "a failed cp wrote $dir/y"
}

test_fs_container_subcommands_are_aliases() {
  fresh_store
  load_busybox
  burrow run --name alias localhost/busybox sh -c 'echo aliased >/a.txt' >/dev/null
  assert_eq "$(burrow container cp alias:/a.txt - | tar -xO)" "aliased"
  assert_eq "$(burrow container diff alias)" "A /a.txt"
  assert_eq "$(burrow container export alias | tar -xO a.txt)" "aliased"
  run burrow container commit -q alias localhost/aliased
  assert_status 0
  assert_eq "$(burrow run --rm localhost/aliased cat /a.txt)" "aliased"
  for sub in cp diff export commit mount unmount umount; do
    run burrow container "$sub" --help
    assert_status 0
  done
}

# ---- cp: symlinks in the container never reach the host -------------------

test_fs_cp_out_through_container_symlinks_stays_inside() {
  fresh_store
  load_busybox
  burrow run -d --name links localhost/busybox sleep 1000 >/dev/null
  burrow exec links sh -c "$(fs_escape_links_script)"
  local dir
  dir=$(fs_dir)
  echo host-secret >"$BURROW_WORK/host-only"
  mkdir -p "$BURROW_WORK/inside"
  echo host-secret >"$BURROW_WORK/inside/secret"
  echo host-secret >"$BURROW_WORK/inside/host-only"
  local container_passwd
  container_passwd=$(burrow exec links cat /etc/passwd)
  # Through an absolute link, a relative ../.. link and a link to /etc: the
  # container's files, never the host's.
  for src in /tmp/abs/etc/passwd /tmp/rel/etc/passwd /tmp/etc-link/passwd; do
    burrow cp "links:$src" "$dir/passwd"
    assert_eq "$(cat "$dir/passwd")" "$container_passwd"
  done
  burrow cp "links:/tmp/work/inside/secret" "$dir/secret"
  assert_eq "$(cat "$dir/secret")" "container-secret"
  burrow cp "links:/tmp/rel$BURROW_WORK/inside/secret" - >"$dir/secret.tar"
  assert_eq "$(tar -xOf "$dir/secret.tar")" "container-secret"
  # A link whose target only the host has is a missing file.
  run burrow cp links:/tmp/host-only "$dir/leak"
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow cp links:/tmp/work/host-only "$dir/leak"
  assert_status 125
  [ ! -e "$dir/leak" ] || fail "cp copied a host file out of the container: $(cat "$dir/leak")"
  # A directory holding such links is copied with the links as links.
  burrow cp links:/tmp "$dir/tmpcopy"
  [ -L "$dir/tmpcopy/etc-link" ] || fail "the symlink was not copied as a symlink"
  assert_eq "$(readlink "$dir/tmpcopy/abs")" "/"
  run tar -tf <(burrow cp links:/tmp -)
  assert_contains "$output" "tmp/etc-link"
  assert_not_contains "$output" "etc-link/"
  assert_not_contains "$output" "abs/"
  burrow rm -f links >/dev/null
}

test_fs_cp_in_through_container_symlinks_stays_inside() {
  fresh_store
  load_busybox
  burrow run --name inlinks localhost/busybox sh -c "$(fs_escape_links_script)" >/dev/null
  local dir
  dir=$(fs_dir)
  echo payload >"$dir/payload"
  mkdir "$dir/tree"
  echo t >"$dir/tree/t"
  # Through the absolute, relative and host-path links (the container's own
  # $BURROW_WORK exists, so each copy succeeds inside the container).
  burrow cp "$dir/payload" "inlinks:/tmp/abs$BURROW_WORK/via-abs"
  burrow cp "$dir/payload" "inlinks:/tmp/rel$BURROW_WORK/via-rel"
  burrow cp "$dir/payload" "inlinks:/tmp/work/via-work"
  burrow cp "$dir/tree" "inlinks:/tmp/work/tree-via-work"
  burrow cp "$dir/payload" "inlinks:/tmp/etc-link/via-etc"
  for name in via-abs via-rel via-work tree-via-work; do
    [ ! -e "$BURROW_WORK/$name" ] || fail "cp wrote $BURROW_WORK/$name on the host"
  done
  [ ! -e /etc/via-etc ] || fail "cp wrote /etc/via-etc on the host"
  assert_eq "$(fs_cat inlinks "$BURROW_WORK/via-abs")" "payload"
  assert_eq "$(fs_cat inlinks "$BURROW_WORK/via-rel")" "payload"
  assert_eq "$(fs_cat inlinks "$BURROW_WORK/via-work")" "payload"
  assert_eq "$(fs_cat inlinks "$BURROW_WORK/tree-via-work/t")" "t"
  assert_eq "$(fs_cat inlinks /etc/via-etc)" "payload"
  # A destination that is itself a link to a path only the host has.
  mkdir -p "$BURROW_WORK/inside"
  echo host-original >"$BURROW_WORK/inside/host-only"
  burrow cp "$dir/payload" inlinks:/tmp/host-only
  assert_eq "$(cat "$BURROW_WORK/inside/host-only")" "host-original"
  assert_eq "$(fs_cat inlinks /tmp/host-only)" "payload"
  # A tar on stdin into a directory reached through a link.
  fs_tar "$dir/plain.tar" "file:streamed:streamed"
  burrow cp - "inlinks:/tmp/work" <"$dir/plain.tar"
  [ ! -e "$BURROW_WORK/streamed" ] || fail "cp - wrote $BURROW_WORK/streamed on the host"
  assert_eq "$(fs_cat inlinks "$BURROW_WORK/streamed")" "streamed"
}

# `cp - CTR:/dir` with a hostile tar: each is refused (125, nothing written
# outside the container) or confined to the destination directory.
test_fs_cp_hostile_tar_on_stdin_is_refused_or_confined() {
  fresh_store
  load_busybox
  burrow run -d --name hostile localhost/busybox sleep 1000 >/dev/null
  burrow exec hostile mkdir /dst
  local dir target up
  dir=$(fs_dir)
  target=$(fs_dir)
  up=../../../../../../../../../../../../../../../../..
  fs_tar "$dir/dotdot.tar" "file:$up$target/dotdot:x"
  fs_tar "$dir/abs-link.tar" "symlink:alink:$target" "file:alink/through-abs:x"
  fs_tar "$dir/rel-link.tar" "symlink:rlink:$up$target" "file:rlink/through-rel:x"
  fs_tar "$dir/hardlink.tar" "hardlink:hlink:$up/etc/passwd"
  fs_tar "$dir/dir-link.tar" "symlink:dlink:$target" "dir:dlink/sub" "file:dlink/sub/deep:x"
  for tar in dotdot abs-link rel-link hardlink dir-link; do
    run burrow cp - hostile:/dst <"$dir/$tar.tar"
    assert_status 125
    assert_contains "$output" "Error:"
  done
  # A leading "/" names a path inside the destination, as in tar itself.
  fs_tar "$dir/absolute.tar" "file:$target/absolute:x"
  run burrow cp - hostile:/dst <"$dir/absolute.tar"
  if [ "$status" -eq 0 ]; then
    assert_eq "$(burrow exec hostile cat "/dst$target/absolute")" "x"
  else
    assert_status 125
    assert_contains "$output" "Error:"
  fi
  assert_eq "$(find "$target" -mindepth 1)" ""
  # The refused entries themselves were not created.
  run burrow exec hostile sh -c 'ls -d /dst/hlink /dst/dotdot /dst/alink/through-abs \
    /dst/rlink/through-rel /dst/dlink/sub 2>/dev/null'
  assert_eq "$output" ""
  burrow rm -f hostile >/dev/null
}

# ---- diff -----------------------------------------------------------------

# fs_make_changes [GLOBAL-FLAGS]: loads the image and runs a container
# ("changed") that adds, changes and deletes files, with those flags (a
# storage driver).
fs_make_changes() {
  burrow "$@" load -i "$BURROW_IMAGE_TAR" >/dev/null
  burrow "$@" run --name changed localhost/busybox sh -c \
    'echo added >/added.txt && mkdir -p /newdir/sub && echo n >/newdir/sub/n &&
     echo extra >>/etc/passwd && rm /etc/group && rm -r /home && rm /bin/vi' >/dev/null
}

fs_expected_diff() {
  cat <<DIFF
A /added.txt
C /bin
D /bin/vi
C /etc
D /etc/group
C /etc/passwd
D /home
A /newdir
A /newdir/sub
A /newdir/sub/n
DIFF
}

fs_check_diff() {
  run burrow "$@" diff changed
  assert_status 0
  assert_eq "$output" "$(fs_expected_diff)"
  run burrow "$@" diff --format json changed
  assert_status 0
  local json
  json=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(d), d["added"], d["changed"], d["deleted"])' <<<"$output")
  assert_eq "$json" "['added', 'changed', 'deleted'] ['/added.txt', '/newdir', '/newdir/sub', '/newdir/sub/n'] ['/bin', '/etc', '/etc/passwd'] ['/bin/vi', '/etc/group', '/home']"
}

test_fs_diff_lists_added_changed_and_deleted_files() {
  fresh_store
  fs_make_changes
  fs_check_diff
  # A container that changed nothing has an empty diff.
  burrow create --name pristine localhost/busybox true >/dev/null
  assert_eq "$(burrow diff pristine)" ""
  burrow start -a pristine >/dev/null
  assert_eq "$(burrow diff pristine)" ""
  assert_eq "$(burrow diff --format json pristine)" "{}"
  run burrow diff no-such-ctr
  assert_status 125
  assert_contains "$output" "no-such-ctr"
  run burrow diff --format yaml changed
  assert_status 125
  assert_contains "$output" "Error:"
}

test_fs_diff_with_vfs_driver() {
  fresh_store
  fs_make_changes --storage-driver vfs
  fs_check_diff --storage-driver vfs
}

test_fs_diff_with_fuse_overlayfs_driver() {
  command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
  [ -w /dev/fuse ] || skip "/dev/fuse is not usable"
  fresh_store
  fs_make_changes --storage-driver fuse-overlayfs
  fs_check_diff --storage-driver fuse-overlayfs
}

test_fs_diff_of_a_running_container_sees_new_changes() {
  fresh_store
  load_busybox
  burrow run -d --name live localhost/busybox sleep 1000 >/dev/null
  assert_eq "$(burrow diff live)" ""
  burrow exec live sh -c 'echo x >/tmp/live.txt'
  assert_eq "$(burrow diff live)" $'C /tmp\nA /tmp/live.txt'
  burrow rm -f live >/dev/null
}

# ---- export ---------------------------------------------------------------

test_fs_export_to_a_file_and_to_stdout() {
  fresh_store
  fs_make_changes
  local dir
  dir=$(fs_dir)
  burrow export -o "$dir/out.tar" changed
  burrow export changed >"$dir/stdout.tar"
  cmp "$dir/out.tar" "$dir/stdout.tar" || fail "export -o and export to stdout differ"
  local listing
  listing=$(tar -tf "$dir/out.tar")
  for path in added.txt newdir/sub/n bin/busybox bin/sh etc/passwd; do
    grep -qx "$path" <<<"$listing" || fail "export lacks $path: $listing"
  done
  for path in etc/group bin/vi home/ .wh.group; do
    ! grep -q "^$path" <<<"$listing" || fail "export has the deleted $path"
  done
  assert_eq "$(tar -xOf "$dir/out.tar" added.txt)" "added"
  assert_eq "$(tar -xOf "$dir/out.tar" etc/passwd | tail -n 1)" "extra"
  # Owners are the container's ids: root-owned files are 0/0.
  assert_eq "$(tar -tvf "$dir/out.tar" --numeric-owner bin/busybox | awk '{print $2}')" "0/0"
  # A running container exports too.
  burrow run -d --name running localhost/busybox sh -c 'echo r >/r.txt && exec sleep 1000' \
    >/dev/null
  burrow exec running true
  burrow export running | tar -xO r.txt >"$dir/r.txt"
  assert_eq "$(cat "$dir/r.txt")" "r"
  burrow rm -f running >/dev/null
}

test_fs_export_errors_write_nothing() {
  fresh_store
  load_busybox
  local dir
  dir=$(fs_dir)
  run burrow export -o "$dir/none.tar" no-such-ctr
  assert_status 125
  assert_contains "$output" "no-such-ctr"
  assert_eq "$(ls -A "$dir")" ""
  run burrow export -o "$dir/missing/dir/out.tar" no-such-ctr
  assert_status 125
}

# ---- commit ---------------------------------------------------------------

fs_check_commit() {
  run burrow "$@" commit -q -c 'CMD ["cat", "/added.txt"]' -c 'ENV COMMITTED=yes' \
    -m "a message" -a "An Author" changed localhost/committed
  assert_status 0
  assert_match "$output" '^[0-9a-f]{64}$'
  local id=$output
  run burrow "$@" run --rm localhost/committed
  assert_status 0
  assert_eq "$output" "added"
  run burrow "$@" run --rm localhost/committed sh -c 'echo $COMMITTED;
    tail -n 1 /etc/passwd; cat /newdir/sub/n; ls /etc/group /bin/vi /home 2>&1 | wc -l;
    ls -d /etc /bin/sh'
  assert_status 0
  assert_eq "$output" $'yes\nextra\nn\n3\n/bin/sh\n/etc'
  run burrow "$@" run --rm localhost/committed ls /etc/group
  assert_status 1
  assert_eq "$(burrow "$@" images -q --no-trunc localhost/committed)" "sha256:$id"
  run burrow "$@" inspect --format '{{.Author}}' localhost/committed
  assert_eq "$output" "An Author"
  run burrow "$@" inspect --format '{{json .History}}' localhost/committed
  assert_contains "$output" '"comment":"a message"'
}

test_fs_commit_keeps_changes_and_applies_change_instructions() {
  fresh_store
  fs_make_changes
  fs_check_commit
  # A container from the committed image sees no changes of its own.
  burrow create --name child localhost/committed >/dev/null
  assert_eq "$(burrow diff child)" ""
}

test_fs_commit_with_vfs_driver() {
  fresh_store
  fs_make_changes --storage-driver vfs
  fs_check_commit --storage-driver vfs
}

test_fs_commit_with_fuse_overlayfs_driver() {
  command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
  [ -w /dev/fuse ] || skip "/dev/fuse is not usable"
  fresh_store
  fs_make_changes --storage-driver fuse-overlayfs
  fs_check_commit --storage-driver fuse-overlayfs
}

test_fs_commit_errors_create_no_image() {
  fresh_store
  load_busybox
  burrow run --name base localhost/busybox sh -c 'echo x >/x' >/dev/null
  local before
  before=$(burrow images -q --no-trunc | sort)
  run burrow commit no-such-ctr localhost/never
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "no-such-ctr"
  run burrow commit -c 'BOGUS instruction' base localhost/never
  assert_status 125
  assert_contains "$output" "Error:"
  assert_contains "$output" "BOGUS"
  run burrow commit -c 'RUN echo hi' base localhost/never
  assert_status 125
  assert_contains "$output" "Error:"
  run burrow commit -c 'ENV' base localhost/never
  assert_status 125
  run burrow commit --format bogus base localhost/never
  assert_status 125
  run burrow commit base 'Invalid::Name'
  assert_status 125
  assert_eq "$(burrow images -q --no-trunc | sort)" "$before"
  assert_eq "$(burrow images --format '{{.Repository}}' | grep -c never || true)" "0"
}

test_fs_commit_of_a_running_container_keeps_it_running() {
  fresh_store
  load_busybox
  burrow run -d --name busy localhost/busybox \
    sh -c 'echo live >/live.txt && while :; do date >/tmp/tick; sleep 0.05; done' >/dev/null
  burrow exec busy sh -c 'while [ ! -e /live.txt ]; do sleep 0.05; done'
  run burrow commit -q busy localhost/from-running
  assert_status 0
  assert_eq "$(burrow inspect --format '{{.State.Status}} {{.State.Paused}}' busy)" "running false"
  assert_eq "$(burrow run --rm localhost/from-running cat /live.txt)" "live"
  # Still running (and not frozen): it keeps writing its ticks.
  local before
  before=$(fs_cat busy /tmp/tick)
  burrow exec busy sh -c "while [ \"\$(cat /tmp/tick)\" = '$before' ]; do sleep 0.05; done"
  # --pause=false commits without pausing.
  run burrow commit -q --pause=false busy localhost/unpaused
  assert_status 0
  assert_eq "$(burrow inspect --format '{{.State.Status}}' busy)" "running"
  burrow rm -f busy >/dev/null
}

# ---- mount, unmount, unshare ----------------------------------------------

# fs_in_mount_ns SCRIPT: runs the shell script where container mounts are
# visible: the host's namespace as root, `burrow unshare` (the keeper's user
# and mount namespace) rootless. $fs_b in SCRIPT is the burrow command line.
fs_in_mount_ns() {
  if is_rootless; then
    burrow unshare sh -c "$1"
  else
    sh -c "$1"
  fi
}

fs_b() {
  printf "'%s' --root '%s' --runroot '%s'" "$BURROW_BIN" "$STORE/root" "$STORE/run"
}

test_fs_mount_and_unmount() {
  fresh_store
  load_busybox
  burrow create --name mnt localhost/busybox true >/dev/null
  local id path b
  b=$(fs_b)
  id=$(burrow inspect --format '{{.Id}}' mnt)
  run fs_in_mount_ns "$b mount mnt"
  assert_status 0
  path=$output
  run fs_in_mount_ns "test -x '$path/bin/busybox' && head -n 1 '$path/etc/passwd'"
  assert_status 0
  assert_eq "$output" "root:x:0:0:root:/root:/bin/sh"
  run fs_in_mount_ns "$b mount"
  assert_eq "$output" "${id:0:12}  $path"
  run fs_in_mount_ns "$b mount --no-trunc --format json"
  assert_contains "$output" "\"id\": \"$id\""
  # Changes made through the mount are the container's.
  fs_in_mount_ns "echo via-mount >'$path/via-mount'"
  assert_eq "$(burrow diff mnt)" "A /via-mount"
  run fs_in_mount_ns "$b unmount mnt"
  assert_status 0
  assert_eq "$output" "mnt"
  run fs_in_mount_ns "$b mount"
  assert_eq "$output" ""
  run fs_in_mount_ns "test -e '$path/bin/busybox'"
  assert_status 1
  # Two holds need two unmounts; a container that is not mounted is no error.
  fs_in_mount_ns "$b mount mnt >/dev/null && $b mount mnt >/dev/null && $b umount mnt >/dev/null"
  run fs_in_mount_ns "test -x '$path/bin/busybox'"
  assert_status 0
  fs_in_mount_ns "$b container umount mnt >/dev/null"
  run fs_in_mount_ns "test -e '$path/bin/busybox'"
  assert_status 1
  run fs_in_mount_ns "$b unmount mnt"
  assert_status 0
  # --all, and errors.
  fs_in_mount_ns "$b mount --all >/dev/null"
  run fs_in_mount_ns "$b unmount --all"
  assert_eq "$output" "$id"
  run fs_in_mount_ns "$b mount no-such-ctr"
  assert_status 125
  assert_contains "$output" "no-such-ctr"
  run fs_in_mount_ns "$b unmount"
  assert_status 125
  assert_contains "$output" "Error:"
  # The file written through the mount is still the container's.
  assert_eq "$(fs_cat mnt /via-mount)" "via-mount"
}

test_fs_unmount_leaves_a_running_container_its_rootfs() {
  fresh_store
  load_busybox
  burrow run -d --name up localhost/busybox sleep 1000 >/dev/null
  local path b
  b=$(fs_b)
  path=$(fs_in_mount_ns "$b mount up")
  run fs_in_mount_ns "test -x '$path/bin/busybox'"
  assert_status 0
  fs_in_mount_ns "$b unmount up >/dev/null"
  run fs_in_mount_ns "test -x '$path/bin/busybox'"
  assert_status 0
  assert_eq "$(burrow exec up cat /bin/busybox | cmp - /bin/busybox && echo same)" "same"
  burrow rm -f up >/dev/null
}

test_fs_mount_needs_unshare_rootless_and_unshare_needs_rootless() {
  fresh_store
  load_busybox
  burrow create --name mnt localhost/busybox true >/dev/null
  if ! is_rootless; then
    run burrow unshare true
    assert_status 125
    assert_contains "$output" "Error:"
    assert_contains "$output" "rootless"
    run burrow mount mnt
    assert_status 0
    return
  fi
  for sub in mount unmount umount "container mount"; do
    # shellcheck disable=SC2086 # "container mount" is two words
    run burrow $sub mnt
    assert_status 125
    assert_contains "$output" "Error:"
    assert_contains "$output" "burrow unshare"
  done
  # Inside unshare: root in the user namespace, Podman's variables set.
  run burrow unshare sh -c 'id -u; echo "$CONTAINERS_GRAPHROOT"; echo "$CONTAINERS_RUNROOT"'
  assert_status 0
  assert_eq "$output" $'0\n'"$STORE/root"$'\n'"$STORE/run"
  # The command's exit code comes through; a missing command is 127.
  run burrow unshare sh -c 'exit 3'
  assert_status 3
  run burrow unshare /no/such/command
  assert_status 127
  assert_contains "$output" "Error:"
}

test_fs_commit_of_a_never_started_container() {
  fresh_store
  load_busybox
  burrow create --name fresh localhost/busybox true >/dev/null
  run burrow commit -q -c 'EXPOSE 8080' fresh localhost/from-created
  assert_status 0
  run burrow image inspect --format '{{json .Config.ExposedPorts}}' localhost/from-created
  assert_eq "$output" '{"8080/tcp":{}}'
  assert_eq "$(burrow run --rm localhost/from-created cat /etc/passwd | head -1)" \
    "$(burrow run --rm localhost/busybox cat /etc/passwd | head -1)"
}
