"""The decoded claims of an access token."""

from __future__ import annotations

import datetime as _dt
import json as _json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional


@dataclass(frozen=True)
class Claims:
    """The decoded (not verified) claims of an access token. ``raw`` holds them all."""

    raw: Dict[str, Any] = field(repr=False)

    @staticmethod
    def parse(text: bytes) -> Optional["Claims"]:
        """The claims in what ``lx_claims_json`` returned (``None`` for its ``null``: an
        opaque token)."""
        raw = _json.loads(text)
        return Claims(raw) if isinstance(raw, dict) else None

    @property
    def subject(self) -> Optional[str]:
        """The ``sub`` claim (the user the token was issued to)."""
        return self.raw.get("sub")

    @property
    def expires_at(self) -> Optional[_dt.datetime]:
        """The ``exp`` claim as an aware UTC datetime, or ``None``."""
        exp = self.raw.get("exp")
        if isinstance(exp, (int, float)):
            return _dt.datetime.fromtimestamp(exp, tz=_dt.timezone.utc)
        return None

    @property
    def issuer(self) -> Optional[str]:
        """The ``iss`` claim."""
        return self.raw.get("iss")

    @property
    def instance_url(self) -> Optional[str]:
        """The ``instanceUrl`` claim: the instance the workspace lives on."""
        return self.raw.get("instanceUrl")

    @property
    def region(self) -> Optional[str]:
        """The ``region`` claim."""
        return self.raw.get("region")

    @property
    def _principal(self) -> Dict[str, Any]:
        p = self.raw.get("principal")
        return p if isinstance(p, dict) else {}

    @property
    def _permission(self) -> Dict[str, Any]:
        p = self._principal.get("permission")
        return p if isinstance(p, dict) else {}

    @property
    def username(self) -> Optional[str]:
        """``principal.username``."""
        return self._principal.get("username")

    @property
    def workspace_id(self) -> Optional[str]:
        """``principal.permission.workspaceId``."""
        return self._permission.get("workspaceId")

    @property
    def workspace_name(self) -> Optional[str]:
        """``principal.permission.workspaceName``."""
        return self._permission.get("workspaceName")

    @property
    def role(self) -> Optional[str]:
        """The role in the workspace (``ADMIN``, ``MEMBER``, ``VIEWER``, ...)."""
        return self._permission.get("role")

    def __getitem__(self, key: str) -> Any:
        """Any claim by name (``claims["region"]``)."""
        return self.raw[key]

    def __repr__(self) -> str:
        return (
            f"Claims(subject={self.subject!r}, workspace={self.workspace_name!r}, "
            f"role={self.role!r}, expires_at={self.expires_at!r})"
        )
