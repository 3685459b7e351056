"""QAService: question (+ history, + the user's unit) → cited answer, or an honest decline."""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator, Sequence
from dataclasses import replace
from typing import Any

from knowledge.answer.extractive import select_quotes
from knowledge.answer.render import format_date
from knowledge.documents.units import find_units
from knowledge.findings.access import Viewer, readable
from knowledge.models import Answer, Citation, DocumentMeta, ScoredChunk, StoredChunk, Turn
from knowledge.search.query import AnalyzedQuery, Glossary, analyze, asks_for_units
from knowledge.search.retrieval import HybridRetriever, Retrieval, same_code
from knowledge.settings import KnowledgeSettings
from knowledge.store.chroma import KnowledgeStore
from knowledge.text import fold

log = logging.getLogger(__name__)

DECLINE_TEXT = "Không tìm thấy nội dung trả lời câu hỏi này trong các tài liệu hiện có."
# Added to a quote that names a unit when the question asks which units: such an answer is a
# list of names ("phường Sài Đồng, phường Cự Khối, …"), which plain term overlap ranks low.
UNIT_LIST_BONUS = 0.25
EMPTY_TEXT = "Kho tài liệu đang trống: quản trị viên cần nạp tài liệu trước khi hỏi."


class QAService:
    """The answer engine used by the bot, the CLI and the evaluation harness."""

    def __init__(
        self,
        store: KnowledgeStore,
        retriever: HybridRetriever,
        settings: KnowledgeSettings,
        *,
        glossary: Glossary | None = None,
        llm: Any | None = None,
        findings: Any | None = None,
    ) -> None:
        self.store = store
        self.retriever = retriever
        self.settings = settings
        self.glossary = glossary or Glossary.load(settings.glossary_path)
        self.llm = llm  # knowledge.answer.llm.LLMComposer or None
        self.findings = findings  # knowledge.findings.service.FindingsService or None

    # ---- understanding and retrieval -----------------------------------------------------------
    def analyze(self, question: str, history: Sequence[Turn] = (), unit: str | None = None) -> AnalyzedQuery:
        """The question as retrieval sees it (follow-ups rewritten, units and codes detected)."""
        if self.llm is not None and history:
            from knowledge.search.query import is_followup

            if is_followup(question):
                condensed = self.llm.condense(question, history)
                if condensed and condensed != question:
                    q = analyze(
                        condensed, glossary=self.glossary, known_units=self.retriever.known_units(),
                        unit_finder=find_units, my_unit=unit,
                    )
                    return replace(q, original=question, rewritten=True)
        return analyze(
            question,
            glossary=self.glossary,
            known_units=self.retriever.known_units(),
            unit_finder=find_units,
            history=history,
            my_unit=unit,
        )

    def retrieve(
        self, question: str, history: Sequence[Turn] = (), unit: str | None = None, viewer: Viewer | None = None
    ) -> Retrieval:
        """Ranked passages and the confidence signal for a question (only documents the viewer may read)."""
        query = self.analyze(question, history, unit)
        return self.retriever.retrieve(query, k=self.settings.top_k, viewer=viewer)

    # ---- answering -----------------------------------------------------------------------------
    def answer(
        self, question: str, history: Sequence[Turn] = (), unit: str | None = None, viewer: Viewer | None = None
    ) -> Answer:
        """A cited answer, or a decline that says what the documents do cover.

        ``viewer`` (the asker's units and role) decides which restricted documents may be used;
        without one, only public documents are.
        """
        final: Answer | None = None
        for item in self._run(question, history, unit, stream=False, viewer=viewer):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(
        self, question: str, history: Sequence[Turn] = (), unit: str | None = None, viewer: Viewer | None = None
    ) -> Iterator[str | Answer]:
        """Partial texts while an LLM writes, then the final validated Answer."""
        yield from self._run(question, history, unit, stream=True, viewer=viewer)

    def _run(
        self, question: str, history: Sequence[Turn], unit: str | None, *, stream: bool, viewer: Viewer | None = None
    ) -> Iterator[str | Answer]:
        if not question.strip():
            yield Answer(text="Câu hỏi trống.", grounded=False, declined=True)
            return
        found = self._findings_answer(question, history, unit, viewer)
        if found is not None:
            yield found
            return
        retrieval = self.retrieve(question, history, unit, viewer)
        rewritten = retrieval.query.text if retrieval.query.rewritten else None
        if not retrieval.results:
            empty = not self.store.documents()
            yield Answer(
                text=EMPTY_TEXT if empty else DECLINE_TEXT, grounded=False, declined=True, rewritten_question=rewritten,
                suggestions=self._suggestions(retrieval),
            )
            return
        if retrieval.confidence < self.settings.min_confidence:
            yield self._decline(retrieval, rewritten)
            return
        passages = self._answer_passages(retrieval)
        if self.llm is not None:
            llm_answer = yield from self._llm_answer(retrieval.query, passages, history, stream=stream)
            if llm_answer is not None:
                yield llm_answer
                return
        yield self._extractive(retrieval, passages, rewritten)

    def _findings_answer(
        self, question: str, history: Sequence[Turn], unit: str | None, viewer: Viewer | None
    ) -> Answer | None:
        """The findings records' answer to a findings or programme question, else None."""
        if self.findings is None:
            return None
        try:
            return self.findings.answer(question, history, unit, viewer)
        except Exception:  # the general engine still answers
            log.exception("findings answer failed; falling back to the passages")
            return None

    def _answer_passages(self, retrieval: Retrieval) -> list[ScoredChunk]:
        results = list(retrieval.results)
        best = results[0].score
        keep = [r for r in results[: self.settings.answer_passages] if r.score >= 0.35 * best]
        return keep or results[:1]

    def _extractive(self, retrieval: Retrieval, passages: list[ScoredChunk], rewritten: str | None) -> Answer:
        wanted = " ".join([retrieval.query.search_text, *self.retriever.codes_for(retrieval.query)])
        quotes = select_quotes(
            wanted,
            passages,
            weight=self.retriever.term_weight,
            unit_bonus=UNIT_LIST_BONUS if asks_for_units(retrieval.query.text) else 0.0,
        )
        if not quotes:
            return self._decline(retrieval, rewritten)
        numbering: dict[int, int] = {}
        for q in quotes:
            numbering.setdefault(q.source, len(numbering) + 1)
        bullet = "• " if len(quotes) > 1 else ""
        lines = [f"{bullet}{q.text} [{numbering[q.source]}]" for q in quotes]
        citations = tuple(
            self._citation(n, passages[src - 1].chunk, " … ".join(q.text for q in quotes if q.source == src))
            for src, n in numbering.items()
        )
        return Answer(
            text="\n".join(lines),
            grounded=True,
            citations=citations,
            notices=self._superseded_notices(citations),
            rewritten_question=rewritten,
        )

    def _llm_answer(
        self, query: AnalyzedQuery, passages: list[ScoredChunk], history: Sequence[Turn], *, stream: bool
    ) -> Generator[str, None, Answer | None]:
        from knowledge.answer.grounding import renumber_citations
        from knowledge.answer.llm import LLMFailure

        numbered = [(i, self._header(sc.chunk), sc.chunk.text) for i, sc in enumerate(passages, start=1)]
        try:
            if stream:
                text = ""
                for partial in self.llm.stream(query.text, numbered, history):
                    text = partial
                    yield partial
                composed = self.llm.finish(text, numbered)
            else:
                composed = self.llm.compose(query.text, numbered, history)
        except LLMFailure as exc:
            log.info("LLM answer rejected (%s); falling back to the extractive answer", exc)
            return None
        if composed.declined:
            return Answer(text=DECLINE_TEXT, grounded=False, declined=True, mode="llm")
        used = sorted(set(composed.cited))
        renumber = {old: new for new, old in enumerate(used, start=1)}
        text = renumber_citations(composed.text, renumber)
        citations = tuple(
            self._citation(renumber[old], passages[old - 1].chunk, passages[old - 1].chunk.text[:600]) for old in used
        )
        return Answer(
            text=text, grounded=True, citations=citations, notices=self._superseded_notices(citations),
            rewritten_question=query.text if query.rewritten else None, mode="llm",
        )

    def _decline(self, retrieval: Retrieval, rewritten: str | None) -> Answer:
        return Answer(
            text=DECLINE_TEXT,
            grounded=False,
            declined=True,
            suggestions=self._suggestions(retrieval),
            rewritten_question=rewritten,
        )

    def _suggestions(self, retrieval: Retrieval) -> tuple[str, ...]:
        """What the documents do cover: the closest documents, else the catalogue."""
        titles: list[str] = []
        for r in retrieval.results:
            label = self._doc_label(r.chunk.meta)
            if label not in titles:
                titles.append(label)
        if not titles:  # never a restricted document's title: the asker may not know it exists
            titles = [self._doc_label(d) for d in self.documents() if not d.restricted_units]
        return tuple(titles[:3])

    @staticmethod
    def _doc_label(meta: DocumentMeta) -> str:
        return f"{meta.code} — {meta.title}" if meta.code else meta.title

    @staticmethod
    def _header(chunk: StoredChunk) -> str:
        parts = [chunk.meta.code or chunk.meta.title]
        if chunk.section:
            parts.append(chunk.section)
        date = format_date(chunk.meta.issue_date)
        return " › ".join(parts) + (f" ({date})" if date else "")

    @staticmethod
    def _citation(n: int, chunk: StoredChunk, quote: str) -> Citation:
        return Citation(
            n=n,
            chunk_id=chunk.chunk_id,
            doc_id=chunk.doc_id,
            code=chunk.meta.code,
            title=chunk.meta.title,
            section=chunk.section,
            date=chunk.meta.issue_date,
            quote=quote,
        )

    def _superseded_notices(self, citations: Sequence[Citation]) -> tuple[str, ...]:
        notices: list[str] = []
        docs = self.documents()
        for c in citations:
            if not c.code:
                continue
            for newer in docs:
                if newer.restricted_units:  # a restricted document is not named to whoever may not read it
                    continue
                if newer.doc_id != c.doc_id and any(same_code(c.code, old) for old in newer.replaces):
                    date = format_date(newer.issue_date)
                    note = (
                        f"Lưu ý: {c.code} đã được thay thế bởi {self._doc_label(newer)}"
                        + (f" ({date})" if date else "")
                        + "."
                    )
                    if note not in notices:
                        notices.append(note)
        return tuple(notices)

    # ---- catalogue -----------------------------------------------------------------------------
    def documents(self) -> list[DocumentMeta]:
        """Every ingested document, newest first."""
        docs = self.retriever.known_documents()
        return sorted(docs, key=lambda d: (d.issue_date or "", d.doc_id), reverse=True)

    def units(self) -> list[str]:
        """Every unit named in the knowledge base."""
        return self.retriever.known_units()

    def chunk(self, chunk_id: str, viewer: Viewer | None = None) -> StoredChunk | None:
        """One stored passage (None when it is unknown or the viewer may not read it)."""
        found = self.store.get_chunks([chunk_id])
        return found[0] if found and readable(viewer, found[0].meta) else None

    def section(self, chunk_id: str, viewer: Viewer | None = None) -> list[StoredChunk]:
        """The passages of the section holding this chunk, in order (at most 20)."""
        target = self.chunk(chunk_id, viewer)
        if target is None:
            return []
        chunks = self.store.doc_chunks(target.doc_id)
        path = target.section.split(" › ")
        while path:
            prefix = " › ".join(path)
            same = [c for c in chunks if c.section == prefix or c.section.startswith(prefix + " › ")]
            if len(same) > 1 or len(path) == 1:
                return same[:20]
            path = path[:-1]
        return [target]

    def example_questions(self, n: int = 3) -> list[str]:
        """Example questions built from what is actually ingested."""
        out: list[str] = []
        units = self.units()
        if units:
            out.append(f"Kết quả kiểm tra tại {units[0]} thế nào?")
        for meta in self.documents():
            if len(out) >= n:
                break
            if meta.code:
                out.append(f"{meta.code} quy định những nội dung gì?")
            else:
                out.append(f"{meta.title} có những nội dung chính nào?")
        return out[:n]

    def known_unit(self, text: str) -> str | None:
        """The known unit a user means ("cu khoi" → "phường Cự Khối"), if exactly one fits."""
        key = fold(text).strip()
        matches = [u for u in self.units() if fold(u) == key or key in fold(u)]
        return matches[0] if len(matches) == 1 else None
