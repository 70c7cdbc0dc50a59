"""The refresh boundary: a short token lifetime, requests across several lifetimes, refresh
ahead of expiry vs refresh on expiry only; paced (async core, open loop) and under load
(blocking core, 1-64 threads, closed loop).

On loopback an exchange takes about a millisecond, well inside this machine's noise; against
LeanIX it is a WAN round trip plus signing. So the paced pair runs twice, with the sandbox's
exchange as it is and delayed by EXCHANGE_DELAY_MS (the sandbox's `latency` fault on the token
endpoint only; API calls stay undelayed), and the runs under load use the delayed exchange: a
slow exchange also keeps a background refresh in flight longer, which is what tests that
concurrent callers do not start a second one."""

from __future__ import annotations

from typing import Any, Dict, List

from ..context import Ctx, log
from ..runner import RunError, run_json

EXCHANGE_DELAY_MS = 100


def _one(ctx: Ctx, mode: str, extra: List[str], delay_ms: int, what: str) -> Dict[str, Any]:
    p = ctx.params
    ctx.sandbox.reset()
    ctx.sandbox.set_token_latency(delay_ms)
    what = f"{what} (exchange +{delay_ms} ms)"
    try:
        r = run_json([str(ctx.art.bench), "refresh", "--mode", mode, "--seconds", str(p.refresh_seconds),
                      *extra, *ctx.target_args()], p.refresh_seconds + 60, ctx.target_env())
    except RunError as e:
        ctx.check(f"refresh {what}: measured", False, str(e))
        return {"mode": mode, "status": "failed", "reason": str(e), "token_delay_ms": delay_ms}
    r["status"] = "ok"
    r["token_delay_ms"] = delay_ms
    r["sandbox_exchanges"] = ctx.sandbox.exchanges()
    ctx.check(f"refresh {what}: measured", r["requests"] > 0 and r["errors"] == 0,
              f"{r['requests']} requests, {r['errors']} errors")
    ctx.check(f"refresh {what}: sandbox exchanges = client exchanges",
              r["sandbox_exchanges"] == r["client_exchanges"],
              f"sandbox {r['sandbox_exchanges']}, client {r['client_exchanges']}")
    ctx.check(f"refresh {what}: one exchange per refresh interval",
              r["one_per_interval"] and r["refreshes"] >= 2,
              f"{r['refreshes']} refreshes, intervals {r['intervals_s']} s, lifetime {r['lifetime_s']} s")
    log(f"  refresh {what:<40} p99 {r['overall']['p99_us']:>8.0f} us, max around refresh "
        f"{r['around_refresh']['max_us']:>8.0f} us, {r['refreshes']} refreshes")
    return r


def run(ctx: Ctx) -> Dict[str, Any]:
    p = ctx.params
    log(f"refresh: token lifetime {p.refresh_lifetime} s, {p.refresh_seconds:g} s per run")
    ctx.sandbox.set_token_lifetime(p.refresh_lifetime)
    try:
        paced = [_one(ctx, m, ["--rate", str(p.refresh_rate)], d, f"paced {m}")
                 for d in (0, EXCHANGE_DELAY_MS) for m in ("ahead", "expiry")]
        closed = [_one(ctx, m, ["--threads", str(n)], EXCHANGE_DELAY_MS, f"{m} x{n}")
                  for n in p.refresh_threads for m in p.refresh_closed_modes]
    finally:
        ctx.sandbox.reset()
        ctx.sandbox.set_token_lifetime(3599)
    return {"lifetime_s": p.refresh_lifetime, "seconds": p.refresh_seconds, "rate": p.refresh_rate,
            "exchange_delay_ms": EXCHANGE_DELAY_MS, "paced": paced, "closed": closed}
