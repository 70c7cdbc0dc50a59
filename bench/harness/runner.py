"""Running measurement programs: paths of the built artifacts, JSON output, failures as rows."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


class RunError(Exception):
    """A measurement program failed; the message says how (exit status and stderr tail)."""


def _release_file(name: str) -> Any:
    """A read-only property of ``Artifacts``: the path of the release build's file ``name``."""
    return property(lambda self: self.release / name, doc=f"The release build's {name}.")


@dataclass(frozen=True)
class Artifacts:
    """Where the release build and the compiled C benchmarks are."""

    release: Path
    c_dir: Path

    bench = _release_file("leanix-bench")
    sandbox = _release_file("lx-sandbox")
    lx = _release_file("lx")
    libleanix = _release_file("libleanix.so")

    def c(self, name: str) -> Path:
        return self.c_dir / name

    def missing(self) -> List[str]:
        """Required artifacts that do not exist (lx is optional)."""
        need = [self.bench, self.sandbox, self.libleanix,
                self.c("bench_get"), self.c("coldstart"), self.c("memory")]
        return [str(p) for p in need if not p.is_file()]


def tool(name: str) -> Optional[str]:
    """The path of a tool on PATH, or None."""
    return shutil.which(name)


def run_json(cmd: Sequence[str], timeout: float, env: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """Runs `cmd` and returns the last line of its stdout parsed as a JSON object."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    try:
        p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, env=full_env,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise RunError(f"{Path(cmd[0]).name} timed out after {timeout:.0f} s") from e
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
        raise RunError(f"{Path(cmd[0]).name} exited with {p.returncode}: {' | '.join(tail)}")
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RunError(f"{Path(cmd[0]).name} printed no JSON")
    return json.loads(lines[-1])


def median(xs: Sequence[float]) -> Optional[float]:
    """The median, or None for no values."""
    return statistics.median(xs) if xs else None


def rnd(x: Optional[float], digits: int = 1) -> Optional[float]:
    """Rounds, keeping None."""
    return None if x is None else round(x, digits)


def summary_us(values_us: Sequence[float]) -> Dict[str, Optional[float]]:
    """Nearest-rank percentiles of latencies given in microseconds (same method as the Rust and
    C benches)."""
    v = sorted(values_us)
    n = len(v)

    def rank(p: float) -> Optional[float]:
        if n == 0:
            return None
        i = min(max(int(-(-p * n // 1)), 1), n)  # ceil(p*n), clamped to 1..n
        return round(v[i - 1], 1)

    return {"count": n, "mean_us": rnd(sum(v) / n) if n else None, "p50_us": rank(0.5),
            "p90_us": rank(0.9), "p99_us": rank(0.99), "max_us": rank(1.0)}
