"""The sandbox itself against a static responder (same hyper stack, fixed body, no work), both
hit by wrk: sequential (1 connection) and 16 connections. Shows how far above the clients'
figures the server side goes, i.e. that the client figures are not server-bound."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict

from ..context import Ctx, log
from ..subjects import wrk
from .common import check_row, ratio, rounds, row


def run(ctx: Ctx) -> Dict[str, Any]:
    p = ctx.params
    body = ctx.sandbox.get(ctx.path, ctx.access_token)
    log(f"server: wrk against lx-sandbox and a static responder ({len(body)}-byte body)")
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "body.json"
        f.write_bytes(body)
        static = subprocess.Popen([str(ctx.art.bench), "static-server", "--body-file", str(f)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert static.stdout is not None
            static_url = static.stdout.readline().strip()
            targets = {"sandbox": ctx.url + ctx.path, "static": static_url + ctx.path}
            rows, ratios = [], {}
            for conns in (1, 16):
                runs = rounds(ctx, list(targets), p.server_rounds,
                              lambda s, c=conns: wrk(ctx, targets[s], c, p.server_seconds), f"wrk c{conns}")
                for s in targets:
                    r = row(s, runs[s], connections=conns)
                    check_row(ctx, f"server {s} c{conns}", r, None)
                    rows.append(r)
                ratios[f"sandbox_vs_static_c{conns}"] = ratio(runs, "sandbox", "static")
        finally:
            assert static.stdin is not None
            static.stdin.close()
            static.wait(timeout=10)
    return {"body_bytes": len(body), "rows": rows, "ratios": ratios}
