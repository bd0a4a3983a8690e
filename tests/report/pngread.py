"""A small PNG reader (8-bit RGB/RGBA, not interlaced: what Chromium's screenshots are), so the
browser test needs no imaging library. Sub/Up rows are unfiltered with numpy, Average/Paeth in Python."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np


def read_png(path: Path) -> np.ndarray:
    """The image as a (height, width, 3) uint8 array of RGB (alpha dropped)."""
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG file")
    position, idat, header = 8, [], None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        position += 12 + length
    if header is None:
        raise ValueError(f"{path} has no IHDR chunk")
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour_type}, interlace {interlace}")
    bpp = 3 if colour_type == 2 else 4
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8).reshape(height, stride + 1)
    image = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, row = raw[y, 0], raw[y, 1:]
        if kind == 0:
            current = row.copy()
        elif kind == 1:
            current = np.cumsum(row.reshape(width, bpp), axis=0, dtype=np.uint8).reshape(stride)
        elif kind == 2:
            current = row + previous
        elif kind in (3, 4):
            current = np.frombuffer(_unfilter_slow(kind, bytearray(row.tobytes()), previous.tobytes(), bpp), np.uint8)
        else:
            raise ValueError(f"bad PNG filter type {kind} on row {y}")
        image[y] = current
        previous = current
    return image.reshape(height, width, bpp)[:, :, :3]


def _unfilter_slow(kind: int, row: bytearray, up: bytes, bpp: int) -> bytearray:
    if kind == 3:  # Average
        for i in range(len(row)):
            left = row[i - bpp] if i >= bpp else 0
            row[i] = (row[i] + ((left + up[i]) >> 1)) & 255
        return row
    for i in range(bpp):  # Paeth, first pixel: left and upper-left are 0, so the predictor is `up`
        row[i] = (row[i] + up[i]) & 255
    for i in range(bpp, len(row)):
        a, b, c = row[i - bpp], up[i], up[i - bpp]
        pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - c - c)
        row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    return row
