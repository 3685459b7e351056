"""Who may read a restricted document: members of the units it concerns, admins and district readers.

A document is restricted when its metadata lists ``restricted_units``; everything else is
public. The check runs inside retrieval and the findings store, so a restricted passage or
finding never reaches the answer composer for a viewer who may not read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from knowledge.models import DocumentMeta
from knowledge.unit_names import normal_key

Role = Literal["member", "district", "admin"]


@dataclass(frozen=True)
class Viewer:
    """The person asking: their units (canonical names, as ``FindingsService.viewer`` resolves them) and role."""

    units: tuple[str, ...] = ()
    role: Role = "member"

    @classmethod
    def admin(cls) -> Viewer:
        return cls(role="admin")

    def may_read(self, meta: DocumentMeta) -> bool:
        """True for public documents, and for restricted ones the viewer's unit or role opens."""
        restricted = getattr(meta, "restricted_units", ())
        if not restricted or self.role in ("admin", "district"):
            return True
        mine = {normal_key(u) for u in self.units}
        return any(normal_key(u) in mine for u in restricted)


PUBLIC = Viewer()  # no unit, no role: public documents only (what a caller that passes no viewer gets)


def is_public(meta: DocumentMeta) -> bool:
    """Whether anyone may read a document (it is not restricted to some units)."""
    return not getattr(meta, "restricted_units", ())


def readers(meta: DocumentMeta) -> tuple[str, ...]:
    """The units a restricted document is open to (empty: it is public)."""
    return tuple(getattr(meta, "restricted_units", ()))


def readable(viewer: Viewer | None, meta: DocumentMeta) -> bool:
    """Whether a document may be shown to a viewer (no viewer: public documents only)."""
    return (viewer or PUBLIC).may_read(meta)
