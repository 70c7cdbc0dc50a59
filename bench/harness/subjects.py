"""How each client is run for one measurement, and how many token exchanges it should cause.

Closed-loop clients (Rust, C, wrk) run as their own process for a warm-up plus a measured
window. Process-per-request clients (the vendor's curl recipe, the `lx` command) are timed here,
one invocation after the other. The sandbox's counters are reset before each measurement and its
exchange count is read after it."""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import time
from typing import Any, Dict, List

from .context import Ctx
from .runner import BENCH, RunError, run_json, summary_us, tool

RUST = {"raw-reqwest": "raw", "core-async": "async", "core-blocking": "blocking"}
PROCESS = ("curl-recipe", "lx-cli")
# Process-per-request clients that share the access token between runs through lx's token cache
# (a fresh XDG_RUNTIME_DIR per measurement: one exchange for the whole measurement).
CACHED = ("lx-cli-cached", "curl-lx-token")
# Exchanges one closed-loop measurement must cause: the raw floors reuse the harness's token.
EXPECTED_EXCHANGES = {"raw-reqwest": 0, "wrk": 0, "core-async": 1, "core-blocking": 1, "c-abi": 1}


class Skip(Exception):
    """The subject cannot run here (a tool is not installed); the message says why."""


def load(ctx: Ctx, subject: str, threads: int, warmup: float, seconds: float) -> Dict[str, Any]:
    """One closed-loop measurement; returns rps, latency percentiles and the sandbox's count."""
    timeout = warmup + seconds + 60
    ctx.sandbox.reset()
    if subject in RUST:
        r = run_json([str(ctx.art.bench), "load", "--subject", RUST[subject], "--threads", str(threads),
                      "--warmup", str(warmup), "--seconds", str(seconds), *ctx.target_args()],
                     timeout, ctx.target_env())
    elif subject == "c-abi":
        r = run_json([str(ctx.art.c("bench_get")), ctx.url, ctx.api_token, ctx.path, str(threads),
                      str(warmup), str(seconds)], timeout)
    elif subject == "wrk":
        r = wrk(ctx, ctx.url + ctx.path, threads, seconds)
    else:
        raise ValueError(subject)
    r["exchanges"] = ctx.sandbox.exchanges()
    return r


def wrk(ctx: Ctx, url: str, connections: int, seconds: float) -> Dict[str, Any]:
    """wrk with the auth script (at most 2 threads: this is a 2-core machine, and wrk's threads
    are event loops, each driving several connections)."""
    exe = tool("wrk")
    if not exe:
        raise Skip("wrk not installed (apt-get install -y wrk)")
    threads = min(connections, os.cpu_count() or 2, 2)
    before = children_usage()
    r = run_json([exe, f"-t{threads}", f"-c{connections}", f"-d{max(1, math.ceil(seconds))}s",
                  "-s", str(BENCH / "wrk" / "auth.lua"), url], seconds + 60,
                 {"LX_ACCESS_TOKEN": ctx.access_token})
    errors = sum(r["errors"].values())
    if errors:
        raise RunError(f"wrk saw {errors} errors: {r['errors']}")
    secs = r["duration_us"] / 1e6
    return {"subject": "wrk", "threads": connections, "requests": r["requests"], "seconds": round(secs, 3),
            "rps": round(r["requests"] / secs, 1), "latency": r["latency"],
            "usage": per_request(before, children_usage(), r["requests"])}


def invocation(ctx: Ctx, subject: str, runtime_dir: str | None = None) -> float:
    """One request by new processes, as a shell user makes it; returns its wall time in µs.
    `lx-cli` keeps its token to the run (`--no-token-cache`: one exchange per request); the
    CACHED subjects keep it in lx's token cache under `runtime_dir`."""
    t0 = time.perf_counter()
    lx_env = {"LEANIX_HOST": ctx.url, "LEANIX_API_TOKEN": ctx.api_token}
    if subject in CACHED:
        if runtime_dir is None:
            raise ValueError(f"{subject} needs a runtime directory")
        if not ctx.art.lx.is_file():
            raise Skip("lx not built (cargo build --release -p leanix-cli)")
        lx_env["XDG_RUNTIME_DIR"] = runtime_dir
    if subject == "curl-recipe":
        curl = tool("curl")
        if not curl:
            raise Skip("curl not installed")
        # The vendor's recipe: exchange, read access_token, call with it.
        tok = _ok([curl, "-sS", "-f", "-u", f"apitoken:{ctx.api_token}", "--data",
                   "grant_type=client_credentials", ctx.url + "/services/mtm/v1/oauth2/token"])
        at = json.loads(tok)["access_token"]
        _ok([curl, "-sS", "-f", "-H", f"Authorization: Bearer {at}", ctx.url + ctx.path])
    elif subject == "lx-cli":
        if not ctx.art.lx.is_file():
            raise Skip("lx not built (cargo build --release -p leanix-cli)")
        _ok([str(ctx.art.lx), "--insecure-loopback", "--no-token-cache", "get", ctx.path], lx_env)
    elif subject == "lx-cli-cached":
        _ok([str(ctx.art.lx), "--insecure-loopback", "get", ctx.path], lx_env)
    elif subject == "curl-lx-token":
        curl = tool("curl")
        if not curl:
            raise Skip("curl not installed")
        # curl -H "Authorization: Bearer $(lx token)" URL
        at = _ok([str(ctx.art.lx), "--insecure-loopback", "token"], lx_env).decode().strip()
        _ok([curl, "-sS", "-f", "-H", f"Authorization: Bearer {at}", ctx.url + ctx.path])
    else:
        raise ValueError(subject)
    return (time.perf_counter() - t0) * 1e6


def process_loop(ctx: Ctx, subject: str, seconds: float, min_runs: int = 3) -> Dict[str, Any]:
    """Invocations one after the other for `seconds` (at least `min_runs`)."""
    ctx.sandbox.reset()
    lat: List[float] = []
    before = children_usage()
    t0 = time.perf_counter()
    while len(lat) < min_runs or time.perf_counter() - t0 < seconds:
        lat.append(invocation(ctx, subject))
    elapsed = time.perf_counter() - t0
    return {"subject": subject, "threads": 1, "requests": len(lat), "seconds": round(elapsed, 3),
            "rps": round(len(lat) / elapsed, 1), "latency": summary_us(lat),
            "usage": per_request(before, children_usage(), len(lat)), "exchanges": ctx.sandbox.exchanges(), "expected_exchanges": len(lat)}


def children_usage() -> tuple:
    """CPU seconds and context switches of this process's finished children so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime, ru.ru_nvcsw + ru.ru_nivcsw


def per_request(before: tuple, after: tuple, n: int) -> Dict[str, float]:
    """What the child processes used per request between two readings (for wrk, curl, lx)."""
    n = max(n, 1)
    return {"cpu_us_per_request": round((after[0] - before[0]) * 1e6 / n, 1),
            "switches_per_request": round((after[1] - before[1]) / n, 2)}


def _ok(cmd: List[str], env: Dict[str, str] | None = None) -> bytes:
    full = dict(os.environ, **env) if env else None
    p = subprocess.run(cmd, capture_output=True, env=full, stdin=subprocess.DEVNULL, timeout=60)
    if p.returncode != 0:
        raise RunError(f"{os.path.basename(cmd[0])} exited with {p.returncode}: "
                       f"{p.stderr.decode(errors='replace').strip()[-200:]}")
    return p.stdout
