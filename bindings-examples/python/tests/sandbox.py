"""Starting lx-sandbox as a process and driving its control API (tests only)."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent


def find_sandbox() -> Path:
    """$LX_SANDBOX_BIN or $LX_SANDBOX, else target/{debug,release}/lx-sandbox of this repo."""
    env = os.environ.get("LX_SANDBOX_BIN") or os.environ.get("LX_SANDBOX")
    if env:
        return Path(env)
    tried = []
    for parent in HERE.parents:
        target = parent / "target"
        if target.is_dir():
            for profile in ("debug", "release"):
                path = target / profile / "lx-sandbox"
                if path.is_file():
                    return path
                tried.append(str(path))
            break
    raise FileNotFoundError(
        "cannot find lx-sandbox (build it with `cargo build -p leanix-sandbox` or set "
        f"LX_SANDBOX_BIN); looked at: {', '.join(tried) or 'no target/ directory found'}"
    )


class Sandbox:
    """A running lx-sandbox: ``url``, ``admin_token``, ``viewer_token`` and the control API."""

    def __init__(self, *args: str, tokens: bool = True) -> None:
        self.proc = subprocess.Popen(
            [str(find_sandbox()), "--port", "0", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url:
            self.proc.kill()
            raise RuntimeError("lx-sandbox printed no URL")
        self.admin_token = self.proc.stdout.readline().strip() if tokens else ""
        self.viewer_token = self.proc.stdout.readline().strip() if tokens else ""
        self._ssl_context: Any = None  # set by use_ca() for a --tls sandbox

    def use_ca(self, ca_file: str) -> None:
        import ssl

        self._ssl_context = ssl.create_default_context(cafile=ca_file)

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # -- control API --------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        # No proxy for the sandbox on loopback, whatever the environment says.
        handlers: List[Any] = [urllib.request.ProxyHandler({})]
        if self._ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=self._ssl_context))
        opener = urllib.request.build_opener(*handlers)
        with opener.open(req, timeout=10) as resp:
            return json.loads(resp.read() or b"null")

    def stats(self) -> Dict[str, Any]:
        return self._call("GET", "/_sandbox/stats")

    def requests(self, endpoint: str, status: int) -> int:
        return int(self.stats()["requests"].get(endpoint, {}).get(str(status), 0))

    def reset(self) -> None:
        self._call("POST", "/_sandbox/reset")

    def fault(self, endpoint: str, kind: str, **fields: Any) -> None:
        self._call("POST", "/_sandbox/faults", {"endpoint": endpoint, "kind": kind, **fields})

    def revoke(self, **fields: Any) -> None:
        self._call("POST", "/_sandbox/revoke", fields)

    def config(self, **fields: Any) -> Dict[str, Any]:
        return self._call("POST", "/_sandbox/config", fields)

    def info(self) -> Dict[str, Any]:
        return self._call("GET", "/_sandbox/info")
