"""The shell: one request per process, as a loop in a shell makes them. `lx get` with and without
its token cache, beside the vendor's curl recipe and `curl -H "Authorization: Bearer $(lx token)"`,
with the sandbox's token exchange as it is and delayed by EXCHANGE_DELAY_MS (its `latency` fault
on the token endpoint: a WAN-like exchange). Without the cache every invocation exchanges; with
it, one exchange serves the whole measurement (the first invocation's), which the sandbox's
counter checks."""

from __future__ import annotations

import tempfile
import time
from typing import Any, Dict, List

from ..context import Ctx, log
from ..runner import summary_us
from ..subjects import CACHED, children_usage, invocation, per_request
from .common import check_row, rounds, row

SUBJECTS = ["curl-recipe", "lx-cli", "lx-cli-cached", "curl-lx-token"]
EXCHANGE_DELAYS_MS = [0, 100]


def _loop(ctx: Ctx, subject: str, delay_ms: int, seconds: float, min_runs: int = 3) -> Dict[str, Any]:
    """Invocations one after the other for `seconds` (at least `min_runs`), the token endpoint
    delayed by `delay_ms`, a fresh token cache directory."""
    ctx.sandbox.reset()  # also clears an earlier delay
    if delay_ms:
        ctx.sandbox.set_token_latency(delay_ms)
    with tempfile.TemporaryDirectory(prefix="lx-bench-runtime-") as runtime:
        lat: List[float] = []
        before = children_usage()
        t0 = time.perf_counter()
        while len(lat) < min_runs or time.perf_counter() - t0 < seconds:
            lat.append(invocation(ctx, subject, runtime))
        elapsed = time.perf_counter() - t0
    exchanges = ctx.sandbox.exchanges()
    ctx.sandbox.reset()
    return {"subject": subject, "threads": 1, "requests": len(lat), "seconds": round(elapsed, 3),
            "rps": round(len(lat) / elapsed, 1), "latency": summary_us(lat), "first_us": round(lat[0], 1),
            "usage": per_request(before, children_usage(), len(lat)), "exchanges": exchanges,
            "expected_exchanges": 1 if subject in CACHED else len(lat)}


def run(ctx: Ctx) -> Dict[str, Any]:
    p = ctx.params
    n = max(1, p.seq_rounds // 2)
    log(f"cli: {n} round(s) of {p.process_seconds:g} s per client, exchange delayed by {EXCHANGE_DELAYS_MS} ms")
    out = []
    for delay in EXCHANGE_DELAYS_MS:
        runs = rounds(ctx, SUBJECTS, n, lambda s: _loop(ctx, s, delay, p.process_seconds), f"cli +{delay} ms")
        rows = []
        for s in SUBJECTS:
            r = row(s, runs[s], delay_ms=delay)
            if r["status"] == "ok":
                expected = [x["expected_exchanges"] for x in runs[s]]
                ctx.check(f"cli {s} +{delay} ms: token exchanges", r["exchanges_rounds"] == expected,
                          f"expected {expected}, got {r['exchanges_rounds']}")
                r["first_us"] = max(x["first_us"] for x in runs[s])
                r["invocations"] = sum(x["requests"] for x in runs[s])
            check_row(ctx, f"cli {s} +{delay} ms", r, None)
            rows.append(r)
        out.append({"delay_ms": delay, "rows": rows})
    return {"rounds": n, "process_seconds": p.process_seconds, "endpoint": f"GET {ctx.path}", "delays": out}
