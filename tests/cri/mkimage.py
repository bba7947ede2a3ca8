#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Build a one-layer image from the host's static busybox, in `docker save`
# layout (what `ctr images import` and `podman load` read), without a
# registry: mkimage.py OUT.tar REF [--add HOSTFILE[:PATH]]... -- CMD [ARG]...
# --add copies a file (following links) to PATH, default its own path; an
# executable added this way brings the libraries ldd names too. The image
# also holds the files the test rules are about (/etc/app.conf ...).
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile


def libraries(path):
    out = subprocess.run(["ldd", path], capture_output=True, text=True)
    libs = []
    for line in out.stdout.splitlines():
        words = line.split()
        if "=>" in words and len(words) > words.index("=>") + 1:
            lib = words[words.index("=>") + 1]
        elif words and words[0].startswith("/"):
            lib = words[0]
        else:
            continue
        if lib.startswith("/"):
            libs.append(lib)
    return libs


def main(argv):
    out, ref = argv[1], argv[2]
    rest = argv[3:]
    adds = []
    while rest and rest[0] == "--add":
        src, _, dst = rest[1].partition(":")
        adds.append((src, dst or src))
        rest = rest[2:]
    if not rest or rest[0] != "--" or len(rest) < 2:
        sys.exit("usage: mkimage.py OUT.tar REF [--add F[:PATH]]... -- CMD")
    cmd = rest[1:]
    busybox = shutil.which("busybox")
    files = {"/bin/busybox": busybox}
    for src, dst in adds:
        files[dst] = src
        if os.access(src, os.X_OK):
            for lib in libraries(src):
                files.setdefault(lib, lib)
    data = {
        "/etc/app.conf": "original\n",
        "/data/override.conf": "overridden\n",
        "/etc/other.conf": "other-original\n",
        "/etc/web.conf": "web-original\n",
        "/data/other.conf": "other-overridden\n",
        "/secret": "s3cret\n",
        "/etc/passwd": "root:x:0:0:root:/:/bin/sh\n",
        "/etc/group": "root:x:0:\n",
    }
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w", format=tarfile.GNU_FORMAT) as t:
        dirs = {"bin", "etc", "data", "proc", "dev", "sys", "tmp", "run",
                "usr", "usr/bin", "var"}
        for path in list(files) + list(data):
            d = os.path.dirname(path.lstrip("/"))
            while d:
                dirs.add(d)
                d = os.path.dirname(d)
        for d in sorted(dirs):
            ti = tarfile.TarInfo(d)
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o1777 if d == "tmp" else 0o755
            t.addfile(ti)
        for path, src in sorted(files.items()):
            t.add(os.path.realpath(src), arcname=path.lstrip("/"))
        for path, text in sorted(data.items()):
            b = text.encode()
            ti = tarfile.TarInfo(path.lstrip("/"))
            ti.size = len(b)
            ti.mode = 0o644
            t.addfile(ti, io.BytesIO(b))
        for a in ("sh", "cat", "echo", "ls", "sleep", "test", "date",
                  "true", "stat", "readlink"):
            ti = tarfile.TarInfo("bin/" + a)
            ti.type = tarfile.SYMTYPE
            ti.linkname = "busybox"
            t.addfile(ti)
    lb = layer.getvalue()
    lsum = hashlib.sha256(lb).hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": cmd, "Env": ["PATH=/usr/bin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + lsum]},
    }).encode()
    csum = hashlib.sha256(config).hexdigest()
    manifest = json.dumps([{"Config": csum + ".json", "RepoTags": [ref],
                            "Layers": [lsum + "/layer.tar"]}]).encode()
    with tarfile.open(out, "w") as t:
        for name, b in ((lsum + "/layer.tar", lb), (csum + ".json", config),
                        ("manifest.json", manifest)):
            ti = tarfile.TarInfo(name)
            ti.size = len(b)
            t.addfile(ti, io.BytesIO(b))


if __name__ == "__main__":
    main(sys.argv)
