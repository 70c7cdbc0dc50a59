"""The Python launcher of lx-sandbox: starts the process and drives its control API.

The one copy in the repository: the Python tests use it, and so does the benchmark harness
(``bench/harness/sandbox.py`` imports it and adds what only the benchmarks need). Standard
library only.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

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
    """A running ``lx-sandbox --port 0 ARGS``: ``url``, ``admin_token``, ``viewer_token`` and
    the control API. It is stopped by closing its stdin (``close()``): the sandbox exits when
    that pipe closes, so it also ends when this process dies.

    ``exe`` defaults to ``find_sandbox()``; ``tokens=False`` for flags under which the sandbox
    prints no API tokens; ``timeout`` (seconds) bounds every control call.
    """

    def __init__(self, *args: str, exe: Union[str, Path, None] = None, tokens: bool = True,
                 timeout: float = 10.0) -> None:
        self.timeout = timeout
        self.proc = subprocess.Popen(
            [str(exe or find_sandbox()), "--port", "0", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        self.admin_token = self.proc.stdout.readline().strip() if tokens else ""
        self.viewer_token = self.proc.stdout.readline().strip() if tokens else ""
        if not self.url or (tokens and not (self.admin_token and self.viewer_token)):
            self.close()
            raise RuntimeError("lx-sandbox did not print its URL and API tokens")
        self._ssl_context: Any = None  # set by use_ca() for a --tls sandbox

    def use_ca(self, ca_file: str) -> None:
        """Trusts ``ca_file`` (the sandbox's ``--ca-out``) for the control calls of a --tls
        sandbox."""
        import ssl

        self._ssl_context = ssl.create_default_context(cafile=ca_file)

    def close(self) -> None:
        """Stops the sandbox (closes its stdin, waits; kills it after 5 s). Idempotent."""
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # -- HTTP ----------------------------------------------------------------------------

    def http(self, method: str, path: str, body: Optional[bytes] = None,
             headers: Optional[Dict[str, str]] = None) -> bytes:
        """One plain HTTP request to the sandbox (no proxy, whatever the environment says);
        returns the body. A non-2xx answer raises ``urllib.error.HTTPError``."""
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers=headers or {})
        handlers: List[Any] = [urllib.request.ProxyHandler({})]
        if self._ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=self._ssl_context))
        opener = urllib.request.build_opener(*handlers)
        with opener.open(req, timeout=self.timeout) as resp:
            return bytes(resp.read())

    def _call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        if body is None:
            return json.loads(self.http(method, path) or b"null")
        data = json.dumps(body).encode()
        return json.loads(self.http(method, path, data, {"Content-Type": "application/json"})
                          or b"null")

    # -- control API ---------------------------------------------------------------------

    def stats(self) -> Dict[str, Any]:
        """``GET /_sandbox/stats``: exchanges, token requests, responses by endpoint."""
        return self._call("GET", "/_sandbox/stats")

    def requests(self, endpoint: str, status: int) -> int:
        """How many ``status`` responses ``endpoint`` gave since the last reset."""
        return int(self.stats()["requests"].get(endpoint, {}).get(str(status), 0))

    def wait_for_requests(self, endpoint: str, expected: Dict[str, int],
                          within: float = 5.0) -> Dict[str, int]:
        """``endpoint``'s responses by status once they equal ``expected`` (the sandbox counts
        an abandoned request when it notices the hang-up), or whatever they are after
        ``within`` seconds."""
        deadline = time.monotonic() + within
        while True:
            got: Dict[str, int] = self.stats()["requests"].get(endpoint, {})
            if got == expected or time.monotonic() > deadline:
                return got
            time.sleep(0.01)

    def reset(self) -> None:
        """Zeroes the counters and removes queued faults."""
        self._call("POST", "/_sandbox/reset")

    def fault(self, endpoint: str, kind: str, **fields: Any) -> None:
        """Queues a fault (see sandbox/README.md)."""
        self._call("POST", "/_sandbox/faults", {"endpoint": endpoint, "kind": kind, **fields})

    def revoke(self, **fields: Any) -> None:
        """Revokes an API token or every access token issued so far."""
        self._call("POST", "/_sandbox/revoke", fields)

    def config(self, **fields: Any) -> Dict[str, Any]:
        """Changes settings (token lifetime, rate limit); returns them all."""
        return self._call("POST", "/_sandbox/config", fields)

    def integration(self, **fields: Any) -> Dict[str, Any]:
        """Integration API settings (``sync_run_state_ms``, ``sync_run_manual``)."""
        return self._call("POST", "/_sandbox/integration", fields)

    def advance_runs(self) -> int:
        """Moves every pending or running synchronization run one state on."""
        return int(self._call("POST", "/_sandbox/integration/advance")["advanced"])

    def clear_faults(self) -> None:
        """Removes every fault."""
        self._call("DELETE", "/_sandbox/faults")

    def info(self) -> Dict[str, Any]:
        """URL, workspace, fact-sheet count and users of the sandbox."""
        return self._call("GET", "/_sandbox/info")

    # -- instance listener and webhooks (issue 20) -----------------------------------------

    def instance_requests(self, endpoint: str, status: int) -> int:
        """Like ``requests``, on the instance listener (``--instance-listener``)."""
        stats = self._call("GET", "/_sandbox/stats?listener=instance")
        return int(stats["requests"].get(endpoint, {}).get(str(status), 0))

    def emit(self, tags: List[str], payload: Optional[Dict[str, Any]] = None,
             count: int = 1) -> List[int]:
        """Logs ``count`` webhook events with ``tags``; returns their offsets."""
        body: Dict[str, Any] = {"tags": tags, "count": count}
        if payload is not None:
            body["payload"] = payload
        return list(self._call("POST", "/_sandbox/webhooks/events", body)["offsets"])

    def webhooks(self, **fields: Any) -> Dict[str, Any]:
        """Sets webhook settings (``batch_size``, ``retention_secs``); returns them with every
        subscription's cursor."""
        return self._call("POST", "/_sandbox/webhooks", fields)
