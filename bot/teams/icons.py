"""Draw the Teams app icons with the standard library alone (zlib + struct PNG writer).

``python -m bot.teams.icons`` rewrites ``color.png`` (192x192, full colour) and ``outline.png`` (32x32,
white on transparent, as Teams requires) next to this file. The mark is a check in a ring: a decision
taken once.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG (colour type 6, 8 bits, filter 0 on every row)."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows.extend(bytes(pixel(x, y)))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
            + chunk(b"IEND", b""))


def _segment_distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def mark_coverage(x: float, y: float, size: int, stroke: float) -> float:
    """How much of the pixel centred at (x, y) the ring-and-check mark covers, 0..1 (anti-aliased)."""
    c = size / 2
    ring = abs(math.hypot(x - c, y - c) - size * 0.36) - stroke / 2
    check = min(_segment_distance(x, y, (size * 0.31, size * 0.51), (size * 0.44, size * 0.64)),
                _segment_distance(x, y, (size * 0.44, size * 0.64), (size * 0.70, size * 0.37))) - stroke / 2
    return max(0.0, min(1.0, 0.5 - min(ring, check)))


def color_icon(size: int = 192) -> bytes:
    """White mark on a rounded deep-blue square, filling the 192x192 canvas."""
    background = (31, 78, 160)
    radius = size * 0.18

    def inside_rounded(x: float, y: float) -> float:
        qx = max(abs(x - size / 2) - (size / 2 - radius), 0.0)
        qy = max(abs(y - size / 2) - (size / 2 - radius), 0.0)
        return max(0.0, min(1.0, 0.5 - (math.hypot(qx, qy) - radius)))

    def pixel(x: int, y: int) -> Pixel:
        cx, cy = x + 0.5, y + 0.5
        alpha = inside_rounded(cx, cy)
        white = mark_coverage(cx, cy, size, size * 0.07)
        r, g, b = (round(background[i] * (1 - white) + 255 * white) for i in range(3))
        return r, g, b, round(255 * alpha)

    return png(size, size, pixel)


def outline_icon(size: int = 32) -> bytes:
    """White mark on a transparent 32x32 canvas (Teams' outline icon rules)."""

    def pixel(x: int, y: int) -> Pixel:
        return 255, 255, 255, round(255 * mark_coverage(x + 0.5, y + 0.5, size, 2.4))

    return png(size, size, pixel)


def main() -> None:
    (HERE / "color.png").write_bytes(color_icon())
    (HERE / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    main()
