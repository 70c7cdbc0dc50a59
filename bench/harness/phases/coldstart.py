"""Cold start: from spawning a process to its first authenticated response (token exchange
included), for a tiny C program on libleanix, the vendor's curl recipe and the `lx` command.
Runs are interleaved; each must cause exactly one exchange."""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any, Dict, List

from ..context import Ctx, log
from ..runner import RunError, summary_us
from ..subjects import Skip, invocation

SUBJECTS = ["c-coldstart", "curl-recipe", "lx-cli"]


def _c(ctx: Ctx) -> float:
    t0 = time.perf_counter()
    p = subprocess.run([str(ctx.art.c("coldstart")), ctx.url, ctx.api_token, ctx.path],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    wall = (time.perf_counter() - t0) * 1e6
    if p.returncode != 0:
        raise RunError(f"coldstart exited with {p.returncode}: {p.stderr.strip()[-200:]}")
    json.loads(p.stdout.splitlines()[-1])
    return wall


def run(ctx: Ctx) -> Dict[str, Any]:
    n = ctx.params.cold_runs
    log(f"cold start: {n} interleaved runs each")
    walls: Dict[str, List[float]] = {s: [] for s in SUBJECTS}
    exchanges: Dict[str, List[int]] = {s: [] for s in SUBJECTS}
    status: Dict[str, Dict[str, str]] = {}
    for _ in range(n):
        for s in SUBJECTS:
            if s in status:
                continue
            ctx.sandbox.reset()
            try:
                walls[s].append(_c(ctx) if s == "c-coldstart" else invocation(ctx, s))
                exchanges[s].append(ctx.sandbox.exchanges())
            except Skip as e:
                status[s] = {"status": "skipped", "reason": str(e)}
            except RunError as e:
                status[s] = {"status": "failed", "reason": str(e)}
    rows = []
    for s in SUBJECTS:
        if s in status:
            rows.append({"subject": s, **status[s]})
            if status[s]["status"] == "failed":
                ctx.check(f"cold start {s}: measured", False, status[s]["reason"])
            continue
        sm = summary_us(walls[s])
        rows.append({"subject": s, "status": "ok", "runs": len(walls[s]),
                     "p50_ms": round(sm["p50_us"] / 1e3, 2), "p90_ms": round(sm["p90_us"] / 1e3, 2),
                     "max_ms": round(sm["max_us"] / 1e3, 2), "exchanges": exchanges[s]})
        ctx.check(f"cold start {s}: measured", sm["count"] == n, f"{sm['count']} of {n} runs")
        ctx.check(f"cold start {s}: one exchange per run", all(e == 1 for e in exchanges[s]),
                  f"got {exchanges[s]}")
        log(f"  cold start {s:<12} p50 {rows[-1]['p50_ms']:>7.2f} ms")
    return {"runs": n, "rows": rows}
