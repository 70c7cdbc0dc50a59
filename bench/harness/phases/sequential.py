"""Sequential GETs (one request at a time) through every client, interleaved in rounds."""

from __future__ import annotations

from typing import Any, Dict

from ..context import Ctx, log
from ..subjects import EXPECTED_EXCHANGES, PROCESS, load, process_loop
from .common import check_row, ratio, rounds, row

SUBJECTS = ["raw-reqwest", "core-async", "core-blocking", "c-abi", "wrk", "curl-recipe", "lx-cli"]


def run(ctx: Ctx) -> Dict[str, Any]:
    p = ctx.params
    log(f"sequential: {p.seq_rounds} round(s) of {p.seq_warmup:g} s warm-up + {p.seq_seconds:g} s")

    def measure(s: str) -> Dict[str, Any]:
        if s in PROCESS:
            return process_loop(ctx, s, p.process_seconds)
        return load(ctx, s, 1, p.seq_warmup, p.seq_seconds)

    runs = rounds(ctx, SUBJECTS, p.seq_rounds, measure, "seq")
    rows = []
    for s in SUBJECTS:
        r = row(s, runs[s])
        if s in PROCESS and r["status"] == "ok":
            expected = [x["expected_exchanges"] for x in runs[s]]
            ctx.check(f"sequential {s}: token exchanges", r["exchanges_rounds"] == expected,
                      f"expected one per request {expected}, got {r['exchanges_rounds']}")
            check_row(ctx, f"sequential {s}", r, None)
        else:
            check_row(ctx, f"sequential {s}", r, EXPECTED_EXCHANGES.get(s))
        rows.append(r)
    ratios = {
        "core_async_vs_raw": ratio(runs, "core-async", "raw-reqwest"),
        "core_blocking_vs_raw": ratio(runs, "core-blocking", "raw-reqwest"),
        "c_abi_vs_core_async": ratio(runs, "c-abi", "core-async"),
        "c_abi_vs_core_blocking": ratio(runs, "c-abi", "core-blocking"),
        "raw_vs_wrk": ratio(runs, "raw-reqwest", "wrk"),
        "core_async_vs_curl_recipe": ratio(runs, "core-async", "curl-recipe"),
        "c_abi_vs_curl_recipe": ratio(runs, "c-abi", "curl-recipe"),
    }
    return {"endpoint": f"GET {ctx.path}", "rounds": p.seq_rounds, "warmup_s": p.seq_warmup,
            "seconds": p.seq_seconds, "process_seconds": p.process_seconds, "rows": rows, "ratios": ratios}
