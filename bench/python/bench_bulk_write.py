#!/usr/bin/env python3
"""A bulk write job against a rate limit: the leanix Python package against a hand-coded client.

Both create the same number of fact sheets (REST `POST /services/pathfinder/v1/factSheets`)
from 8 threads against one lx-sandbox whose per-user rate is limited
(`rate_limit_per_second`: a token bucket of one second's worth that refills at that rate; the
sandbox answers 429 with `Retry-After`, as LeanIX does). Reported per client: the time, the
sustained rate as a fraction of the limit (the writes after the bucket's first second, divided
by the time), the 429s the server sent, and writes lost.

- `leanix`: one `leanix.Client` shared by the threads, `max_attempts=10`; the client-wide pause
  and adaptive pacing are the library's, nothing is written for them.
- `hand`: what integrations write today (one exchange, then `requests.Session` per thread with
  `Authorization: Bearer`; on a 429 the thread sleeps `Retry-After` and tries again, up to 10
  times): each thread backs off on its own.

    python3 bench/python/bench_bulk_write.py [--quick] [--writes N] [--rate R] [--json FILE]

Rates are bounded by the limit, not by the machine, so a debug build measures the same thing.
requests is installed with pip when missing (--no-install: skip that row).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from typing import Any, Callable, Dict, List

from bench_python import LIBRARY, Sandbox, artifact, have, leanix, vendor_token

FACT_SHEETS_PATH = "/services/pathfinder/v1/factSheets"

THREADS = 8
ATTEMPTS = 10


def leanix_job(url: str, token: str) -> Callable[[int], int]:
    client = leanix.Client(url, token, insecure_loopback=True, max_attempts=ATTEMPTS)

    def write(i: int) -> int:
        return client.post(FACT_SHEETS_PATH, json={"name": f"bulk {i}", "type": "Application"}).status

    return write


def hand_job(url: str, token: str) -> Callable[[int], int]:
    import requests

    access = vendor_token(url, token)
    local = threading.local()

    def write(i: int) -> int:
        s = getattr(local, "session", None)
        if s is None:
            s = local.session = requests.Session()
            s.trust_env = False
            s.headers["Authorization"] = f"Bearer {access}"
        for _ in range(ATTEMPTS):
            r = s.post(url + FACT_SHEETS_PATH, json={"name": f"bulk {i}", "type": "Application"}, timeout=30)
            if r.status_code != 429:
                return r.status_code
            time.sleep(float(r.headers.get("Retry-After", "1")))
        return 429

    return write


def run(sandbox: Sandbox, name: str, make: Callable[[str, str], Callable[[int], int]], writes: int,
        rate: int) -> Dict[str, Any]:
    write = make(sandbox.url, sandbox.api_token)
    write(-1)  # the exchange and a connection, before the clock starts
    sandbox.config(rate_limit_per_second=rate)
    sandbox.reset()
    lost: List[int] = []
    counter = iter(range(writes))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            try:
                status = write(i)
            except leanix.LeanixError:
                status = 0
            if not 200 <= status < 300:
                with lock:
                    lost.append(status)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    stats = sandbox.stats()
    sandbox.config(rate_limit_per_second=None)
    throttled = int(stats["requests"].get("factSheets", {}).get("429", 0))
    sustained = (writes - rate) / elapsed / rate
    r = {"client": name, "writes": writes, "threads": THREADS, "limit_per_second": rate,
         "seconds": round(elapsed, 2), "sustained_fraction_of_limit": round(sustained, 3),
         "throttled_429": throttled, "lost_writes": len(lost), "writes_done": int(stats["writes"])}
    print(f"{name:8s} {writes} writes, {THREADS} threads, limit {rate}/s: {elapsed:6.2f} s, "
          f"sustained {sustained:.2f}x the limit, {throttled} x 429, {len(lost)} lost", flush=True)
    return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writes", type=int, default=600, help="fact sheets to create (600)")
    ap.add_argument("--rate", type=int, default=40, help="the sandbox's limit per second (40)")
    ap.add_argument("--quick", action="store_true", help="120 writes")
    ap.add_argument("--json", metavar="FILE", help="write the results as JSON to FILE")
    ap.add_argument("--no-install", action="store_true", help="do not pip-install requests; skip its row")
    args = ap.parse_args()
    if args.quick:
        args.writes = 120
    if args.writes <= args.rate:
        sys.exit("--writes must be larger than --rate (the first second's worth is a burst)")
    exe, _ = artifact("lx-sandbox", "LX_SANDBOX_BIN")
    sandbox = Sandbox(exe)
    print(f"libleanix:  {LIBRARY}\nlx-sandbox: {exe} at {sandbox.url}")
    results = []
    try:
        results.append(run(sandbox, "leanix", leanix_job, args.writes, args.rate))
        if have("requests", not args.no_install):
            results.append(run(sandbox, "hand", hand_job, args.writes, args.rate))
    finally:
        sandbox.close()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"bulk_write": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
