"""The decoded claims of an access token."""

from __future__ import annotations

import datetime as _dt
import json as _json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional


def _claim(*path: str, doc: str) -> Any:
    """A read-only property for the claim at ``path`` (nested objects by name): its value, or
    ``None`` when the claim or an object on the way is absent or not an object."""

    def get(self: "Claims") -> Any:
        value: Any = self.raw
        for name in path:
            if not isinstance(value, dict):
                return None
            value = value.get(name)
        return value

    return property(get, doc=doc)


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

    subject = _claim("sub", doc="The ``sub`` claim (the user the token was issued to).")

    @property
    def expires_at(self) -> Optional[_dt.datetime]:
        """The ``exp`` claim as an aware UTC datetime, or ``None``."""
        exp = self.raw.get("exp")
        if isinstance(exp, (int, float)):
            return _dt.datetime.fromtimestamp(exp, tz=_dt.timezone.utc)
        return None

    issuer = _claim("iss", doc="The ``iss`` claim.")
    instance_url = _claim("instanceUrl",
                          doc="The ``instanceUrl`` claim: the instance the workspace lives on.")
    region = _claim("region", doc="The ``region`` claim.")
    username = _claim("principal", "username", doc="``principal.username``.")
    workspace_id = _claim("principal", "permission", "workspaceId",
                          doc="``principal.permission.workspaceId``.")
    workspace_name = _claim("principal", "permission", "workspaceName",
                            doc="``principal.permission.workspaceName``.")
    role = _claim("principal", "permission", "role",
                  doc="The role in the workspace (``ADMIN``, ``MEMBER``, ``VIEWER``, ...).")

    def __getitem__(self, key: str) -> Any:
        """Any claim by name (``claims["region"]``)."""
        return self.raw[key]

    def __repr__(self) -> str:
        return (
            f"Claims(subject={self.subject!r}, workspace={self.workspace_name!r}, "
            f"role={self.role!r}, expires_at={self.expires_at!r})"
        )
