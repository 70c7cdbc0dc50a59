"""1, 4, 16, 64 workers sharing one client: throughput, p99 and token exchanges (must be 1)."""

from __future__ import annotations

from typing import Any, Dict

from ..context import Ctx, log
from ..subjects import EXPECTED_EXCHANGES, load
from .common import check_row, ratio, rounds, row

SUBJECTS = ["raw-reqwest", "core-async", "core-blocking", "c-abi", "wrk"]


def run(ctx: Ctx) -> Dict[str, Any]:
    p = ctx.params
    log(f"concurrency: threads {p.conc_threads}, {p.conc_rounds} round(s) of "
        f"{p.conc_warmup:g} s warm-up + {p.conc_seconds:g} s")
    rows, ratios = [], {}
    for n in p.conc_threads:
        runs = rounds(ctx, SUBJECTS, p.conc_rounds,
                      lambda s, n=n: load(ctx, s, n, p.conc_warmup, p.conc_seconds), f"{n:>2} threads")
        for s in SUBJECTS:
            r = row(s, runs[s], threads=n)
            check_row(ctx, f"concurrency {s} x{n}", r, EXPECTED_EXCHANGES.get(s))
            rows.append(r)
        ratios[str(n)] = {
            "core_async_vs_raw": ratio(runs, "core-async", "raw-reqwest"),
            "core_blocking_vs_raw": ratio(runs, "core-blocking", "raw-reqwest"),
            "c_abi_vs_core_blocking": ratio(runs, "c-abi", "core-blocking"),
            "c_abi_vs_core_async": ratio(runs, "c-abi", "core-async"),
        }
    return {"threads": p.conc_threads, "rounds": p.conc_rounds, "seconds": p.conc_seconds,
            "rows": rows, "ratios": ratios}
