#!/usr/bin/env python3
"""Puts the photos of the labelled set in place from unpacked Debian packages (scripts/fetch-label-eval.sh).

Reads lines "NAME SOURCE" on stdin and writes DEST_DIR/NAME for each:
  - SOURCE a plain file: copied as it is;
  - SOURCE "FILE.rcc:/MEMBER": MEMBER extracted from a Qt resource file (GCompris keeps its photos in
    them; the format is Qt's rcc: a tree of entries, zlib-compressed data when flagged);
  - SOURCE a PNG and NAME ending in .jpg: a cut-out (Tux Paint's stamps, transparent around the
    object) put on a white ground, as a shop's product photo is, and saved as JPEG (quality 95).
Exits 1 naming the first photo it could not make.
"""
import os
import struct
import sys
import zlib


def rcc_member(path, member):
    """The bytes of MEMBER ("/a/b.webp") in the Qt resource file PATH."""
    with open(path, "rb") as f:
        b = f.read()
    if b[:4] != b"qres":
        raise ValueError(f"{path} is not a Qt resource file")
    version, tree, data, names = struct.unpack(">IIII", b[4:20])
    entry_size = 14 if version == 1 else 22

    def name(offset):
        (length,) = struct.unpack(">H", b[names + offset:names + offset + 2])
        start = names + offset + 6
        return b[start:start + 2 * length].decode("utf-16-be")

    parts = [p for p in member.split("/") if p]
    index = 0  # the root
    for depth, part in enumerate(parts):
        e = tree + index * entry_size
        flags, = struct.unpack(">H", b[e + 4:e + 6])
        if not flags & 2:
            raise KeyError(member)
        count, first = struct.unpack(">II", b[e + 6:e + 14])
        for child in range(first, first + count):
            (noff,) = struct.unpack(">I", b[tree + child * entry_size:tree + child * entry_size + 4])
            if name(noff) == part:
                index = child
                break
        else:
            raise KeyError(member)
    e = tree + index * entry_size
    (flags,) = struct.unpack(">H", b[e + 4:e + 6])
    (offset,) = struct.unpack(">I", b[e + 10:e + 14])
    (size,) = struct.unpack(">I", b[data + offset:data + offset + 4])
    raw = b[data + offset + 4:data + offset + 4 + size]
    if flags & 1:
        return zlib.decompress(raw[4:])
    if flags & 4:
        raise ValueError(f"{member} in {path} is zstd-compressed")
    return raw


def on_white(src, dst):
    import cv2
    import numpy as np
    image = cv2.imread(src, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError(f"cannot read {src}")
    if image.ndim == 3 and image.shape[2] == 4:
        alpha = image[:, :, 3:4].astype(np.float32) / 255
        image = (image[:, :, :3] * alpha + 255 * (1 - alpha)).round().astype(np.uint8)
    if not cv2.imwrite(dst, image, [cv2.IMWRITE_JPEG_QUALITY, 95]):
        raise ValueError(f"cannot write {dst}")


def main():
    dest = sys.argv[1]
    for line in sys.stdin:
        if not line.strip():
            continue
        name, source = line.split()
        out = os.path.join(dest, name)
        try:
            if ".rcc:" in source:
                path, member = source.split(":", 1)
                with open(out, "wb") as f:
                    f.write(rcc_member(path, member))
            elif source.endswith(".png") and name.endswith(".jpg"):
                on_white(source, out)
            else:
                with open(source, "rb") as f, open(out, "wb") as g:
                    g.write(f.read())
        except (OSError, KeyError, ValueError) as e:
            sys.exit(f"label_eval_extract: {name}: {e!r} (from {source})")


if __name__ == "__main__":
    main()
