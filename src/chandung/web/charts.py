"""Charts drawn on the server as SVG shapes, so pages need no chart script from anywhere."""

from __future__ import annotations

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


def share_bars(values: dict[str, float], width: float = 320) -> list[tuple[str, float, float]]:
    """Horizontal bars: ``(label, share of the total, bar width)`` for each value."""
    total = sum(values.values()) or 1.0
    return [(label, v / total, v / total * width) for label, v in values.items()]
