"""Chart geometry for the trend page, computed in Python so the page is plain
SVG (no script, no CDN): scales, ticks, line paths, point and bar boxes. The
template only draws what these records say."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """The plot area inside a chart of width x height."""
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    key: str      # the scan's short sha (or #id), for data attributes
    title: str    # tooltip text (an SVG <title>, shown without scripts)


@dataclass(frozen=True)
class Series:
    name: str
    css: str
    path: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class LineChart:
    box: Box
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    css: str
    title: str


@dataclass(frozen=True)
class BarChart:
    box: Box
    zero: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...]


def nice_step(span: float, max_ticks: int = 5) -> int:
    """An integer tick step of 1, 2 or 5 times a power of ten giving at most
    `max_ticks` intervals over `span`."""
    if span <= 0:
        return 1
    raw = span / max_ticks
    power = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    for m in (1, 2, 5, 10):
        if m * power >= raw:
            return int(m * power)
    return int(10 * power)


def _y_axis(top_value: int, box: Box, max_ticks: int) -> tuple[int, tuple[Tick, ...]]:
    step = nice_step(top_value, max_ticks)
    top = max(step, math.ceil(top_value / step) * step)
    scale = (box.bottom - box.top) / top
    ticks = tuple(Tick(round(box.bottom - v * scale, 1), str(v)) for v in range(0, top + 1, step))
    return top, ticks


def x_positions(n: int, box: Box) -> list[float]:
    """Scans are evenly spaced in time order (one slot each), so every scan is
    visible even when several land on one day."""
    if n == 1:
        return [round((box.left + box.right) / 2, 1)]
    step = (box.right - box.left) / (n - 1)
    return [round(box.left + i * step, 1) for i in range(n)]


def x_ticks(labels: list[str], xs: list[float], max_ticks: int = 6) -> tuple[Tick, ...]:
    n = len(labels)
    if n <= max_ticks:
        picks = range(n)
    else:
        picks = sorted({round(k * (n - 1) / (max_ticks - 1)) for k in range(max_ticks)})
    return tuple(Tick(xs[i], labels[i]) for i in picks)


def line_chart(labels: list[str], keys: list[str], tips: list[str],
               series: list[tuple[str, str, list[int]]],
               width: int = 1040, height: int = 300, margin: tuple[int, int, int, int] = (16, 16, 36, 44),
               max_y_ticks: int = 5, tick_labels: bool = True) -> LineChart:
    """Per scan: labels (x ticks), keys (data attributes), tips (tooltips);
    series: (name, css class, value per scan). margin: top, right, bottom, left."""
    t, r, b, l = margin
    box = Box(width, height, l, t, width - r, height - b)
    peak = max((max(values) for _, _, values in series if values), default=0)
    top, y_ticks = _y_axis(peak, box, max_y_ticks)
    xs = x_positions(len(labels), box)
    scale = (box.bottom - box.top) / top
    out = []
    for name, css, values in series:
        pts = tuple(Point(x, round(box.bottom - v * scale, 1), v, key, f"{tip} · {name}: {v}")
                    for x, v, key, tip in zip(xs, values, keys, tips))
        path = " ".join(f"{'M' if i == 0 else 'L'}{p.x:g},{p.y:g}" for i, p in enumerate(pts))
        out.append(Series(name, css, path, pts))
    return LineChart(box, x_ticks(labels, xs) if tick_labels else (), y_ticks, tuple(out))


def change_bars(labels: list[str], tips: list[str], new: list[int | None], fixed: list[int | None],
                width: int = 1040, height: int = 200,
                margin: tuple[int, int, int, int] = (16, 16, 36, 44)) -> BarChart:
    """New findings as bars above the zero line, fixed ones below it; a scan
    with nothing before it to compare gets no bar."""
    t, r, b, l = margin
    box = Box(width, height, l, t, width - r, height - b)
    up = max([n for n in new if n] or [0])
    down = max([n for n in fixed if n] or [0])
    step = nice_step(max(up, down, 1) * 2, 6)
    top_up = max(step, math.ceil(up / step) * step) if up else step
    top_down = max(step, math.ceil(down / step) * step) if down else step
    scale = (box.bottom - box.top) / (top_up + top_down)
    zero = round(box.top + top_up * scale, 1)
    ticks = tuple(Tick(round(zero - v * scale, 1), str(abs(v)))
                  for v in range(-top_down, top_up + 1, step))
    n = len(labels)
    pad = 24.0
    inner = Box(width, height, box.left + pad, box.top, box.right - pad, box.bottom)
    xs = x_positions(n, inner)
    slot = (inner.right - inner.left) / max(n - 1, 1) if n > 1 else 40.0
    bar_w = round(max(2.0, min(18.0, slot * 0.35)), 1)
    bars = []
    for x, tip, n_new, n_fixed in zip(xs, tips, new, fixed):
        if n_new is None:
            continue
        if n_new:
            h = round(n_new * scale, 1)
            bars.append(Bar(round(x - bar_w, 1), round(zero - h, 1), bar_w, h, n_new, "new",
                            f"{tip}: {n_new} new"))
        if n_fixed:
            h = round(n_fixed * scale, 1)
            bars.append(Bar(x, zero, bar_w, h, n_fixed, "fixed", f"{tip}: {n_fixed} fixed"))
    return BarChart(box, zero, x_ticks(labels, xs), ticks, tuple(bars))
