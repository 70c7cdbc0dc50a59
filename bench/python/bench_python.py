#!/usr/bin/env python3
"""Requests per second through the leanix Python package vs. a hand-coded requests.Session client.

Both clients GET the same lx-sandbox endpoint (one fact sheet by id,
/services/pathfinder/v1/factSheets/{id}) with 1 thread and with 4 threads, after a warm-up.

The hand-coded client is written the way the vendor's documentation shows it:

    response = requests.post(f"https://{host}/services/mtm/v1/oauth2/token",
                             auth=("apitoken", api_token),
                             data={"grant_type": "client_credentials"})
    access_token = response.json()["access_token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {access_token}"
    session.get(url)

Targets: leanix with 1 thread >= 8x the hand-coded client with 1 thread; leanix with 4 threads
>= 1.6x leanix with 1 thread. Meaningful only with the RELEASE libleanix.so and lx-sandbox
(`cargo build --release -p leanix-ffi -p leanix-sandbox`); the debug build works but is slow.

    pip install -r bench/python/requirements.txt
    python3 bench/python/bench_python.py [--quick] [--seconds S] [--json FILE] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
TARGETS = {"leanix_1t_vs_requests_1t": 8.0, "leanix_4t_vs_leanix_1t": 1.6}


def artifact(name: str, env_var: str) -> Tuple[Path, str]:
    """$env_var, else target/release/name, else target/debug/name; with its profile."""
    env = os.environ.get(env_var)
    if env:
        p = Path(env)
        return p, "release" if "/release/" in str(p) else ("debug" if "/debug/" in str(p) else "?")
    for profile in ("release", "debug"):
        p = REPO / "target" / profile / name
        if p.is_file():
            return p, profile
    sys.exit(f"{name} not found in {REPO / 'target'}/{{release,debug}}; build it or set {env_var}")


# The library must be chosen before leanix is imported: the release build when there is one.
LIBRARY, LIBRARY_PROFILE = artifact("libleanix.so", "LEANIX_LIBRARY")
os.environ["LEANIX_LIBRARY"] = str(LIBRARY)
sys.path.insert(0, str(REPO / "bindings-examples" / "python" / "src"))
import leanix  # noqa: E402

# The source tree's package has no library next to it, so LEANIX_LIBRARY is what loads.
assert leanix.library_path() == LIBRARY, (leanix.library_path(), LIBRARY)


class Sandbox:
    def __init__(self) -> None:
        self.exe, self.profile = artifact("lx-sandbox", "LX_SANDBOX_BIN")
        self.proc = subprocess.Popen([str(self.exe), "--port", "0"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        self.token = self.proc.stdout.readline().strip()
        self.proc.stdout.readline()

    def stats(self) -> Dict[str, Any]:
        import urllib.request

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.url + "/_sandbox/stats", timeout=10) as r:
            return json.loads(r.read())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


# ------------------------------------------------------------------------------------------
# The two clients. Each `make_*` returns (per-thread request function factory, close).


def make_leanix(url: str, token: str, path: str) -> Tuple[Callable[[], Callable[[], int]], Callable[[], None]]:
    client = leanix.Client(url, token, allow_insecure_loopback=True)

    def per_thread() -> Callable[[], int]:
        get = client.get

        def one() -> int:
            return len(get(path).content)

        return one

    return per_thread, client.close


def make_requests(url: str, token: str, path: str) -> Tuple[Callable[[], Callable[[], int]], Callable[[], None]]:
    import requests

    # The vendor documentation's way: exchange once with Basic apitoken:<token>, then Bearer.
    response = requests.post(f"{url}/services/mtm/v1/oauth2/token", auth=("apitoken", token),
                             data={"grant_type": "client_credentials"})
    response.raise_for_status()
    access_token = response.json()["access_token"]
    sessions: List[Any] = []
    lock = threading.Lock()

    def per_thread() -> Callable[[], int]:
        session = requests.Session()  # one per thread: Session is not documented thread-safe
        session.trust_env = False     # no proxy lookups for the loopback sandbox
        session.headers["Authorization"] = f"Bearer {access_token}"
        with lock:
            sessions.append(session)
        full = url + path

        def one() -> int:
            r = session.get(full)
            r.raise_for_status()
            return len(r.content)

        return one

    def close() -> None:
        for s in sessions:
            s.close()

    return per_thread, close


# ------------------------------------------------------------------------------------------


def measure(per_thread: Callable[[], Callable[[], int]], threads: int, seconds: float,
            warmup: float) -> Dict[str, Any]:
    """Runs `threads` threads calling their function for `warmup` then `seconds` seconds."""
    counts = [0] * threads
    errors: List[BaseException] = []
    start = threading.Barrier(threads + 1)
    phase = {"measuring": False, "stop": False}

    def worker(i: int) -> None:
        one = per_thread()
        try:
            start.wait()
            while not phase["stop"]:
                one()
                if phase["measuring"]:
                    counts[i] += 1
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
            phase["stop"] = True

    ts = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for t in ts:
        t.start()
    start.wait()
    time.sleep(warmup)
    phase["measuring"] = True
    t0 = time.perf_counter()
    time.sleep(seconds)
    phase["measuring"] = False
    elapsed = time.perf_counter() - t0
    phase["stop"] = True
    for t in ts:
        t.join()
    if errors:
        raise RuntimeError(f"a benchmark thread failed: {errors[0]!r}") from errors[0]
    total = sum(counts)
    return {"threads": threads, "requests": total, "seconds": round(elapsed, 3),
            "rps": round(total / elapsed, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="measured seconds per run (5)")
    ap.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per run (1)")
    ap.add_argument("--quick", action="store_true", help="a few seconds in all (1 s per run)")
    ap.add_argument("--threads", default="1,4", help="thread counts (1,4)")
    ap.add_argument("--json", metavar="FILE", help="write the results as JSON to FILE")
    ap.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    ap.add_argument("--only", choices=["leanix", "requests"], help="run one client only")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.warmup = 1.0, 0.2
    thread_counts = [int(t) for t in args.threads.split(",")]

    clients = ["leanix", "requests"] if not args.only else [args.only]
    if "requests" in clients:
        try:
            import requests  # noqa: F401
        except ImportError:
            sys.exit("the hand-coded client needs requests: "
                     "pip install -r bench/python/requirements.txt (or --only leanix)")

    sandbox = Sandbox()
    print(f"libleanix:  {LIBRARY} ({LIBRARY_PROFILE})")
    print(f"lx-sandbox: {sandbox.exe} ({sandbox.profile}) at {sandbox.url}")
    if LIBRARY_PROFILE != "release" or sandbox.profile != "release":
        print("WARNING: debug build(s): the figures say nothing about the targets; build with "
              "`cargo build --release -p leanix-ffi -p leanix-sandbox`")
    results: List[Dict[str, Any]] = []
    try:
        with leanix.Client(sandbox.url, sandbox.token, allow_insecure_loopback=True) as c:
            fs_id = c.graphql("{ allFactSheets(first: 1) { edges { node { id } } } }")[
                "allFactSheets"]["edges"][0]["node"]["id"]
        path = f"/services/pathfinder/v1/factSheets/{fs_id}"
        print(f"endpoint:   GET {path}")
        print(f"runs:       {args.warmup:g} s warm-up + {args.seconds:g} s measured each\n")
        makers = {"leanix": make_leanix, "requests": make_requests}
        for name in clients:
            for threads in thread_counts:
                per_thread, close = makers[name](sandbox.url, sandbox.token, path)
                try:
                    r = measure(per_thread, threads, args.seconds, args.warmup)
                finally:
                    close()
                r["client"] = name
                results.append(r)
                print(f"  {name:<9} {threads} thread(s): {r['rps']:>10.1f} req/s", flush=True)
        stats = sandbox.stats()
    finally:
        sandbox.close()

    def rps(client: str, threads: int) -> Optional[float]:
        for r in results:
            if r["client"] == client and r["threads"] == threads:
                return r["rps"]
        return None

    print()
    print(f"{'client':<28} {'threads':>7} {'requests':>9} {'seconds':>8} {'req/s':>10}")
    labels = {"leanix": "leanix (ctypes, libleanix)", "requests": "requests.Session (by hand)"}
    for r in results:
        print(f"{labels[r['client']]:<28} {r['threads']:>7} {r['requests']:>9} "
              f"{r['seconds']:>8.2f} {r['rps']:>10.1f}")
    ratios: Dict[str, Optional[float]] = {}
    l1, l4, q1 = rps("leanix", 1), rps("leanix", 4), rps("requests", 1)
    ratios["leanix_1t_vs_requests_1t"] = round(l1 / q1, 2) if l1 and q1 else None
    ratios["leanix_4t_vs_leanix_1t"] = round(l4 / l1, 2) if l4 and l1 else None
    met = {k: (v is not None and v >= TARGETS[k]) for k, v in ratios.items()}
    print()
    for k, v in ratios.items():
        verdict = "n/a" if v is None else ("met" if met[k] else "MISSED")
        print(f"{k:<26} {('-' if v is None else f'{v:.2f}x'):>8}  target >= {TARGETS[k]}x  {verdict}")
    print(f"token exchanges seen by the sandbox: {stats['token_exchanges']} "
          f"(one per client built)")

    if args.json:
        doc = {
            "benchmark": "python-get-factsheet",
            "endpoint": "GET /services/pathfinder/v1/factSheets/{id}",
            "library": str(LIBRARY),
            "library_profile": LIBRARY_PROFILE,
            "sandbox": str(sandbox.exe),
            "sandbox_profile": sandbox.profile,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "seconds": args.seconds,
            "warmup": args.warmup,
            "results": results,
            "ratios": ratios,
            "targets": TARGETS,
            "targets_met": met,
            "token_exchanges": stats["token_exchanges"],
        }
        Path(args.json).write_text(json.dumps(doc, indent=2) + "\n")
        print(f"wrote {args.json}")
    if args.check and not all(met.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
