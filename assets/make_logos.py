#!/usr/bin/env python3
# Part of k8s-spec (BSD-3-Clause).
"""Draws the kernelspec logos assets/<language>/logo-64x64.png (standard library only).

Each logo is a rounded heptagon - a nod to the Kubernetes wheel - in a language colour, with an
inner ring and the language's letters in a small pixel font.  Run `python3 assets/make_logos.py`
to regenerate the files after changing this script.
"""

import math
import os
import struct
import zlib

SIZE = 64
SUPERSAMPLE = 4  # samples per pixel along each axis, for smooth edges

# 5-column pixel glyphs; `drop` moves a glyph down (descenders), in font cells.
GLYPHS = {
    "P": (0, ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."]),
    "y": (2, ["#...#", "#...#", "#...#", ".####", "....#", "#...#", ".###."]),
    "R": (0, ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"]),
    "S": (0, [".###.", "#...#", "#....", ".###.", "....#", "#...#", ".###."]),
}

# language: (text, badge colour, ring colour, letter colour, font cell size in pixels)
STYLES = {
    "python": ("Py", (0x2F, 0x6D, 0xB5), (0xFF, 0xD4, 0x3B), (0xFF, 0xD4, 0x3B), 3.4),
    "r": ("R", (0x2C, 0x7A, 0x7B), (0xB8, 0xE6, 0xE0), (0xFF, 0xFF, 0xFF), 4.6),
    "scala": ("S", (0xC8, 0x30, 0x2A), (0xFF, 0xC9, 0xB8), (0xFF, 0xFF, 0xFF), 4.6),
}

SIDES = 7
CENTER = SIZE / 2
OUTER_RADIUS = 31.0  # circumradius of the badge
CORNER = 6.0  # rounding radius of the badge's corners


def _heptagon_distance(x, y, circumradius):
    """Signed distance from (x, y) (relative to the centre) to a heptagon with a vertex on top."""
    apothem = circumradius * math.cos(math.pi / SIDES)
    vertices = [
        (circumradius * math.sin(2 * math.pi * k / SIDES), -circumradius * math.cos(2 * math.pi * k / SIDES))
        for k in range(SIDES)
    ]
    inside = -math.inf
    nearest = math.inf
    for k in range(SIDES):
        (ax, ay), (bx, by) = vertices[k], vertices[(k + 1) % SIDES]
        mx, my = (ax + bx) / 2, (ay + by) / 2
        length = math.hypot(mx, my)
        inside = max(inside, (x * mx + y * my) / length - apothem)
        ex, ey = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * ex + (y - ay) * ey) / (ex * ex + ey * ey)))
        nearest = min(nearest, math.hypot(x - ax - t * ex, y - ay - t * ey))
    return inside if inside <= 0 else nearest


def _badge_distance(x, y):
    """Signed distance to the rounded badge outline (negative inside)."""
    inset = OUTER_RADIUS - CORNER / math.cos(math.pi / SIDES)
    return _heptagon_distance(x, y, inset) - CORNER


def _glyph_cells(text, cell):
    """Rectangles (x0, y0, x1, y1) of the lit font cells, centred in the image."""
    columns = len(text) * 6 - 1
    rows = max(drop + len(bitmap) for drop, bitmap in (GLYPHS[c] for c in text))
    left = CENTER - columns * cell / 2
    top = CENTER - rows * cell / 2
    rects = []
    for index, char in enumerate(text):
        drop, bitmap = GLYPHS[char]
        for row, line in enumerate(bitmap):
            for col, mark in enumerate(line):
                if mark == "#":
                    x0 = left + (index * 6 + col) * cell
                    y0 = top + (drop + row) * cell
                    rects.append((x0, y0, x0 + cell, y0 + cell))
    return rects


def _shade(colour, factor):
    return tuple(int(round(c * factor)) for c in colour)


def render(language):
    """RGBA pixel rows (bytes, 64 * 64 * 4) of a language's logo."""
    text, fill, ring, letters, cell = STYLES[language]
    rects = _glyph_cells(text, cell)
    edge = _shade(fill, 0.7)
    pixels = bytearray()
    step = 1 / SUPERSAMPLE
    for py in range(SIZE):
        for px in range(SIZE):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SUPERSAMPLE):
                for sx in range(SUPERSAMPLE):
                    x = px + (sx + 0.5) * step
                    y = py + (sy + 0.5) * step
                    d = _badge_distance(x - CENTER, y - CENTER)
                    if d > 0:
                        continue
                    if d > -1.6:
                        colour = edge
                    elif -5.2 < d <= -3.6:
                        colour = ring
                    elif any(x0 <= x < x1 and y0 <= y < y1 for x0, y0, x1, y1 in rects):
                        colour = letters
                    else:
                        colour = fill
                    acc[0] += colour[0]
                    acc[1] += colour[1]
                    acc[2] += colour[2]
                    acc[3] += 1
            if acc[3]:
                pixels += bytes(int(round(c / acc[3])) for c in acc[:3])
                pixels.append(int(round(255 * acc[3] / SUPERSAMPLE**2)))
            else:
                pixels += b"\0\0\0\0"
    return bytes(pixels)


def png_bytes(rgba, width=SIZE, height=SIZE):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    stride = width * 4
    raw = b"".join(b"\0" + rgba[row * stride : (row + 1) * stride] for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for language in STYLES:
        path = os.path.join(here, language, "logo-64x64.png")
        with open(path, "wb") as stream:
            stream.write(png_bytes(render(language)))
        print(path)


if __name__ == "__main__":
    main()
