#!/usr/bin/env python3
"""Builds hostile image archives for the integration tests (test_hostile.sh).

    hostile_archives.py KIND OUT [ARG] [BASE]

KIND is one of the names in KINDS below. ARG is a host path the archive tries
to reach (the test checks afterwards that nothing appeared there); BASE is a
docker-archive whose layers are reused (for kinds that need a working image).
Everything is built in memory with tarfile; nothing is extracted here.
"""
import gzip
import hashlib
import io
import json
import sys
import tarfile

UP = "../" * 24  # more "../" than any store path is deep


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def entry(name, kind="file", data=b"", link="", mode=0o644):
    """One tar member: kind is file, dir, symlink or hardlink."""
    return (name, kind, data, link, mode)


def make_tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, kind, data, link, mode in entries:
            info = tarfile.TarInfo(name)
            info.mode = mode
            info.mtime = 0
            if kind == "file":
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                         "hardlink": tarfile.LNKTYPE}[kind]
            if kind == "dir":
                info.mode = 0o755
            info.linkname = link
            tar.addfile(info)
    return buf.getvalue()


def config_for(diff_ids):
    return json.dumps({
        "architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:00Z",
        "config": {"Cmd": ["sh"], "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for d in diff_ids]},
    }, sort_keys=True).encode()


def write_outer(out, files):
    """files: list of (name, bytes); written as the outer archive."""
    with tarfile.open(out, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))


def docker_archive(out, layers, name="localhost/hostile:latest", diff_ids=None,
                   config_name=None, layer_names=None):
    """layers: the layer blobs as stored (tar, or gzip'd tar)."""
    if diff_ids is None:
        diff_ids = [sha256(layer) for layer in layers]
    config = config_for(diff_ids)
    config_file = "%s.json" % sha256(config)
    names = ["%s/layer.tar" % sha256(layer) for layer in layers]
    manifest = [{"Config": config_name or config_file, "RepoTags": [name],
                 "Layers": layer_names or names}]
    files = [(config_file, config)] + list(zip(names, layers))
    files.append(("manifest.json", json.dumps(manifest).encode()))
    write_outer(out, files)


def oci_archive(out, layer_blob, diff_id, stored_blob=None,
                name="localhost/hostile-oci:latest"):
    """An oci-archive with one gzip layer; stored_blob replaces the layer's
    bytes in blobs/ (under the original digest) when given."""
    config = config_for([diff_id])
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "sha256:" + sha256(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": "sha256:" + sha256(layer_blob), "size": len(layer_blob)}],
    }).encode()
    index = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": "sha256:" + sha256(manifest), "size": len(manifest),
                       "annotations": {"org.opencontainers.image.ref.name": name}}],
    }).encode()
    blob = stored_blob if stored_blob is not None else layer_blob
    write_outer(out, [
        ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
        ("index.json", index),
        ("blobs/sha256/" + sha256(manifest), manifest),
        ("blobs/sha256/" + sha256(config), config),
        ("blobs/sha256/" + sha256(layer_blob), blob),
    ])


def base_layers(base):
    """The layer blobs of docker-archive BASE, in manifest order."""
    with tarfile.open(base) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        return [tar.extractfile(name).read() for name in manifest[0]["Layers"]]


def rel(path):
    return path.lstrip("/")


def kind_path_escape(out, arg, _base):
    layer = make_tar([entry("fine", data=b"ok\n"), entry(UP + rel(arg), data=b"escaped\n")])
    docker_archive(out, [layer])


def kind_absolute_path(out, arg, _base):
    layer = make_tar([entry("fine", data=b"ok\n"), entry("/" + rel(arg), data=b"escaped\n")])
    docker_archive(out, [layer])


def kind_symlink_escape(out, arg, _base):
    # evil -> ARG (a host directory), then a file written through it.
    layer = make_tar([entry("evil", "symlink", link=arg),
                      entry("evil/pwned", data=b"escaped\n")])
    docker_archive(out, [layer])


def kind_symlink_up(out, arg, _base):
    # up -> ../../.. (far above the layer), then a file written through it.
    layer = make_tar([entry("up", "symlink", link=UP.rstrip("/")),
                      entry("up/" + rel(arg) + "/pwned", data=b"escaped\n")])
    docker_archive(out, [layer])


def kind_symlink_then_dir(out, arg, _base):
    # A symlink to ARG, then a directory entry of the same name and a file in
    # it: replacing the link must not follow it.
    layer = make_tar([entry("etc", "symlink", link=arg), entry("etc", "dir"),
                      entry("etc/pwned", data=b"escaped\n")])
    docker_archive(out, [layer])


def kind_hardlink_escape(out, arg, _base):
    layer = make_tar([entry("fine", data=b"ok\n"),
                      entry("victim", "hardlink", link=UP + rel(arg))])
    docker_archive(out, [layer])


def kind_hardlink_absolute(out, arg, _base):
    layer = make_tar([entry("fine", data=b"ok\n"), entry("victim", "hardlink", link=arg)])
    docker_archive(out, [layer])


def kind_truncated_gzip(out, _arg, _base):
    layer = make_tar([entry("file%d" % i, data=bytes(range(256)) * 64) for i in range(20)])
    packed = gzip.compress(layer)
    docker_archive(out, [packed[: len(packed) // 2]], diff_ids=[sha256(layer)])


def kind_wrong_diff_id(out, _arg, _base):
    layer = make_tar([entry("fine", data=b"ok\n")])
    other = make_tar([entry("fine", data=b"tampered\n")])
    docker_archive(out, [layer], diff_ids=[sha256(other)])


def kind_manifest_config_escape(out, _arg, _base):
    layer = make_tar([entry("fine", data=b"ok\n")])
    docker_archive(out, [layer], config_name="../../etc/passwd")


def kind_manifest_layer_escape(out, _arg, _base):
    layer = make_tar([entry("fine", data=b"ok\n")])
    docker_archive(out, [layer], layer_names=["../../etc/passwd"])


def kind_second_layer_bad(out, _arg, base):
    # A good first layer and a tampered second one: nothing may be kept.
    good = base_layers(base)[0]
    layer = make_tar([entry("fine", data=b"ok\n")])
    docker_archive(out, [good, layer], diff_ids=[sha256(good), sha256(b"not this")])


def kind_oci_bad_digest(out, _arg, _base):
    layer = make_tar([entry("fine", data=b"ok\n")])
    packed = gzip.compress(layer, mtime=0)
    tampered = gzip.compress(make_tar([entry("fine", data=b"tampered\n")]), mtime=0)
    oci_archive(out, packed, sha256(layer), stored_blob=tampered)


def kind_passwd_symlink(out, arg, base):
    # A working busybox image whose /etc/passwd points at host file ARG.
    layers = base_layers(base)
    evil = make_tar([entry("etc/passwd", "symlink", link=arg)])
    docker_archive(out, layers + [evil], name="localhost/passwd-link:latest")


def kind_passwd_symlink_up(out, arg, base):
    layers = base_layers(base)
    evil = make_tar([entry("etc/passwd", "symlink", link=UP + rel(arg))])
    docker_archive(out, layers + [evil], name="localhost/passwd-link-up:latest")


KINDS = {name[5:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("kind_")}


def main(argv):
    if len(argv) < 3 or argv[1] not in KINDS:
        sys.stderr.write("usage: %s {%s} OUT [ARG] [BASE]\n" % (argv[0], "|".join(sorted(KINDS))))
        return 2
    arg = argv[3] if len(argv) > 3 else ""
    base = argv[4] if len(argv) > 4 else ""
    KINDS[argv[1]](argv[2], arg, base)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
