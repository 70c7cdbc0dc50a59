"""The benchmark's lx-sandbox: the repository's one Python launcher, plus what only the
benchmarks need (the documented raw exchange, plain GETs, the token-endpoint latency).

The launcher itself (starting and stopping the process, the control API) is
bindings-examples/python/tests/sandbox.py; it is loaded from there by path, as the tests and
the harness are not installed packages.
"""

from __future__ import annotations

import base64
import importlib.util
import json
from pathlib import Path

_LAUNCHER = Path(__file__).resolve().parents[2] / "bindings-examples" / "python" / "tests" / "sandbox.py"
_spec = importlib.util.spec_from_file_location("leanix_sandbox_launcher", _LAUNCHER)
assert _spec is not None and _spec.loader is not None, _LAUNCHER
_launcher = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_launcher)

TOKEN_PATH = "/services/mtm/v1/oauth2/token"


class Sandbox(_launcher.Sandbox):  # type: ignore[name-defined, misc]
    """`lx-sandbox --port 0` from `exe`; `api_token` is the admin user's API token."""

    def __init__(self, exe: Path) -> None:
        super().__init__(exe=exe, timeout=30)
        if not self.url.startswith("http://"):
            self.close()
            raise RuntimeError(f"lx-sandbox printed {self.url!r}, not an http:// URL")
        self.api_token = self.admin_token

    def exchanges(self) -> int:
        """Access tokens issued since the last reset."""
        return int(self.stats()["token_exchanges"])

    def set_token_lifetime(self, seconds: int) -> None:
        self.config(token_lifetime_secs=seconds)

    def set_token_latency(self, ms: int) -> None:
        """Delays every token exchange by `ms` (0: none) until the next reset, as a WAN would."""
        self.fault("token", "latency", ms=ms)

    def exchange(self) -> str:
        """One exchange, the documented way; returns the access token."""
        basic = base64.b64encode(f"apitoken:{self.api_token}".encode()).decode()
        body = self.http("POST", TOKEN_PATH, b"grant_type=client_credentials",
                         {"Authorization": f"Basic {basic}",
                          "Content-Type": "application/x-www-form-urlencoded"})
        return str(json.loads(body)["access_token"])

    def get(self, path: str, access_token: str) -> bytes:
        return self.http("GET", path, headers={"Authorization": f"Bearer {access_token}"})

    def fact_sheet_path(self, access_token: str) -> str:
        """The path of the first fact sheet: the endpoint every client GETs."""
        page = json.loads(self.get("/services/pathfinder/v1/factSheets?pageSize=1", access_token))
        return f"/services/pathfinder/v1/factSheets/{page['data'][0]['id']}"
