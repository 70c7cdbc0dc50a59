"""results.svg: the headline figures as plain SVG bars (no plotting library).

Left: sequential requests per second of every client (log scale: the curl recipe and the
in-process clients are orders of magnitude apart). Right: latency at the refresh boundary,
refresh ahead vs refresh on expiry only."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from xml.sax.saxutils import escape

from .labels import SHORT
from .phases.bindings import rows as binding_rows

OURS = "#2b6cb0"    # clients built on leanix
THEIRS = "#a0aec0"  # floors and hand-coded clients
WARN = "#c05621"
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'
LEANIX = {"core-async", "core-blocking", "c-abi", "lx-cli", "python-leanix", "java-jna", "java-panama"}


def _text(x: float, y: float, s: str, size: int = 12, anchor: str = "start", weight: str = "normal",
          fill: str = "#1a202c") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" {FONT} font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}">{escape(s)}</text>')


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:.1f}"


def _seq_bars(res: Dict[str, Any]) -> List[Tuple[str, float, bool]]:
    bars = []
    for r in res.get("sequential", {}).get("rows", []):
        if r.get("status") == "ok" and r.get("rps"):
            bars.append((r["subject"], r["rps"], r["subject"] in LEANIX))
    for r in binding_rows(res, 1):
        if r.get("status") == "ok" and r.get("rps"):
            bars.append((r["subject"], r["rps"], r["subject"] in LEANIX))
    return sorted(bars, key=lambda b: -b[1])


def _panel_seq(x0: float, y0: float, w: float, bars: List[Tuple[str, float, bool]]) -> List[str]:
    out = [_text(x0, y0, "Sequential GETs per second (log scale)", 15, weight="bold"),
           _text(x0, y0 + 18, "one request at a time, same run, loopback lx-sandbox", 11, fill="#4a5568")]
    if not bars:
        return out + [_text(x0, y0 + 50, "no data", 12)]
    lab_w, top, bar_h, gap = 120, y0 + 34, 18, 6
    plot_w = w - lab_w - 70
    hi = 10 ** math.ceil(math.log10(max(b[1] for b in bars)))
    lo = 10 ** math.floor(math.log10(max(min(b[1] for b in bars), 1)))
    span = math.log10(hi) - math.log10(lo)
    xpos = lambda v: x0 + lab_w + plot_w * (math.log10(max(v, lo)) - math.log10(lo)) / span  # noqa: E731
    h = len(bars) * (bar_h + gap)
    decade = lo
    while decade <= hi:
        x = xpos(decade)
        out.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{top + h:.1f}" stroke="#e2e8f0"/>')
        out.append(_text(x, top + h + 14, _fmt(decade), 10, "middle", fill="#4a5568"))
        decade *= 10
    for i, (key, v, ours) in enumerate(bars):
        y = top + i * (bar_h + gap)
        out.append(_text(x0 + lab_w - 6, y + 13, SHORT.get(key, key), 12, "end"))
        out.append(f'<rect x="{x0 + lab_w:.1f}" y="{y:.1f}" width="{max(xpos(v) - x0 - lab_w, 1):.1f}" '
                   f'height="{bar_h}" fill="{OURS if ours else THEIRS}"/>')
        out.append(_text(xpos(v) + 4, y + 13, _fmt(v), 11))
    ly = top + h + 34
    out.append(f'<rect x="{x0 + lab_w}" y="{ly - 10}" width="10" height="10" fill="{OURS}"/>')
    out.append(_text(x0 + lab_w + 14, ly, "built on libleanix / leanix core", 11))
    out.append(f'<rect x="{x0 + lab_w + 210}" y="{ly - 10}" width="10" height="10" fill="{THEIRS}"/>')
    out.append(_text(x0 + lab_w + 224, ly, "floors and hand-coded clients", 11))
    return out


def _refresh_groups(res: Dict[str, Any]) -> List[Tuple[str, Optional[float], Optional[float]]]:
    """(label, p99 elsewhere ms, max around refresh ms) of the paced runs."""
    out = []
    for r in res.get("refresh", {}).get("paced", []):
        if r.get("status") == "ok":
            name = "ahead" if r["mode"] == "refresh-ahead" else "on expiry"
            out.append((f"{name}, +{r.get('token_delay_ms', 0)} ms", r["elsewhere"]["p99_us"] / 1e3,
                        r["around_refresh"]["max_us"] / 1e3))
    return out


def _panel_refresh(x0: float, y0: float, w: float, res: Dict[str, Any]) -> List[str]:
    ref = res.get("refresh", {})
    out = [_text(x0, y0, "Latency at the token refresh (ms, log scale)", 15, weight="bold"),
           _text(x0, y0 + 18, f"{ref.get('rate', 0):g} req/s paced, token lifetime {ref.get('lifetime_s', '?')} s; "
                 "exchange as is / delayed", 11, fill="#4a5568")]
    groups = _refresh_groups(res)
    if not groups:
        return out + [_text(x0, y0 + 50, "no data", 12)]
    lab_w, top, bar_h, ggap = 110, y0 + 34, 12, 14
    plot_w = w - lab_w - 60
    vals = [v for g in groups for v in g[1:] if v]
    lo = 10 ** math.floor(math.log10(max(min(vals), 1e-3)))
    hi = 10 ** math.ceil(math.log10(max(vals)))
    span = max(math.log10(hi) - math.log10(lo), 1)
    xpos = lambda v: x0 + lab_w + plot_w * (math.log10(max(v, lo)) - math.log10(lo)) / span  # noqa: E731
    h = len(groups) * (2 * bar_h + ggap)
    decade = lo
    while decade <= hi * 1.001:
        x = xpos(decade)
        out.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{top + h:.1f}" stroke="#e2e8f0"/>')
        out.append(_text(x, top + h + 14, f"{decade:g}", 10, "middle", fill="#4a5568"))
        decade *= 10
    for i, (name, p99, mx) in enumerate(groups):
        y = top + i * (2 * bar_h + ggap)
        out.append(_text(x0 + lab_w - 6, y + bar_h + 4, name, 11, "end"))
        spike = OURS if name.startswith("ahead") else WARN
        for j, (v, color) in enumerate(((p99, THEIRS), (mx, spike))):
            if v is None:
                continue
            by = y + j * bar_h
            out.append(f'<rect x="{x0 + lab_w:.1f}" y="{by:.1f}" width="{max(xpos(v) - x0 - lab_w, 1):.1f}" '
                       f'height="{bar_h - 2}" fill="{color}"/>')
            out.append(_text(xpos(v) + 4, by + bar_h - 3, f"{v:.2f}", 10))
    ly = top + h + 34
    out.append(f'<rect x="{x0 + lab_w}" y="{ly - 10}" width="10" height="10" fill="{THEIRS}"/>')
    out.append(_text(x0 + lab_w + 14, ly, "p99 elsewhere", 11))
    out.append(f'<rect x="{x0 + lab_w + 110}" y="{ly - 10}" width="10" height="10" fill="{OURS}"/>')
    out.append(f'<rect x="{x0 + lab_w + 122}" y="{ly - 10}" width="10" height="10" fill="{WARN}"/>')
    out.append(_text(x0 + lab_w + 136, ly, "max near a refresh", 11))
    return out


def write(res: Dict[str, Any], path: Path) -> None:
    bars = _seq_bars(res)
    left_h = 34 + len(bars) * 24 + 60
    height = max(left_h, 330) + 50
    width = 1000
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">', f'<rect width="{width}" height="{height}" fill="white"/>']
    parts += _panel_seq(20, 30, 560, bars)
    parts += _panel_refresh(600, 30, 390, res)
    m = res.get("machine", {})
    parts.append(_text(20, height - 12, f"leanix bench/run.sh ({res.get('mode')}), {m.get('date', '')}, "
                       f"{m.get('nproc')} x {m.get('cpu', '')}, Linux {m.get('kernel', '')}", 10, fill="#718096"))
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")
