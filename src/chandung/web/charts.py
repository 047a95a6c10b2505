"""Charts drawn on the server as SVG shapes, so pages need no chart script from anywhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value_label: str


def column_chart(
    values: list[tuple[str, float, str]], width: float = 720, height: float = 200
) -> list[Bar]:
    """Vertical bars for ``(label, value, value_label)`` triples, scaled to the largest value."""
    if not values:
        return []
    top = max(v for _, v, _ in values) or 1.0
    step = width / len(values)
    gap = min(4.0, step * 0.2)
    return [
        Bar(
            x=i * step + gap / 2,
            y=height - v / top * height,
            width=step - gap,
            height=v / top * height,
            label=label,
            value_label=value_label,
        )
        for i, (label, v, value_label) in enumerate(values)
    ]


def share_bars(values: Mapping[str, float], width: float = 320) -> list[tuple[str, float, float]]:
    """Horizontal bars: ``(label, share of the total, bar width)`` for each value."""
    total = sum(values.values()) or 1.0
    return [(label, v / total, v / total * width) for label, v in values.items()]


#: The colour scale of heat maps and tiles, from no value to the most (light to dark teal).
SCALE_LOW = (236, 253, 249)
SCALE_HIGH = (17, 78, 72)


def scale_colour(share: float) -> str:
    """The colour of ``share`` (0 to 1, clipped) on the scale from light to dark."""
    s = min(1.0, max(0.0, share))
    r, g, b = (round(lo + (hi - lo) * s) for lo, hi in zip(SCALE_LOW, SCALE_HIGH, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def scale_steps(steps: int = 5) -> list[tuple[float, str]]:
    """``(share, colour)`` at evenly spaced points of the scale, for a legend."""
    return [(i / (steps - 1), scale_colour(i / (steps - 1))) for i in range(steps)]


def is_dark(share: float) -> bool:
    """Whether text on the colour of ``share`` should be light."""
    return share >= 0.55


def polyline(
    points: Sequence[tuple[float, float]],
    width: float,
    height: float,
    x_max: float = 1.0,
    y_max: float = 1.0,
    x_min: float = 0.0,
) -> str:
    """SVG ``points`` of a line through ``(x, y)`` values, y upwards, scaled to the box."""
    x_span = (x_max - x_min) or 1.0
    y_top = y_max or 1.0
    return " ".join(
        f"{(x - x_min) / x_span * width:.1f},{height - min(y, y_top) / y_top * height:.1f}"
        for x, y in points
    )


@dataclass(frozen=True)
class Tile:
    """A rectangle of a tree map, for the item ``key``."""

    key: str
    x: float
    y: float
    width: float
    height: float


def treemap(items: list[tuple[str, float]], width: float, height: float) -> list[Tile]:
    """Squarified tree map (Bruls, Huizing & van Wijk 2000): one tile per item with a positive
    weight, its area proportional to the weight, largest first."""
    weighted = sorted(((k, w) for k, w in items if w > 0), key=lambda kw: -kw[1])
    total = sum(w for _, w in weighted)
    if not weighted or width <= 0 or height <= 0:
        return []
    scale = width * height / total
    areas = [(k, w * scale) for k, w in weighted]
    tiles: list[Tile] = []
    box = (0.0, 0.0, float(width), float(height))
    row: list[tuple[str, float]] = []
    i = 0
    while i < len(areas):
        side = min(box[2], box[3])
        candidate = [*row, areas[i]]
        if not row or _worst(candidate, side) <= _worst(row, side):
            row = candidate
            i += 1
        else:
            box = _lay_row(row, box, tiles)
            row = []
    if row:
        _lay_row(row, box, tiles)
    return tiles


def _worst(row: list[tuple[str, float]], side: float) -> float:
    s = sum(a for _, a in row)
    return max(max(side * side * a / (s * s), s * s / (side * side * a)) for _, a in row)


def _lay_row(
    row: list[tuple[str, float]], box: tuple[float, float, float, float], tiles: list[Tile]
) -> tuple[float, float, float, float]:
    x, y, w, h = box
    s = sum(a for _, a in row)
    if w >= h:  # a column along the left side
        column = s / h
        at = y
        for key, a in row:
            tiles.append(Tile(key, x, at, column, a / column))
            at += a / column
        return (x + column, y, w - column, h)
    strip = s / w  # a row along the top
    at = x
    for key, a in row:
        tiles.append(Tile(key, at, y, a / strip, strip))
        at += a / strip
    return (x, y + strip, w, h - strip)


def grouped_columns(
    groups: list[tuple[str, list[float]]], width: float = 720, height: float = 200
) -> list[tuple[str, float, list[Bar]]]:
    """Side-by-side bars per group: ``(group label, group centre x, bars)``, one bar per
    series, all scaled to the largest value."""
    if not groups:
        return []
    top = max((v for _, values in groups for v in values), default=0.0) or 1.0
    step = width / len(groups)
    series = max(len(values) for _, values in groups)
    gap = step * 0.2
    bar = (step - gap) / max(series, 1)
    out = []
    for g, (label, values) in enumerate(groups):
        left = g * step + gap / 2
        bars = [
            Bar(left + s * bar, height - v / top * height, bar, v / top * height, label, "")
            for s, v in enumerate(values)
        ]
        out.append((label, g * step + step / 2, bars))
    return out
