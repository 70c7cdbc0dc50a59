"""The Python and Java benches, written beside this harness (bench/python, bench/java): run with
`--json FILE` (and `--quick`), their figures read back. Each starts its own lx-sandbox from the
same release build and compares its binding with a hand-coded client in the same run. A bench
that is not there yet, or whose toolchain is missing, becomes a "skipped" row."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..context import Ctx, log
from ..runner import BENCH, tool

JDK25 = Path(os.environ.get("BENCH_JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"))


def _run(ctx: Ctx, name: str, cmd: List[str], timeout: float) -> Dict[str, Any]:
    env = dict(os.environ, LEANIX_LIBRARY=str(ctx.art.libleanix), LX_SANDBOX_BIN=str(ctx.art.sandbox),
               LX_SANDBOX=str(ctx.art.sandbox))
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / f"{name}.json"
        t0 = time.perf_counter()
        try:
            p = subprocess.run([*cmd, "--json", str(out)], capture_output=True, text=True, env=env,
                               stdin=subprocess.DEVNULL, timeout=timeout, cwd=str(BENCH.parent))
        except subprocess.TimeoutExpired:
            return {"status": "failed", "reason": f"timed out after {timeout:.0f} s"}
        took = round(time.perf_counter() - t0, 1)
        if p.returncode != 0 or not out.is_file():
            tail = " | ".join((p.stderr or p.stdout).strip().splitlines()[-3:])
            return {"status": "failed", "reason": f"exit {p.returncode}: {tail}", "wall_s": took}
        doc = json.loads(out.read_text())
    return {"status": "ok", "wall_s": took, "report": doc}


def python(ctx: Ctx) -> Dict[str, Any]:
    script = BENCH / "python" / "bench_python.py"
    if not script.is_file():
        return {"status": "skipped", "reason": "not built (bench/python/bench_python.py absent)"}
    # The script installs requests, httpx and aiohttp with pip when they are missing, unless
    # BENCH_NO_INSTALL is set (then it skips their rows).
    cmd = [tool("python3") or "python3", str(script)] + (["--quick"] if ctx.params.quick else [])
    if os.environ.get("BENCH_NO_INSTALL"):
        cmd.append("--no-install")
    return _run(ctx, "python", cmd, 300)


def java(ctx: Ctx) -> Dict[str, Any]:
    script = BENCH / "java" / "run-bench.sh"
    if not script.is_file():
        return {"status": "skipped", "reason": "not built (bench/java/run-bench.sh absent)"}
    if not tool("mvn"):
        return {"status": "skipped", "reason": "Maven not installed"}
    if not (JDK25 / "bin" / "java").is_file():
        return {"status": "skipped", "reason": f"no JDK 25 at {JDK25} (set BENCH_JAVA_HOME)"}
    cmd = ["bash", str(script)] + (["--quick"] if ctx.params.quick else ["--rounds", "3"])
    return _run(ctx, "java", cmd, 900)


def bulk_write(ctx: Ctx) -> Dict[str, Any]:
    """A bulk write job against the sandbox's rate limit: leanix against a hand-coded client."""
    script = BENCH / "python" / "bench_bulk_write.py"
    cmd = [tool("python3") or "python3", str(script)] + (["--quick"] if ctx.params.quick else [])
    if os.environ.get("BENCH_NO_INSTALL"):
        cmd.append("--no-install")
    return _run(ctx, "bulk_write", cmd, 300)


def rps(section: Dict[str, Any], client: str, threads: int = 1) -> Optional[float]:
    """A client's req/s at `threads` from a bench's JSON report."""
    for r in section.get("report", {}).get("results", []):
        if r.get("client") == client and r.get("threads") == threads:
            return r.get("rps")
    return None


def run(ctx: Ctx) -> Dict[str, Any]:
    out = {}
    for name, fn, clients in (("python", python, ["leanix", "requests"]),
                              ("java", java, ["hand", "jna", "panama"])):
        log(f"{name} bench: running")
        sec = fn(ctx)
        if sec["status"] == "ok":
            got = {c: rps(sec, c) for c in clients}
            log(f"  {name}: " + ", ".join(f"{c} {v} req/s" for c, v in got.items()) + f" ({sec['wall_s']} s)")
            for c, v in got.items():
                if c == "panama" and v is None:
                    continue  # only on Java 22+; the report says so
                ctx.check(f"{name} bench {c}: measured", bool(v), f"{v}")
        elif sec["status"] == "failed":
            log(f"  {name}: FAILED: {sec['reason']}")
            ctx.check(f"{name} bench: ran", False, sec["reason"])
        else:
            log(f"  {name}: skipped: {sec['reason']}")
        out[name] = sec
    log("bulk write bench: running")
    sec = bulk_write(ctx)
    if sec["status"] == "ok":
        for r in sec["report"]["bulk_write"]:
            log(f"  bulk write {r['client']}: {r['sustained_fraction_of_limit']}x the limit, "
                f"{r['throttled_429']} x 429, {r['lost_writes']} lost")
            ctx.check(f"bulk write {r['client']}: no write lost", r["lost_writes"] == 0, f"{r['lost_writes']}")
    else:
        log(f"  bulk write: {sec['status']}: {sec.get('reason')}")
        ctx.check("bulk write bench: ran", False, str(sec.get("reason")))
    out["bulk_write"] = sec
    return out


def rows(res: Dict[str, Any], threads: Optional[int] = 1) -> List[Dict[str, Any]]:
    """The bindings' figures as report rows (`python-leanix`, `java-jna`, ...); with threads=None,
    every thread count they measured. A skipped or failed bench gives one row saying so."""
    out: List[Dict[str, Any]] = []
    for lang, clients in (("python", ["leanix", "requests", "httpx"]),
                          ("java", ["hand", "jna", "panama"])):
        sec = res.get("bindings", {}).get(lang)
        if sec is None:
            continue
        if sec.get("status") != "ok":
            out.append({"subject": f"{lang}-bench", "status": sec.get("status"), "reason": sec.get("reason")})
            continue
        for r in sec["report"].get("results", []):
            if r.get("client") in clients and (threads is None or r.get("threads") == threads):
                out.append({"subject": f"{lang}-{r['client']}", "status": "ok", "threads": r["threads"],
                            "rps": r.get("rps"), "mean_us": r.get("mean_latency_us"),
                            "exchanges": sec["report"].get("token_exchanges")})
    return out
