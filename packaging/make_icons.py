#!/usr/bin/env python3
"""Draws the Quantscope icon as SVG and as PNGs for the hicolor sizes (Python 3 stdlib only).

The shape is simple on purpose so that one list of rectangles serves both outputs: a rounded
dark-blue square with a histogram of bars, the quantization levels a weight is rounded to.
Run once after changing the design; the results are committed under packaging/icons/.
"""
import os
import struct
import sys
import zlib

SIZE = 256  # design grid
BACKGROUND = (0x1f, 0x3a, 0x5f)
CORNER = 48
BARS = [  # x, y, width, height, colour on the 256 grid
    (40, 150, 28, 66, (0x8f, 0xd3, 0xff)),
    (76, 104, 28, 112, (0x8f, 0xd3, 0xff)),
    (112, 56, 32, 160, (0xff, 0xff, 0xff)),
    (152, 96, 28, 120, (0x8f, 0xd3, 0xff)),
    (188, 140, 28, 76, (0x8f, 0xd3, 0xff)),
]
PNG_SIZES = [16, 24, 32, 48, 64, 128, 256]


def hexcolour(c):
    return "#%02x%02x%02x" % c


def svg():
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">'
        % (SIZE, SIZE, SIZE, SIZE),
        '  <rect x="0" y="0" width="%d" height="%d" rx="%d" fill="%s"/>'
        % (SIZE, SIZE, CORNER, hexcolour(BACKGROUND)),
    ]
    for x, y, w, h, c in BARS:
        parts.append('  <rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s"/>'
                     % (x, y, w, h, hexcolour(c)))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def inside_rounded(px, py, x, y, w, h, r):
    if px < x or py < y or px >= x + w or py >= y + h:
        return False
    cx = min(max(px, x + r), x + w - r)
    cy = min(max(py, y + r), y + h - r)
    return (px - cx) ** 2 + (py - cy) ** 2 <= r * r


def colour_at(px, py):
    """RGBA of the design at a point of the 256 grid."""
    if not inside_rounded(px, py, 0, 0, SIZE, SIZE, CORNER):
        return (0, 0, 0, 0)
    for x, y, w, h, c in BARS:
        if inside_rounded(px, py, x, y, w, h, 4):
            return c + (255,)
    return BACKGROUND + (255,)


def png(size, samples=4):
    rows = []
    step = SIZE / size
    for j in range(size):
        row = bytearray([0])  # filter type none
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(samples):
                for si in range(samples):
                    r, g, b, a = colour_at((i + (si + 0.5) / samples) * step,
                                           (j + (sj + 0.5) / samples) * step)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            alpha = acc[3]
            if alpha:
                row += bytes([round(acc[0] / alpha), round(acc[1] / alpha),
                              round(acc[2] / alpha), round(alpha / samples ** 2)])
            else:
                row += bytes(4)
        rows.append(bytes(row))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "icons")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "quantscope.svg"), "w", encoding="ascii") as f:
        f.write(svg())
    for size in PNG_SIZES:
        with open(os.path.join(out, "quantscope-%d.png" % size), "wb") as f:
            f.write(png(size))


if __name__ == "__main__":
    main()
