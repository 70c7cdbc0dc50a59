"""The machine a run happened on: CPUs, kernel, toolchain versions, load, date."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path
from typing import Any, Dict, Optional

_ROOT = Path(__file__).resolve().parents[2]


def _cmd(*cmd: str) -> Optional[str]:
    try:
        p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = (p.stdout or p.stderr).strip().splitlines()
    return out[0].strip() if out else None


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> Optional[float]:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _os() -> str:
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def _commit() -> str:
    """HEAD's short hash, and how many tracked files differ from it (the build used the tree)."""
    head = _cmd("git", "-C", str(_ROOT), "rev-parse", "--short", "HEAD") or "unknown"
    try:
        p = subprocess.run(["git", "-C", str(_ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, timeout=20)
        dirty = len([ln for ln in p.stdout.splitlines() if ln.strip()])
    except (OSError, subprocess.TimeoutExpired):
        dirty = 0
    return head + (f" + uncommitted changes in {dirty} tracked file(s)" if dirty else "")


def load() -> str:
    """The 1/5/15-minute load averages."""
    a, b, c = os.getloadavg()
    return f"{a:.2f} {b:.2f} {c:.2f}"


def describe() -> Dict[str, Any]:
    """Everything RESULTS.md states about the machine."""
    return {
        "commit": _commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": _mem_total_gib(),
        "kernel": platform.release(),
        "os": _os(),
        "rustc": _cmd("rustc", "--version"),
        "cc": _cmd("cc", "--version"),
        "python": platform.python_version(),
        "wrk": _cmd("wrk", "--version"),
        "curl": _cmd("curl", "--version"),
        "load_before": load(),
    }
