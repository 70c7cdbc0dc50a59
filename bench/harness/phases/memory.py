"""Memory of a C program on libleanix doing many sequential requests (VmRSS at the checkpoint
and at the end, VmHWM peak), and the size of the shared library before and after stripping."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict

from ..context import Ctx, log
from ..runner import RunError, run_json, tool


def library_sizes(lib: Path) -> Dict[str, Any]:
    """Sizes of libleanix.so as built and of a stripped copy (the build is not touched)."""
    out: Dict[str, Any] = {"library": str(lib), "so_bytes": lib.stat().st_size}
    strip = tool("strip")
    if strip:
        with tempfile.TemporaryDirectory() as d:
            copy = Path(d) / lib.name
            shutil.copyfile(lib, copy)
            subprocess.run([strip, "--strip-all", str(copy)], check=True)
            out["so_stripped_bytes"] = copy.stat().st_size
    a = lib.with_suffix(".a")
    if a.is_file():
        out["a_bytes"] = a.stat().st_size
    return out


def run(ctx: Ctx) -> Dict[str, Any]:
    p = ctx.params
    log(f"memory: {p.memory_total} requests, RSS at {p.memory_checkpoint} and at the end")
    ctx.sandbox.reset()
    try:
        r = run_json([str(ctx.art.c("memory")), ctx.url, ctx.api_token, ctx.path, str(p.memory_total),
                      str(p.memory_checkpoint)], timeout=600)
        r["status"] = "ok"
        r["exchanges"] = ctx.sandbox.exchanges()
        ctx.check("memory: measured", r["rss_end_kib"] > 0 and r["peak_rss_kib"] > 0)
        ctx.check("memory: one token exchange", r["exchanges"] == 1, f"got {r['exchanges']}")
        log(f"  RSS {r['rss_checkpoint_kib']} KiB at {p.memory_checkpoint}, {r['rss_end_kib']} KiB at "
            f"{p.memory_total} (growth {r['growth_kib']} KiB), peak {r['peak_rss_kib']} KiB")
    except RunError as e:
        ctx.check("memory: measured", False, str(e))
        r = {"status": "failed", "reason": str(e)}
    r["sizes"] = library_sizes(ctx.art.libleanix)
    ctx.check("memory: library size", r["sizes"].get("so_stripped_bytes", 0) > 0)
    return r
