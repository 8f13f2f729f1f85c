#!/usr/bin/env python3
"""Packs a root filesystem into a `docker save`-style archive with one layer.

    docker-archive.py ROOTFS OUT.tar [NAME:TAG]

The layer is an uncompressed tar of ROOTFS (as `docker save` writes them); the config
names its diff_id, so readers can check it.
"""
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile


def main():
    rootfs, out = sys.argv[1], sys.argv[2]
    tag = sys.argv[3] if len(sys.argv) > 3 else "rampart-bench/debian:12"
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(out))) as tmp:
        layer = os.path.join(tmp, "layer.tar")
        with tarfile.open(layer, "w", format=tarfile.PAX_FORMAT) as t:
            for name in sorted(os.listdir(rootfs)):
                if name == ".rampart-complete":
                    continue
                t.add(os.path.join(rootfs, name), arcname=name, recursive=True)
        h = hashlib.sha256()
        with open(layer, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        diff_id = "sha256:" + h.hexdigest()
        config = json.dumps({
            "architecture": "amd64",
            "os": "linux",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        }).encode()
        config_name = hashlib.sha256(config).hexdigest() + ".json"
        layer_name = h.hexdigest() + "/layer.tar"
        manifest = json.dumps([{"Config": config_name, "RepoTags": [tag], "Layers": [layer_name]}]).encode()
        with tarfile.open(out, "w") as t:
            t.add(layer, arcname=layer_name)
            for name, data in ((config_name, config), ("manifest.json", manifest)):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main()
