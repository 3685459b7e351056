"""The admin service (``DocumentAdmin``): preview an upload, then add, replace or cancel; versions.

It uses the ingest service to parse, compare and write, and adds what an admin front end (the
bot, the CLI) needs on top of it.

A preview parses and splits the upload and compares it with the stored documents; nothing is
written to the knowledge base until ``confirm``. Replaced and deleted versions stay restorable
(``history``, ``restore``) up to ``KB_VERSIONS_KEPT`` per document; answers only ever cite the
live version.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import replace
from typing import Literal

from knowledge.documents.loaders import load_bytes
from knowledge.documents.loaders.base import file_label
from knowledge.errors import KnowledgeError, NotFoundError
from knowledge.findings.service import units_concerned
from knowledge.models import FileResult, IngestPreview, StoredMatch, VersionInfo
from knowledge.services.ingest import IngestService, Plan, Prepared, check_suffix
from knowledge.services.matching import find_matches, free_doc_id
from knowledge.store.records import DocRecord

log = logging.getLogger(__name__)

_EXCERPT_CHARS = 300


class AdminService:
    """Preview → confirm/cancel, history, restore and delete, on top of the ingest service."""

    def __init__(self, ingest: IngestService) -> None:
        self.ingest = ingest
        self.store = ingest.store
        self.settings = ingest.settings
        self.previews = ingest.previews

    def preview_bytes(self, name: str, data: bytes, *, code: str | None = None) -> IngestPreview:
        """Parse and split an upload and say what it would do; raises KnowledgeError for a bad file."""
        label = file_label(name)
        check_suffix(label)
        prepared = self.ingest.prepare(load_bytes(name, data, limits=self.ingest.limits), code)
        matches = find_matches(
            self.store, sha256=prepared.doc.sha256, meta=prepared.meta, sig=prepared.sig,
            name_id=prepared.doc.doc_id, threshold=self.settings.similar_text_threshold,
        )
        if not any(m.reason == "identical" for m in matches):
            matches = tuple(self._with_changes(m, prepared) for m in matches)
        doc_id = free_doc_id(prepared.doc.doc_id, prepared.doc.sha256, self.store.known_doc_ids())
        excerpt = " ".join(" ".join(c.text.split()) for c in prepared.chunks[:2])
        if len(excerpt) > _EXCERPT_CHARS:
            excerpt = excerpt[:_EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"
        preview = IngestPreview(
            token=self.previews.new_token(),
            file_name=label,
            doc_id=doc_id,
            meta=prepared.as_doc(doc_id).meta,
            chunks=len(prepared.chunks),
            excerpt=excerpt,
            matches=matches,
            expires_at=time.time() + self.settings.preview_ttl_s,
            concerned=_concerned(prepared),
        )
        self.previews.save(preview, data, code)
        return preview

    def confirm(
        self,
        token: str,
        action: Literal["add", "replace"],
        target: str | None = None,
        *,
        restricted: bool = False,
    ) -> FileResult:
        """Add the previewed document, or replace ``target`` (a doc_id among its matches) with it.

        ``restricted``: only the units it concerns (``IngestPreview.concerned``), admins and
        district readers may read it; the restriction is written with the document, never after.
        """
        loaded = self.previews.load(token)
        if loaded is None:
            raise NotFoundError(
                "Bản xem trước không còn (đã hết hạn hoặc đã xử lý); hãy gửi lại tệp.",
                english="That preview is gone (expired or already handled); send the file again.",
            )
        preview, data, code = loaded
        doc = load_bytes(preview.file_name, data, limits=self.ingest.limits)
        prepared = self.ingest.prepare(doc, code, True if restricted else None)
        if action == "add":
            same = self.store.documents_with_sha(prepared.doc.sha256)
            if same:
                plan = Plan("unchanged", same[0].meta.doc_id, f"đã có: giống hệt {same[0].meta.doc_id}")
            else:
                taken = self.store.known_doc_ids()
                doc_id = preview.doc_id if preview.doc_id not in taken else free_doc_id(preview.doc_id, prepared.doc.sha256, taken)
                plan = Plan("add", doc_id)
        elif action == "replace":
            allowed = [m.doc_id for m in preview.replaceable]
            target = target or (allowed[0] if len(allowed) == 1 else None)
            if target not in allowed:
                raise KnowledgeError(
                    "Chỉ thay được tài liệu mà bản xem trước đã nêu.",
                    english="Only a document the preview named can be replaced.",
                )
            plan = Plan("replace", target, f"thay thế {target}")
        else:
            raise KnowledgeError(f"Thao tác không hợp lệ: {action}.", english=f"Unknown action {action}.")
        try:
            result = self.ingest.apply(prepared, plan)
        except KnowledgeError as exc:
            return FileResult(preview.file_name, plan.doc_id, "failed", reason=exc.message)
        self.previews.forget(token)
        return result

    def _with_changes(self, match: StoredMatch, prepared: Prepared) -> StoredMatch:
        """A same-document match with what replacing it would change: passages added and removed."""
        if match.reason not in ("same_code", "similar_text"):
            return match
        old = Counter(_passage_key(c.text) for c in self.store.doc_chunks(match.doc_id))
        new = Counter(_passage_key(c.text) for c in prepared.chunks)
        return replace(match, added=sum((new - old).values()), removed=sum((old - new).values()))

    def cancel(self, token: str) -> bool:
        """Forget a preview; False when it was unknown or had expired."""
        known = self.previews.load(token) is not None
        self.previews.forget(token)
        return known

    def history(self, doc_id: str) -> list[VersionInfo]:
        """Every kept version of a document, newest first (the live one marked)."""
        live = self.store.document(doc_id)
        versions = {v.version: v for v in self.store.versions(doc_id)}
        if live is not None:
            versions.setdefault(live.version, live)  # a store written before versions were kept
        if not versions:
            raise NotFoundError(f"Không có tài liệu {doc_id}.", english=f"No document {doc_id}.")
        return [
            _info(v, live is not None and v.version == live.version)
            for v in sorted(versions.values(), key=lambda v: v.ingested_at, reverse=True)
        ]

    def restore(self, doc_id: str, version: str | None = None) -> FileResult:
        """Make a kept version live again (the newest non-live one when ``version`` is None)."""
        infos = self.history(doc_id)
        candidates = [v for v in infos if not v.live]
        if version:
            candidates = [v for v in infos if v.version.startswith(version.lower())]
        if not candidates:
            raise NotFoundError(
                f"Không có phiên bản nào khác để khôi phục cho {doc_id}.", english=f"No other version of {doc_id} to restore."
            )
        if len(candidates) > 1 and version:
            raise KnowledgeError(f"Phiên bản {version} không rõ ràng.", english=f"Version {version} is ambiguous.")
        chosen = candidates[0]
        if chosen.live:
            rec = self.store.document(doc_id)
            return FileResult(chosen.source, doc_id, "unchanged", chosen.chunks, rec.meta if rec else None, "đang là bản hiện hành")
        rec = self.store.restore_version(doc_id, chosen.version, before_live=self.ingest.run_hooks)
        return FileResult(rec.source, doc_id, "restored", rec.chunks, rec.meta, f"khôi phục phiên bản {chosen.version}")

    def delete(self, doc_id: str) -> bool:
        """Retire a document (its versions stay restorable); False when there is no such document."""
        return self.store.retire_document(doc_id)


def _passage_key(text: str) -> str:
    """A passage compared by its words (a re-split line or a changed space is no change)."""
    return " ".join(text.split())


def _info(rec: DocRecord, live: bool) -> VersionInfo:
    m = rec.meta
    return VersionInfo(
        doc_id=m.doc_id, version=rec.version, title=m.title, code=m.code, issue_date=m.issue_date,
        chunks=rec.chunks, ingested_at=rec.ingested_at, live=live, source=rec.source, fmt=rec.fmt,
    )


def _concerned(prepared: Prepared) -> tuple[str, ...]:
    """The units a restricted upload would be open to; empty when the document names none (or extraction fails)."""
    try:
        return units_concerned(prepared.doc.text, prepared.meta)
    except Exception:  # a preview must not fail on the findings extractor; the upload just cannot be restricted
        log.exception("could not find the units %s concerns", prepared.doc.doc_id)
        return ()
