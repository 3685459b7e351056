"""Frozen values of the findings package: findings, programme items, one document's extraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from knowledge.models import Citation, DocumentMeta, Kind

# unit: a finding about one named unit; collective: about the inspected units as a whole
# ("4/4 đơn vị…", "một số chi bộ…"); follow_up: a task for a body that follows the remedies up.
Scope = Literal["unit", "collective", "follow_up"]
DocKind = Literal["inspection", "supervision", "discipline", "remedy_plan", "news", "report", "programme", "none"]


@dataclass(frozen=True)
class Finding:
    """One finding about one unit (a finding naming two units is stored once per unit)."""

    kind: Kind
    text: str  # verbatim from the document
    unit: str | None = None  # as the document writes it; None for a collective finding
    scope: Scope = "unit"
    deadline: str | None = None  # as written ("trước ngày 30/6/2026", "Quý III/2026")
    due: str | None = None  # ISO date by which it is due, when the deadline names one
    responsible: str | None = None  # who answers for it (on discipline: the body that decided)
    person: str | None = None  # the party member concerned, if any
    form: str | None = None  # discipline form (Khiển trách, Cảnh cáo…)
    section: str = ""  # breadcrumb of the chunk that holds it
    position: int = 0  # position of that chunk in the document
    seq: int = 0  # order in the document


@dataclass(frozen=True)
class ProgrammeItem:
    """A target, task, point of a task, duty or per-unit quota of a programme (CTr)."""

    part: Literal["target", "task", "point", "duty", "quota"]
    number: str  # "3" for target or task 3, "3.b" for point b) of task 3
    text: str  # verbatim
    title: str = ""  # a task's own title line
    unit: str | None = None  # the unit a quota is given to, the body a duty falls on
    section: str = ""
    position: int = 0
    seq: int = 0


@dataclass(frozen=True)
class Extraction:
    """What one document says about units: its kind, the units inspected, findings, programme items."""

    doc_kind: DocKind
    programme: str | None = None  # the programme concerned (an inspection) or the document's own code
    inspected: tuple[str, ...] = ()  # units inspected or supervised, as written
    intro: str = ""  # the sentence that names them
    intro_position: int = 0
    findings: tuple[Finding, ...] = ()
    items: tuple[ProgrammeItem, ...] = ()
    locality: str | None = None  # the district or province the document belongs to ("quận Hòa Bình")

    @property
    def empty(self) -> bool:
        return self.doc_kind == "none" or not (self.findings or self.items or self.inspected)


@dataclass(frozen=True)
class LiveFinding:
    """A finding of a live document version, with the document it comes from."""

    finding: Finding
    doc_id: str
    meta: DocumentMeta
    unit: str | None  # canonical unit (registry) or None when collective
    doc_kind: DocKind = "inspection"


@dataclass(frozen=True)
class UnitSummary:
    """What the documents say about one unit: where it was inspected, its findings, open remedies."""

    unit: str
    aliases: tuple[str, ...]
    inspected_in: tuple[DocumentMeta, ...]
    findings: tuple[LiveFinding, ...]  # newest document first, then document order
    open_remedies: tuple[LiveFinding, ...]  # every requirement (completion is not recorded), by deadline, undated last
    citations: tuple[Citation, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DueRemedy:
    """A requirement with a due date, for reminders."""

    finding: LiveFinding
    due: str  # ISO date
    days_left: int
