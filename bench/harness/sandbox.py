"""One lx-sandbox process for the whole run, and its control API."""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, Dict, Optional

TOKEN_PATH = "/services/mtm/v1/oauth2/token"
# Plain urllib without proxies: the sandbox is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Sandbox:
    """`lx-sandbox --port 0`, stopped by closing its stdin (it exits when the pipe closes)."""

    def __init__(self, exe: Path) -> None:
        self.proc = subprocess.Popen([str(exe), "--port", "0"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        self.api_token = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://") or not self.api_token:
            self.close()
            raise RuntimeError("lx-sandbox did not print its URL and API token")

    def _call(self, method: str, path: str, body: Optional[bytes] = None,
              headers: Optional[Dict[str, str]] = None) -> bytes:
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers or {})
        with _OPENER.open(req, timeout=30) as r:
            return r.read()

    def stats(self) -> Dict[str, Any]:
        return json.loads(self._call("GET", "/_sandbox/stats"))

    def exchanges(self) -> int:
        """Access tokens issued since the last reset."""
        return int(self.stats()["token_exchanges"])

    def reset(self) -> None:
        self._call("POST", "/_sandbox/reset", b"")

    def set_token_lifetime(self, seconds: int) -> None:
        self._call("POST", "/_sandbox/config", json.dumps({"token_lifetime_secs": seconds}).encode(),
                   {"Content-Type": "application/json"})

    def set_token_latency(self, ms: int) -> None:
        """Delays every token exchange by `ms` (0: none) until the next reset, as a WAN would."""
        body = {"endpoint": "token", "kind": "latency", "ms": ms}
        self._call("POST", "/_sandbox/faults", json.dumps(body).encode(), {"Content-Type": "application/json"})

    def exchange(self) -> str:
        """One exchange, the documented way; returns the access token."""
        basic = base64.b64encode(f"apitoken:{self.api_token}".encode()).decode()
        body = self._call("POST", TOKEN_PATH, b"grant_type=client_credentials",
                          {"Authorization": f"Basic {basic}",
                           "Content-Type": "application/x-www-form-urlencoded"})
        return json.loads(body)["access_token"]

    def get(self, path: str, access_token: str) -> bytes:
        return self._call("GET", path, headers={"Authorization": f"Bearer {access_token}"})

    def fact_sheet_path(self, access_token: str) -> str:
        """The path of the first fact sheet: the endpoint every client GETs."""
        page = json.loads(self.get("/services/pathfinder/v1/factSheets?pageSize=1", access_token))
        return f"/services/pathfinder/v1/factSheets/{page['data'][0]['id']}"

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
