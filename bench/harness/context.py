"""What every phase needs: the artifacts, the sandbox, the endpoint, the mode's parameters, and
the list of checks that decide the exit status (numbers produced, exchange counts as expected)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List

from .runner import Artifacts
from .sandbox import Sandbox


@dataclass(frozen=True)
class Params:
    """Durations and counts of one mode (quick for CI, full for RESULTS.md)."""

    quick: bool
    seq_rounds: int
    seq_warmup: float
    seq_seconds: float
    process_seconds: float  # per round, for the process-per-request clients (curl, lx)
    conc_threads: List[int]
    conc_rounds: int
    conc_warmup: float
    conc_seconds: float
    refresh_lifetime: int
    refresh_seconds: float
    refresh_rate: float
    refresh_threads: List[int]
    refresh_closed_modes: List[str]
    cold_runs: int
    memory_total: int
    memory_checkpoint: int
    server_rounds: int
    server_seconds: int

    @staticmethod
    def for_mode(quick: bool) -> "Params":
        if quick:
            return Params(quick=True, seq_rounds=1, seq_warmup=0.3, seq_seconds=0.7, process_seconds=0.7,
                          conc_threads=[1, 4, 16, 64], conc_rounds=1, conc_warmup=0.2, conc_seconds=0.4,
                          refresh_lifetime=1, refresh_seconds=3.0, refresh_rate=200.0,
                          refresh_threads=[1, 4, 16, 64], refresh_closed_modes=["ahead"], cold_runs=8,
                          memory_total=20_000, memory_checkpoint=2_000, server_rounds=1, server_seconds=1)
        # Many short rounds rather than a few long ones: on a shared machine, noise comes in bursts
        # of seconds, and the median of many per-round ratios shrugs them off.
        return Params(quick=False, seq_rounds=8, seq_warmup=0.5, seq_seconds=2.0, process_seconds=2.0,
                      conc_threads=[1, 4, 16, 64], conc_rounds=4, conc_warmup=0.3, conc_seconds=2.0,
                      refresh_lifetime=4, refresh_seconds=14.0, refresh_rate=200.0,
                      refresh_threads=[1, 4, 16, 64], refresh_closed_modes=["ahead", "expiry"], cold_runs=30,
                      memory_total=100_000, memory_checkpoint=10_000, server_rounds=3, server_seconds=3)


@dataclass
class Ctx:
    """The run's shared state."""

    art: Artifacts
    sandbox: Sandbox
    access_token: str
    path: str
    params: Params
    checks: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.sandbox.url

    @property
    def api_token(self) -> str:
        return self.sandbox.api_token

    def target_args(self) -> List[str]:
        """The leanix-bench options naming the sandbox, the path and the ready access token."""
        return ["--url", self.url, "--path", self.path]

    def target_env(self) -> Dict[str, str]:
        """Credentials go through the environment, not the command line."""
        return {"LEANIX_API_TOKEN": self.api_token, "LX_ACCESS_TOKEN": self.access_token}

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        """Records a check (they decide the exit status) and says so on stderr if it failed."""
        self.checks.append({"name": name, "ok": bool(ok), "detail": detail})
        if not ok:
            log(f"CHECK FAILED: {name} {detail}")
        return ok


def log(msg: str) -> None:
    """Progress on stderr (stdout stays clean)."""
    print(msg, file=sys.stderr, flush=True)
