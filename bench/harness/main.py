"""Entry point: `python3 -m bench.harness.main [--quick] [--out DIR] [--only PHASES]` (run.sh
calls it after building). Starts one lx-sandbox, runs the phases, writes results.json,
RESULTS.md and results.svg, and exits 1 if a check failed (a measurement produced no number or
an exchange count was wrong). Timings are never asserted."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict

from . import chart, machine, report, targets
from .context import Ctx, Params, log
from .phases import bindings, cli, coldstart, concurrency, memory, refresh, sequential, server
from .runner import BENCH, ROOT, Artifacts
from .sandbox import Sandbox

PHASES: Dict[str, Callable[[Ctx], Dict[str, Any]]] = {
    "sequential": sequential.run,
    "concurrency": concurrency.run,
    "refresh": refresh.run,
    "coldstart": coldstart.run,
    "memory": memory.run,
    "server": server.run,
    "bindings": bindings.run,
    "cli": cli.run,
}


def main() -> int:
    ap = argparse.ArgumentParser(description="leanix benchmarks (see bench/README.md)")
    ap.add_argument("--quick", action="store_true", help="short runs for CI (under 2 minutes)")
    ap.add_argument("--out", type=Path, help="output folder (default: bench/ for a full run, "
                                              "target/bench/quick/ for --quick)")
    ap.add_argument("--only", help=f"comma-separated phases: {','.join(PHASES)}")
    ap.add_argument("--release-dir", type=Path, default=ROOT / "target" / "release")
    ap.add_argument("--c-dir", type=Path, default=ROOT / "target" / "bench" / "c")
    ap.add_argument("--render", type=Path, metavar="RESULTS_JSON",
                    help="measure nothing: rewrite RESULTS.md and results.svg beside this results.json")
    args = ap.parse_args()
    if args.render:
        return render(args.render)
    only = args.only.split(",") if args.only else list(PHASES)
    unknown = [p for p in only if p not in PHASES]
    if unknown:
        ap.error(f"unknown phase(s) {unknown}")
    out = args.out or (ROOT / "target" / "bench" / "quick" if args.quick else BENCH)
    out.mkdir(parents=True, exist_ok=True)

    art = Artifacts(args.release_dir, args.c_dir)
    if art.missing():
        log("missing build artifacts (run bench/run.sh, which builds them):\n  " + "\n  ".join(art.missing()))
        return 2
    params = Params.for_mode(args.quick)
    res: Dict[str, Any] = {"mode": "quick" if args.quick else "full", "machine": machine.describe(),
                           "params": params.__dict__}
    log(f"leanix bench ({res['mode']}): {res['machine']['nproc']} CPUs, load {res['machine']['load_before']}")
    t0 = time.perf_counter()
    sandbox = Sandbox(art.sandbox)
    try:
        token = sandbox.exchange()
        ctx = Ctx(art=art, sandbox=sandbox, access_token=token, path=sandbox.fact_sheet_path(token), params=params)
        log(f"lx-sandbox at {sandbox.url}, endpoint GET {ctx.path}")
        for name in only:
            t = time.perf_counter()
            res[name] = PHASES[name](ctx)
            res.setdefault("phase_wall_s", {})[name] = round(time.perf_counter() - t, 1)
    finally:
        sandbox.close()
    res["wall_s"] = round(time.perf_counter() - t0, 1)
    res["machine"]["load_after"] = machine.load()
    res["targets"] = targets.evaluate(res)
    res["checks"] = ctx.checks

    (out / "results.json").write_text(json.dumps(res, indent=1) + "\n")
    write_outputs(res, out)
    failed = [c for c in ctx.checks if not c["ok"]]
    log(f"\nwrote {out / 'RESULTS.md'}, {out / 'results.svg'}, {out / 'results.json'} in {res['wall_s']} s")
    for t in res["targets"]:
        log(f"  target {t['verdict']:>6}: {t['name']}: {t['measured']} (required {t['target']})")
    log(f"{len(ctx.checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def write_outputs(res: Dict[str, Any], out: Path) -> None:
    """RESULTS.md (with bench/findings.md when writing into bench/) and results.svg."""
    chart.write(res, out / "results.svg")
    findings = BENCH / "findings.md" if out.resolve() == BENCH.resolve() else None
    report.write(res, out / "RESULTS.md", "results.svg", findings)


def render(results_json: Path) -> int:
    """Rewrites the report and chart of an earlier run (targets re-evaluated)."""
    res = json.loads(results_json.read_text())
    res["targets"] = targets.evaluate(res)
    write_outputs(res, results_json.parent)
    log(f"rewrote {results_json.parent / 'RESULTS.md'} and results.svg from {results_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
