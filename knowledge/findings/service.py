"""FindingsService: extracts findings when a document version is committed, and serves them per viewer.

The live view joins the stored extractions with the catalogue's live versions (one catalogue
read per store generation), back-fills any live version that has no extraction yet (documents
ingested before this feature, restored versions, an extractor upgrade) from its stored chunks,
and garbage-collects extractions of versions that are no longer live.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from knowledge.access import Role, Viewer, readable
from knowledge.errors import KnowledgeError, NotFoundError
from knowledge.findings.document import EXTRACTOR_VERSION, extract_document
from knowledge.findings.extract import ChunkRef
from knowledge.findings.models import DueRemedy, Extraction, LiveFinding, ProgrammeItem, UnitSummary
from knowledge.findings.registry import UnitRegistry
from knowledge.findings.store import FindingsStore
from knowledge.models import Answer, DocumentMeta, StoredChunk, Turn
from knowledge.unit_names import complete_name, unit_key

if TYPE_CHECKING:
    from knowledge.search.retrieval import HybridRetriever
    from knowledge.store.chroma import KnowledgeStore
    from knowledge.store.records import DocumentVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveDoc:
    """A live document version and what was extracted from it."""

    meta: DocumentMeta
    version: str
    extraction: Extraction


@dataclass
class LiveView:
    """Everything live, before any viewer filter (the service filters per call)."""

    key: tuple[int, int]
    docs: dict[str, LiveDoc]
    registry: UnitRegistry
    findings: list[LiveFinding]
    items: list[tuple[DocumentMeta, ProgrammeItem]]
    chunks: dict[tuple[str, int], StoredChunk]

    def visible(self, viewer: Viewer | None) -> list[LiveFinding]:
        return [f for f in self.findings if readable(viewer, f.meta)]

    def visible_docs(self, viewer: Viewer | None) -> list[LiveDoc]:
        return [d for d in self.docs.values() if readable(viewer, d.meta)]

    def visible_items(self, viewer: Viewer | None) -> list[tuple[DocumentMeta, ProgrammeItem]]:
        return [(m, i) for m, i in self.items if readable(viewer, m)]


def restriction_for(text: str, meta: DocumentMeta, restricted: bool | Sequence[str]) -> tuple[str, ...]:
    """The units a restricted document is open to: the given ones, or (``True``) the units it concerns."""
    if restricted is True:
        units = units_concerned(text, meta)
    else:
        units = tuple(u.strip() for u in restricted if isinstance(u, str) and u.strip())  # type: ignore[union-attr]
    if not units:
        raise KnowledgeError(
            f"Không xác định được đơn vị nào liên quan đến {meta.doc_id}; hãy nêu rõ đơn vị được xem tài liệu.",
            english=f"{meta.doc_id} names no unit; give the units that may read it.",
        )
    return tuple(dict.fromkeys(units))


def units_concerned(text: str, meta: DocumentMeta) -> tuple[str, ...]:
    """The units ``restricted=True`` opens a document to: those it concerns, else those it names (may be empty)."""
    return concerned_units(extract_document(text, meta)) or meta.units


def concerned_units(extraction: Extraction) -> tuple[str, ...]:
    """The units a document is about: those inspected and those with findings of their own."""
    names = list(extraction.inspected) + [
        f.unit for f in extraction.findings if f.unit and f.scope == "unit"
    ]
    return tuple(dict.fromkeys(complete_name(n, extraction.locality) for n in names))


class FindingsService:
    """Indexes findings at ingestion; answers unit, remedy and programme questions for a viewer."""

    def __init__(self, store: KnowledgeStore, retriever: HybridRetriever, records: FindingsStore) -> None:
        self.store = store
        self.retriever = retriever
        self.records = records
        self._view: LiveView | None = None
        self._lock = threading.Lock()

    # ---- indexing ------------------------------------------------------------------------------
    def before_live(self, version: DocumentVersion) -> None:
        """Store a version's findings just before it becomes live (an ``IngestService.before_live`` hook).

        Never raises (that would abort the commit): a failure is logged, and the first read after
        the commit extracts the records from the stored chunks instead.
        """
        try:
            chunks = sorted(version.chunks, key=lambda c: c.position)
            refs = [ChunkRef(c.position, c.text, c.section) for c in chunks]
            text = "\n".join(c.text for c in chunks)
            self.records.save(version.doc_id, version.version, extract_document(text, version.meta, refs), EXTRACTOR_VERSION)
        except Exception:  # the version still goes live; its findings are rebuilt on the next read
            log.exception("could not store the findings of %s version %s", version.doc_id, version.version)

    def collect_garbage(self) -> int:
        """Delete the records of document versions that are no longer live."""
        live = {r.meta.doc_id: [r.version] for r in self.store.documents()}
        return self.records.gc(live)

    # ---- the live view -------------------------------------------------------------------------
    def view(self) -> LiveView:
        """The live findings (rebuilt when the store or the records move)."""
        key = (self.store.generation(), self.records.generation())
        view = self._view
        if view is not None and view.key == key:
            return view
        with self._lock:
            if self._view is not None and self._view.key == key:
                return self._view
            self._view = self._build()
            return self._view

    def _build(self) -> LiveView:
        snap = self.retriever.snapshot()
        catalogue = {r.meta.doc_id: r for r in self.store.documents()}
        done = self.records.extracted()
        by_doc: dict[str, list[StoredChunk]] = {}
        for c in snap.chunks:
            by_doc.setdefault(c.doc_id, []).append(c)
        for doc_id, rec in catalogue.items():
            if done.get((doc_id, rec.version), -1) >= EXTRACTOR_VERSION:
                continue
            chunks = sorted(by_doc.get(doc_id, []), key=lambda c: c.position)
            if not chunks:
                continue
            text = "\n".join(c.text for c in chunks)
            refs = [ChunkRef(c.position, c.text, c.section) for c in chunks]
            try:
                self.records.save(doc_id, rec.version, extract_document(text, rec.meta, refs), EXTRACTOR_VERSION)
            except Exception:
                log.exception("could not extract the findings of %s", doc_id)
        self.records.gc({d: [r.version] for d, r in catalogue.items()})
        loaded = self.records.load((d, r.version) for d, r in catalogue.items())
        docs = {d: LiveDoc(catalogue[d].meta, v, ex) for (d, v), ex in loaded.items()}
        names: list[tuple[str, str | None]] = []
        for d in docs.values():
            ex = d.extraction
            names.extend((u, ex.locality) for u in ex.inspected)
            names.extend((f.unit, ex.locality) for f in ex.findings if f.unit)
            names.extend((i.unit, ex.locality) for i in ex.items if i.part == "quota" and i.unit)
        registry = UnitRegistry(names, self.records.aliases())
        findings = [
            LiveFinding(
                f, d.meta.doc_id, d.meta, registry.canonical(f.unit, d.extraction.locality), d.extraction.doc_kind
            )
            for d in docs.values()
            for f in d.extraction.findings
        ]
        items = [(d.meta, i) for d in docs.values() for i in d.extraction.items]
        by_position = {(c.doc_id, c.position): c for c in snap.chunks}
        return LiveView((self.store.generation(), self.records.generation()), docs, registry, findings, items, by_position)

    # ---- units ---------------------------------------------------------------------------------
    def inspection_documents(self) -> set[str]:
        """The live documents that report on inspected units (their findings are facts, stated
        literally), as opposed to rules and programmes."""
        return {doc_id for doc_id, d in self.view().docs.items() if d.extraction.findings}

    def units(self, viewer: Viewer | None = None) -> list[str]:
        """Every canonical unit the findings documents and programmes name.

        With a viewer, only the units named in documents that viewer may read (a unit named
        only in a restricted document is not shown to whoever may not read it).
        """
        view = self.view()
        if viewer is None:
            return [u.name for u in view.registry.units()]
        names: set[str] = set()
        for d in view.visible_docs(viewer):
            ex = d.extraction
            named = [*ex.inspected, *(f.unit for f in ex.findings), *(i.unit for i in ex.items if i.part == "quota")]
            names.update(c for n in named if n and (c := view.registry.canonical(n, ex.locality)))
        return sorted(names)

    def resolve_unit(self, text: str) -> str | None:
        """The canonical unit a user means ("ĐU P. Sài Đồng", "cu khoi"), if exactly one fits."""
        return self.view().registry.resolve(text)

    def aliases(self, unit: str) -> tuple[str, ...]:
        """The other names of a unit."""
        found = self.view().registry.get(unit)
        return found.aliases if found else ()

    def add_alias(self, unit: str, alias: str) -> str:
        """Admin: ``alias`` names ``unit`` (merging the two when both are known units); returns the canonical name."""
        canonical = self.resolve_unit(unit) or unit.strip()
        if not alias.strip() or not canonical:
            raise KnowledgeError("Tên đơn vị hoặc tên gọi khác bị trống.", english="Empty unit name or alias.")
        self.records.set_alias(unit_key(alias), alias.strip(), canonical)
        return canonical

    def rename_unit(self, unit: str, new_name: str) -> str:
        """Admin: show a unit under a new canonical name (the old one stays an alias)."""
        old = self.resolve_unit(unit)
        if old is None:
            raise NotFoundError(f"Không có đơn vị {unit}.", english=f"No unit {unit}.")
        self.records.set_alias(unit_key(old), old, new_name.strip())
        return new_name.strip()

    def remove_alias(self, alias: str) -> bool:
        """Admin: undo an alias or rename added earlier; False when there was none."""
        return self.records.delete_alias(unit_key(alias))

    def hide_name(self, name: str) -> None:
        """Admin: a name the extractor took for a unit is not one (it is left out of the registry)."""
        self.records.set_alias(unit_key(name), name.strip(), None)

    def viewer(self, units: Iterable[str] = (), role: Role = "member") -> Viewer:
        """A viewer for a user, units resolved to canonical names (unknown names kept as given)."""
        resolved = [self.resolve_unit(u) or u for u in units if u and u.strip()]
        return Viewer(tuple(dict.fromkeys(resolved)), role)

    # ---- restricted documents ------------------------------------------------------------------
    def restrict(self, doc_id: str, units: Sequence[str] | None = None) -> tuple[str, ...]:
        """Admin: only members of ``units`` (default: the units the document concerns) may read it."""
        rec = self.store.document(doc_id)
        if rec is None:
            raise NotFoundError(f"Không có tài liệu {doc_id}.", english=f"No document {doc_id}.")
        if units is None:
            live = self.view().docs.get(doc_id)
            units = concerned_units(live.extraction) if live else ()
            if not units:
                units = rec.meta.units
        chosen = tuple(dict.fromkeys(self.resolve_unit(u) or u for u in units if u.strip()))
        if not chosen:
            raise KnowledgeError(
                "Không xác định được đơn vị nào liên quan đến tài liệu; hãy nêu rõ đơn vị được xem.",
                english="The document names no unit; give the units that may read it.",
            )
        self.store.set_restricted(doc_id, chosen)
        return chosen

    def unrestrict(self, doc_id: str) -> None:
        """Admin: make a restricted document public again."""
        rec = self.store.document(doc_id)
        if rec is None:
            raise NotFoundError(f"Không có tài liệu {doc_id}.", english=f"No document {doc_id}.")
        self.store.set_restricted(doc_id, ())

    # ---- what the bot shows ----------------------------------------------------------------------
    def unit_summary(self, unit: str, viewer: Viewer | None = None) -> UnitSummary | None:
        """The unit's inspections, findings (newest document first) and the remedies required of it
        (the documents do not record that one was done, so a past deadline stays listed: overdue
        first, then by deadline, undated last); None for an unknown unit."""
        view = self.view()
        name = view.registry.resolve(unit)
        if name is None:
            return None
        mine = [f for f in view.visible(viewer) if f.unit == name]
        mine.sort(key=lambda f: (f.meta.issue_date or "", f.doc_id), reverse=True)
        inspected = [
            d.meta
            for d in view.visible_docs(viewer)
            if any(view.registry.canonical(u, d.extraction.locality) == name for u in d.extraction.inspected)
            or any(f.doc_id == d.meta.doc_id for f in mine)
        ]
        inspected.sort(key=lambda m: m.issue_date or "", reverse=True)
        open_remedies = [f for f in mine if f.finding.kind == "yeu_cau"]
        open_remedies.sort(key=lambda f: f.finding.due or "9999")
        reg = view.registry.get(name)
        return UnitSummary(name, reg.aliases if reg else (), tuple(inspected), tuple(mine), tuple(open_remedies))

    def due_remedies(
        self, unit: str, within_days: int = 30, viewer: Viewer | None = None, today: date | None = None
    ) -> list[DueRemedy]:
        """Requirements of a unit due between today and ``within_days`` from now, soonest first."""
        view = self.view()
        name = view.registry.resolve(unit)
        if name is None:
            return []
        today = today or date.today()
        last = (today + timedelta(days=within_days)).isoformat()
        out = []
        for f in view.visible(viewer):
            due = f.finding.due
            if f.unit == name and f.finding.kind == "yeu_cau" and due and today.isoformat() <= due <= last:
                out.append(DueRemedy(f, due, (date.fromisoformat(due) - today).days))
        return sorted(out, key=lambda r: (r.due, r.finding.doc_id, r.finding.finding.seq))

    def chunk_for(self, finding: LiveFinding) -> StoredChunk | None:
        """The stored passage a finding quotes (for its citation)."""
        return self.view().chunks.get((finding.doc_id, finding.finding.position))

    # ---- answering -----------------------------------------------------------------------------
    def answer(
        self, question: str, history: Sequence[Turn] = (), unit: str | None = None, viewer: Viewer | None = None,
        today: date | None = None,
    ) -> Answer | None:
        """An answer from the findings and programme records, or None to let the general engine answer."""
        from knowledge.findings.answer import FindingsAnswerer

        view = self.view()
        if not view.docs or not (view.findings or view.items):
            return None
        return FindingsAnswerer(view, viewer, today).answer(question, history, unit)
