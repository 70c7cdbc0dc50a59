"""LDIF runs of the Integration API (``client.integration.run``) and their typed result."""

from __future__ import annotations

import json as _json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Union

from . import _bindings as b
from ._convert import cstr
from ._errors import InvalidArgumentError

if TYPE_CHECKING:
    from ._async import AsyncClient
    from ._client import Client

__all__ = ["AsyncIntegration", "Integration", "RunResult"]

#: The states after which a run does not change any more.
TERMINAL = frozenset({"FINISHED", "FAILED", "STOPPED"})


@dataclass(frozen=True)
class RunResult:
    """What a synchronization run came to.

    ``id``: the run's id. ``status``: ``"FINISHED"``, ``"FAILED"``, ``"STOPPED"`` (or, when the
    wait was not asked for or cut short, the last state seen: ``"PENDING"``, ...).
    ``progress``: LeanIX's counts (``processedContentCount``, ``warningsCount``, ...) or
    ``None``. ``warnings``: every warning, as LeanIX sends them (``status`` ``"WARNING"`` or
    ``"ERROR"``, ``message``, ``processor``, ...). ``results``: the output LDIF of an outbound
    run, else ``None``. ``polls``: how many status polls the wait made."""

    id: str
    status: str
    progress: Optional[Dict[str, Any]] = None
    warnings: List[Dict[str, Any]] = field(default_factory=list)
    results: Optional[Dict[str, Any]] = None
    polls: int = 0

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> "RunResult":
        """The result of the JSON that ``lx_ldif_run`` returns."""
        return cls(id=str(raw.get("id", "")), status=str(raw.get("status", "")),
                   progress=raw.get("progress"), warnings=list(raw.get("warnings") or []),
                   results=raw.get("results"), polls=int(raw.get("polls") or 0))

    @property
    def errors(self) -> List[Dict[str, Any]]:
        """The ``ERROR`` warnings."""
        return [w for w in self.warnings if str(w.get("status", "")).upper() == "ERROR"]

    @property
    def succeeded(self) -> bool:
        """True when the run finished without ``ERROR`` warnings."""
        return self.status == "FINISHED" and not self.errors

    @property
    def processed(self) -> int:
        """``progress.processedContentCount`` (0 if unknown)."""
        return int((self.progress or {}).get("processedContentCount") or 0)


class Integration:
    """The Integration API of a ``Client`` (``client.integration``)."""

    def __init__(self, client: "Client") -> None:
        self._client = client

    def run(self, ldif: Union[Mapping[str, Any], str, bytes], test: bool = False,
            wait: bool = True, timeout: Optional[float] = None) -> RunResult:
        """Runs an LDIF (a dict, or its JSON text) through the Integration API: creates and
        starts a synchronization run (a test run with ``test=True``: processed, nothing
        changed), waits for it to end (``wait=False``: returns right after the start), and
        returns its ``RunResult`` with every warning and, for an outbound run, its output LDIF.

        ``timeout`` (seconds) is the deadline of the whole run (default 30 min, the
        library's ``LX_DEFAULT_LDIF_RUN_TIMEOUT_MS``); past it ``TimeoutError`` is raised,
        its ``run`` holding the run's id and last state (the run goes on at LeanIX). A run that
        ends ``FAILED`` or ``STOPPED``, or with ``ERROR`` warnings, raises ``RunFailedError``
        whose ``run`` is the result. Ctrl-C stops the wait (not the run)."""
        text, flags = _run_args(ldif, test, wait)
        c = self._client
        return RunResult.from_json(c._run_json(c._lib.lx_ldif_run, (text, flags), timeout))


    def wait(self, run_id: str, timeout: Optional[float] = None, *, wait: bool = True,
             results: bool = False) -> RunResult:
        """Waits for a run that was started already (``run(..., wait=False)``, another
        process, LeanIX's UI) and returns its ``RunResult``, as ``run`` does after the start
        (``lx_ldif_wait``). ``run_id`` is the run's ``id``. ``wait=False`` polls the status once
        and returns the state now. ``results=True`` also fetches the output LDIF of an
        outbound run (the direction of a run is not known from its id).

        ``timeout`` (seconds) is the deadline of the whole wait (default 30 min); past it
        ``TimeoutError`` is raised with the run's last state in its ``run``. A run that ends
        ``FAILED`` or ``STOPPED``, or with ``ERROR`` warnings, raises ``RunFailedError``; an
        unknown id raises the server's ``NotFoundError``. Ctrl-C stops the wait (not the
        run)."""
        id_c, flags = _wait_args(run_id, wait, results)
        c = self._client
        return RunResult.from_json(c._run_json(c._lib.lx_ldif_wait, (id_c, flags), timeout))


def _wait_args(run_id: str, wait: bool, results: bool) -> "tuple[bytes, int]":
    """The run id as a C string and the ``LX_LDIF_*`` flags of ``lx_ldif_wait``."""
    if not isinstance(run_id, str):
        raise TypeError("run_id must be a str (the run's id)")
    flags = (0 if wait else b.LX_LDIF_NO_WAIT) | (b.LX_LDIF_RESULTS if results else 0)
    return cstr(run_id, "run_id"), flags


def _run_args(ldif: Union[Mapping[str, Any], str, bytes], test: bool, wait: bool) -> "tuple[bytes, int]":
    """The LDIF as a C string and the ``LX_LDIF_*`` flags."""
    if isinstance(ldif, Mapping):
        text = _json.dumps(dict(ldif))
    elif isinstance(ldif, (str, bytes)):
        text = ldif.decode("utf-8") if isinstance(ldif, bytes) else ldif
        try:
            _json.loads(text)
        except ValueError as e:
            raise InvalidArgumentError(f"ldif is not valid JSON: {e}") from None
    else:
        raise TypeError("ldif must be a mapping or its JSON text")
    flags = (b.LX_LDIF_TEST if test else 0) | (0 if wait else b.LX_LDIF_NO_WAIT)
    return cstr(text, "ldif"), flags


class AsyncIntegration:
    """The Integration API of an ``AsyncClient`` (``client.integration``)."""

    def __init__(self, client: "AsyncClient") -> None:
        self._client = client

    async def run(self, ldif: Union[Mapping[str, Any], str, bytes], test: bool = False,
                  wait: bool = True, timeout: Optional[float] = None) -> RunResult:
        """``Integration.run`` without blocking the event loop (``lx_ldif_run_start``): the
        library polls the run on its own threads. Cancelling the task ends the wait (not the
        run)."""
        from ._async import _GRAPHQL  # a JSON body, as GraphQL's

        ldif_c, flags = _run_args(ldif, test, wait)
        c = self._client
        raw = await c._call(c._lib.lx_ldif_run_start, (ldif_c, flags), timeout, None, _GRAPHQL,
                            None)
        return RunResult.from_json(raw)

    async def wait(self, run_id: str, timeout: Optional[float] = None, *, wait: bool = True,
                   results: bool = False) -> RunResult:
        """``Integration.wait`` without blocking the event loop (``lx_ldif_wait_start``).
        Cancelling the task ends the wait (not the run)."""
        from ._async import _GRAPHQL  # a JSON body, as GraphQL's

        id_c, flags = _wait_args(run_id, wait, results)
        c = self._client
        raw = await c._call(c._lib.lx_ldif_wait_start, (id_c, flags), timeout, None, _GRAPHQL,
                            None)
        return RunResult.from_json(raw)
