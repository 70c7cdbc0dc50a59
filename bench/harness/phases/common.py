"""Rounds of interleaved measurements and the rows they make."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from ..context import Ctx, log
from ..runner import RunError, median, rnd
from ..subjects import Skip


def rotate(items: List[str], k: int) -> List[str]:
    """The list rotated by k, so that no subject always runs first or last in a round."""
    k %= max(len(items), 1)
    return items[k:] + items[:k]


def rounds(ctx: Ctx, subjects: List[str], n: int, measure: Callable[[str], Dict[str, Any]],
           label: str) -> Dict[str, List[Optional[Dict[str, Any]]]]:
    """Runs every subject once per round, in rotated order; a skipped or failed subject is
    recorded as such and not run again."""
    runs: Dict[str, List[Optional[Dict[str, Any]]]] = {s: [] for s in subjects}
    dead: Dict[str, Dict[str, Any]] = {}
    for r in range(n):
        for s in rotate(subjects, r):
            if s in dead:
                continue
            try:
                res = measure(s)
                log(f"  {label} round {r + 1}/{n} {s:<14} {res['rps']:>10.1f} req/s")
                runs[s].append(res)
            except Skip as e:
                dead[s] = {"status": "skipped", "reason": str(e)}
                log(f"  {label} {s}: skipped: {e}")
            except RunError as e:
                dead[s] = {"status": "failed", "reason": str(e)}
                log(f"  {label} {s}: FAILED: {e}")
    for s, why in dead.items():
        runs[s] = [why]  # type: ignore[list-item]
    return runs


def row(subject: str, results: List[Dict[str, Any]], **extra: Any) -> Dict[str, Any]:
    """The median over rounds of one subject's figures (or its skip/failure)."""
    if len(results) == 1 and results[0].get("status") in ("skipped", "failed"):
        return {"subject": subject, **results[0], **extra}
    lat = [r["latency"] for r in results]
    return {
        "subject": subject,
        "status": "ok",
        "rps": rnd(median([r["rps"] for r in results])),
        "rps_rounds": [r["rps"] for r in results],
        "p50_us": rnd(median([x["p50_us"] for x in lat])),
        "p99_us": rnd(median([x["p99_us"] for x in lat])),
        "max_us": rnd(max(x["max_us"] for x in lat)),
        "cpu_us_per_request": rnd(median([r["usage"]["cpu_us_per_request"] for r in results if "usage" in r])),
        "switches_per_request": rnd(median([r["usage"]["switches_per_request"] for r in results
                                            if "usage" in r]), 2),
        "exchanges_rounds": [r.get("exchanges") for r in results],
        **extra,
    }


def ratio(runs: Dict[str, List[Optional[Dict[str, Any]]]], a: str, b: str) -> Optional[float]:
    """Median over rounds of rps(a)/rps(b) within the same round (neighbours in time)."""
    xs = [ra["rps"] / rb["rps"] for ra, rb in zip(runs.get(a, []), runs.get(b, []))
          if ra and rb and "rps" in ra and "rps" in rb and rb["rps"]]
    m = median(xs)
    return None if m is None else round(m, 3)


def check_row(ctx: Ctx, what: str, row_: Dict[str, Any], expected_exchanges: Optional[int]) -> None:
    """The CI checks of a row: it produced a number, and each round's exchange count is right."""
    if row_["status"] == "skipped":
        return
    ok = row_["status"] == "ok" and (row_.get("rps") or 0) > 0
    ctx.check(f"{what}: measured", ok, row_.get("reason", ""))
    if ok and expected_exchanges is not None:
        got = row_["exchanges_rounds"]
        ctx.check(f"{what}: token exchanges", all(g == expected_exchanges for g in got),
                  f"expected {expected_exchanges} per run, got {got}")
