"""What a front end (the Telegram layer, the CLIs) needs from the knowledge services."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Literal, Protocol

from knowledge.access import Role, Viewer
from knowledge.findings.models import DueRemedy, UnitSummary
from knowledge.models import Answer, DocumentMeta, FileResult, IngestPreview, StoredChunk, Turn, VersionInfo


class AnswerEngine(Protocol):
    """What a front end needs: answers, streamed answers, and the catalogue behind them."""

    def answer(
        self, question: str, history: Sequence[Turn] = (), unit: str | None = None, viewer: Viewer | None = None
    ) -> Answer:
        """Answer a question (with the previous turns and the user's unit, if any).

        ``viewer`` (the asker's units and role) opens restricted documents to those who may read
        them; without one, only public documents are used.
        """
        ...

    def stream(
        self, question: str, history: Sequence[Turn] = (), unit: str | None = None, viewer: Viewer | None = None
    ) -> Iterator[str | Answer]:
        """Yield growing partial texts (LLM mode) and finally the validated ``Answer``."""
        ...

    def documents(self) -> list[DocumentMeta]:
        """Every ingested document, newest first."""
        ...

    def units(self) -> list[str]:
        """Every unit (ward, court, company, party cell…) named in the knowledge base."""
        ...

    def chunk(self, chunk_id: str, viewer: Viewer | None = None) -> StoredChunk | None:
        """One stored passage by id (for the "Nguồn" button); None when the viewer may not read it."""
        ...

    def section(self, chunk_id: str, viewer: Viewer | None = None) -> list[StoredChunk]:
        """All passages of the section that holds this chunk, in document order (empty when not readable)."""
        ...

    def example_questions(self, n: int = 3) -> list[str]:
        """Example questions drawn from what is actually ingested."""
        ...


class FindingsQueries(Protocol):
    """What /donvi, /hanchot and the admin's unit tools need (``knowledge.findings.service.FindingsService``)."""

    def viewer(self, units: Iterable[str] = (), role: Role = "member") -> Viewer:
        """The Viewer to pass with a user's questions: their units resolved to canonical names."""
        ...

    def units(self, viewer: Viewer | None = None) -> list[str]:
        """Every canonical unit the findings documents name (with a viewer: in documents it may read)."""
        ...

    def aliases(self, unit: str) -> tuple[str, ...]:
        """The other names of a canonical unit."""
        ...

    def resolve_unit(self, text: str) -> str | None:
        """The canonical unit a user means ("ĐU P. Sài Đồng", "cu khoi"), if exactly one fits."""
        ...

    def unit_summary(self, unit: str, viewer: Viewer | None = None) -> UnitSummary | None:
        """A unit's inspections, findings (newest first) and the remedies required of it, as the viewer may read them."""
        ...

    def due_remedies(
        self, unit: str, within_days: int = 30, viewer: Viewer | None = None, today: date | None = None
    ) -> list[DueRemedy]:
        """A unit's requirements due from today to ``within_days`` ahead, soonest first."""
        ...

    def restrict(self, doc_id: str, units: Sequence[str] | None = None) -> tuple[str, ...]:
        """Admin: only members of these units (default: those the document concerns) may read it."""
        ...

    def unrestrict(self, doc_id: str) -> None:
        """Admin: make a document public again."""
        ...

    def add_alias(self, unit: str, alias: str) -> str:
        """Admin: another name for a unit (merges two units when both are known)."""
        ...

    def rename_unit(self, unit: str, new_name: str) -> str:
        """Admin: show a unit under a new canonical name (the old one stays an alias)."""
        ...

    def remove_alias(self, alias: str) -> bool:
        """Admin: undo an alias or rename added earlier; False when there was none."""
        ...

    def hide_name(self, name: str) -> None:
        """Admin: a name taken for a unit is not one."""
        ...


class DocumentAdmin(Protocol):
    """What an admin front end needs: preview an upload, then add, replace or cancel; versions.

    A preview writes nothing to the knowledge base; it is kept (in the data dir, so it survives
    a restart) until confirmed, cancelled or expired. Documents are identified by content hash
    and code, not by file name.
    """

    def preview_bytes(self, name: str, data: bytes, *, code: str | None = None) -> IngestPreview:
        """Parse and split an upload and say what it would do; raises KnowledgeError for a bad file."""
        ...

    def confirm(
        self, token: str, action: Literal["add", "replace"], target: str | None = None, *, restricted: bool = False
    ) -> FileResult:
        """Add the previewed document, or replace ``target`` (a doc_id among its matches) with it.

        ``restricted``: readable only by the units in ``IngestPreview.concerned`` (and admins,
        district readers), written together with the document.
        """
        ...

    def cancel(self, token: str) -> bool:
        """Forget a preview; False when it was unknown or had expired."""
        ...

    def history(self, doc_id: str) -> list[VersionInfo]:
        """Every kept version of a document, newest first (the live one marked)."""
        ...

    def restore(self, doc_id: str, version: str | None = None) -> FileResult:
        """Make a kept version live again (the newest non-live one when ``version`` is None)."""
        ...

    def delete(self, doc_id: str) -> bool:
        """Retire a document (its versions stay restorable); False when there is no such document."""
        ...
