"""QAService: question (+ history, + the user's unit) → cited answer, or an honest decline."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import replace

import numpy as np

from knowledge.access import Viewer, is_public, readable
from knowledge.answer.citations import renumber_citations
from knowledge.answer.document_facts import asks_document_date, asks_signer, date_fact, signer_fact
from knowledge.answer.extractive import NotAnswered, cited_chunks, compose_extractive, prepare
from knowledge.answer.features import Retrieved
from knowledge.answer.gate import CLOSEST_CAVEAT
from knowledge.answer.llm import LLMComposer, LLMFailure
from knowledge.answer.model import AnswerModel
from knowledge.answer.render import format_date
from knowledge.answer.selection import Candidate
from knowledge.answer.units import Scorer
from knowledge.embeddings.model import embedding_name
from knowledge.findings.service import FindingsService
from knowledge.models import Answer, Citation, DocumentMeta, ScoredChunk, StoredChunk, Turn
from knowledge.question.codes import documents_for_codes, is_stored_code, leading_document
from knowledge.question.dialogue import is_followup
from knowledge.question.focus import Focus, Term, analyze_focus, count_not_given, term_weight
from knowledge.question.frame import QuestionFrame, Reader, read_question
from knowledge.question.glossary import Glossary
from knowledge.question.thesaurus import Thesaurus
from knowledge.search.retrieval import HybridRetriever, Retrieval, same_code
from knowledge.settings import KnowledgeSettings
from knowledge.store.chroma import KnowledgeStore
from knowledge.text import CODE_RE, LAW_CODE_RE, fold

log = logging.getLogger(__name__)

DECLINE_TEXT = "Không tìm thấy nội dung trả lời câu hỏi này trong các tài liệu hiện có."
UNIT_VECTORS_KEPT = 20_000  # answer units embedded for re-ranking, most recent first
UNSTORED_TEXT = (
    "Văn bản {code} không có trong kho tài liệu (các tài liệu hiện có chỉ nhắc đến nó), "
    "nên không trả lời được câu hỏi về văn bản này."
)
UNSTORED_CAVEAT = (
    "Tài liệu không nêu trực tiếp nội dung này: văn bản {code} không có trong kho tài liệu; "
    "các tài liệu hiện có nhắc đến nó như sau:"
)
WARM_UP_QUESTION = "Đảng viên có những nhiệm vụ gì?"  # asked once at start, never shown
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
        thesaurus: Thesaurus | None = None,
        model: AnswerModel | None = None,
        llm: LLMComposer | None = None,
        findings: FindingsService | None = None,
    ) -> None:
        self.store = store
        self.retriever = retriever
        self.settings = settings
        self.glossary = glossary or Glossary.load(settings.glossary_path)
        self.thesaurus = thesaurus or Thesaurus.load(settings.thesaurus_path)
        # the off-topic floor of the learned model holds for the embedding model it was measured with
        self.model = (model or AnswerModel.load(settings.answer_model_path)).for_embedding(
            embedding_name(retriever.embeddings) if retriever.embeddings is not None else ""
        )
        self.llm = llm  # answers written by an LLM from the passages, when one is configured
        self.findings = findings  # the inspection findings and programme records
        self._unit_vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    # ---- start ---------------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Load now what the first question would load (the lexical index of the store's generation,
        the embedding model, the word segmenter, the dictionary, the findings records) by answering
        one question nobody sees, so that the first cadre's answer is as fast as the next one's.
        The LLM, if one is configured, is not asked."""
        frame = self.frame(WARM_UP_QUESTION)
        if self.findings is not None:
            self.findings.units()
        retrieval = self.retriever.retrieve(frame, k=self.settings.top_k)
        if retrieval.results:
            self._extractive(retrieval, None)

    # ---- understanding and retrieval -----------------------------------------------------------
    def reader(self) -> Reader:
        """What reading a question needs: the vocabularies and what the knowledge base holds."""
        return Reader(
            self.glossary, self.thesaurus, self._known_units(), self.retriever.document_names(),
            self.retriever.known_codes(),
        )

    def _known_units(self) -> list[str]:
        """Units a question may name: the names the documents give, and the findings registry's
        (read from what documents inspect and assign)."""
        named = self.retriever.known_units()
        if self.findings is None:
            return named
        return list(dict.fromkeys([*self.findings.units(), *named]))

    def frame(self, question: str, history: Sequence[Turn] = (), unit: str | None = None) -> QuestionFrame:
        """The question read once (follow-ups rewritten, units, codes and documents detected)."""
        reader = self.reader()
        if self.llm is not None and history and is_followup(question, history[-1].question):
            condensed = self.llm.condense(question, history)
            if condensed and condensed != question:
                frame = read_question(condensed, reader, my_unit=unit)
                return replace(frame, original=question, rewritten=True, followup=True)
        return read_question(question, reader, history=history, my_unit=unit)

    def retrieve(
        self, question: str, history: Sequence[Turn] = (), unit: str | None = None, viewer: Viewer | None = None
    ) -> Retrieval:
        """Ranked passages and the confidence signal for a question (only documents the viewer may read)."""
        return self.retriever.retrieve(self.frame(question, history, unit), k=self.settings.top_k, viewer=viewer)

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
        frame = self.frame(question, history, unit)
        # a rule question that names a unit in passing is answered by the rule, not the unit's findings
        found = self._findings_answer(question, history, unit, viewer) if frame.intent == "findings" else None
        if found is not None:
            yield found
            return
        retrieval = self.retriever.retrieve(frame, k=self.settings.top_k, viewer=viewer)
        rewritten = retrieval.frame.text if retrieval.frame.rewritten else None
        if not retrieval.results:
            empty = not self.store.documents()
            yield Answer(
                text=EMPTY_TEXT if empty else DECLINE_TEXT, grounded=False, declined=True, rewritten_question=rewritten,
                suggestions=self._suggestions(retrieval),
            )
            return
        unstored = self._unstored_subject(retrieval.frame)
        if unstored is not None:
            yield self._about_unstored(retrieval, rewritten, unstored)
            return
        # the extractive composer also decides whether the documents answer at all, for both modes
        extractive = self._count_not_given(retrieval.frame.text, self._extractive(retrieval, rewritten))
        if extractive.declined or self.llm is None:
            yield extractive
            return
        passages = self._answer_passages(retrieval)
        llm_answer = yield from self._llm_answer(self.llm, retrieval.frame, passages, history, stream=stream)
        if llm_answer is not None and extractive.closest and not llm_answer.declined:
            # the gate found only related provisions: the model's answer says so too
            llm_answer = replace(llm_answer, text=f"{CLOSEST_CAVEAT}\n{llm_answer.text}", closest=True)
        yield llm_answer if llm_answer is not None else extractive

    def _count_not_given(self, question: str, found: Answer) -> Answer:
        """An answer quoting only inspection documents to "bao nhiêu <thing> <qualifier>?" that
        states no such count: shown as the closest content under a caveat. Reports state their
        counts literally ("21 đảng viên phụ trách 146 hộ"), so a count of another thing is no
        answer; rules word their thresholds too many ways for this test, and are left alone."""
        if found.declined or found.closest or not found.citations or self.findings is None:
            return found
        if not {c.doc_id for c in found.citations} <= self.findings.inspection_documents():
            return found
        counted = count_not_given(question, found.text)
        if counted is None:
            return found
        return replace(found, text=f"Tài liệu không nêu số {counted} được hỏi; các nội dung gần nhất:\n{found.text}",
                       closest=True)

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

    def _plan(self, retrieval: Retrieval) -> tuple[Focus | None, list[tuple[str, str]], set[str]]:
        """What is left to answer from passages, the facts about documents that answer the rest,
        and the documents the question names."""
        query = retrieval.frame
        focus: Focus | None = query.focus
        facts = self._document_facts(query.focus, retrieval)
        if facts:
            rest = [p.text for p in query.focus.parts if not asks_document_date(p.text) and not asks_signer(p.text)]
            focus = None
            if rest:
                focus = analyze_focus(
                    "; ".join(rest), expansions=self.glossary.matches(query.text), accented=query.accented,
                    thesaurus=self.thesaurus,
                )
                focus = replace(focus, claim=query.claim)
        named = set(documents_for_codes(query.codes, self.retriever.known_documents())) | set(query.documents)
        return focus, facts, named

    def candidates(self, retrieval: Retrieval) -> tuple[Scorer, list[Candidate]] | None:
        """The question's scorer and candidate units with their features (what the unit model
        weighs), as the answer sees them; None when only facts about documents are asked."""
        focus, _, named = self._plan(retrieval)
        if focus is None or not focus.terms:
            return None
        return prepare(
            retrieval.frame, focus, list(retrieval.results), self.retriever.outline, self._weight,
            doc_named=named.__contains__, retrieved=self.evidence(retrieval),
        )

    @staticmethod
    def evidence(retrieval: Retrieval) -> Retrieved:
        """What retrieval found, as the answer's choices read it."""
        return Retrieved.of(retrieval.results, retrieval.signals, retrieval.dense_stats)

    def _extractive(self, retrieval: Retrieval, rewritten: str | None) -> Answer:
        query = retrieval.frame
        focus, facts, named = self._plan(retrieval)
        composed = compose_extractive(
            query, focus, list(retrieval.results), self.retriever.outline, self._weight, self.model,
            known=self.known_term, facts=facts, required=self._required(query),
            similarity=self._similarity(retrieval), doc_named=named.__contains__, retrieved=self.evidence(retrieval),
            thesaurus=self.thesaurus,
        )
        if isinstance(composed, NotAnswered):
            log.debug("declined (%s): %s", composed.reason, query.text)
            return self._decline(retrieval, rewritten)
        citations = tuple(
            self._citation(n, chunk, quote) for n, chunk, quote in cited_chunks(composed, self.retriever.live_chunk)
        )
        return Answer(
            text=composed.text,
            grounded=True,
            citations=citations,
            notices=self._superseded_notices(citations),
            rewritten_question=rewritten,
            closest=composed.closest,
            option=composed.option,
        )

    def known_term(self, term: Term) -> bool:
        """Whether the live documents hold a question term anywhere (in one of its spellings)."""
        return any(all(self.retriever.term_weight(fold(t)) > 0 for t in alt) for alt in term.alternatives)

    def _similarity(self, retrieval: Retrieval) -> Callable[[Sequence[str]], Sequence[float]] | None:
        """Cosines between the question and unit texts (unit vectors memoised), or None without a model."""
        embeddings = self.retriever.embeddings
        if retrieval.query_vector is None or not self.settings.dense_units or embeddings is None:
            return None
        question = np.asarray(retrieval.query_vector, dtype=np.float32)

        def similarity(texts: Sequence[str]) -> list[float]:
            todo = [t for t in dict.fromkeys(texts) if t not in self._unit_vectors]
            if todo:
                for text, vec in zip(todo, embeddings.embed_documents(todo)):
                    self._unit_vectors[text] = np.asarray(vec, dtype=np.float32)
                while len(self._unit_vectors) > UNIT_VECTORS_KEPT:
                    self._unit_vectors.popitem(last=False)
            return [float(self._unit_vectors[t] @ question) for t in texts]

        return similarity

    @staticmethod
    def _required(query: QuestionFrame) -> list[str]:
        """What the answer must name: for a question about what was found at a unit or in a year,
        that unit and year (a number the question states is weighed by the unit model instead:
        in a case, "7 đảng viên", it is a fact of the case, not a word of the rule)."""
        if not query.about_findings:
            return []
        return [*query.units, *query.unknown_units, *query.years]

    def _document_facts(self, focus: Focus, retrieval: Retrieval) -> list[tuple[str, str]]:
        """Answers to parts asking when a document was issued or posted, from its metadata."""
        out: list[tuple[str, str]] = []
        for part in focus.parts:
            verb = asks_document_date(part.text)
            signer = asks_signer(part.text)
            if verb is None and not signer:
                continue
            named = documents_for_codes(retrieval.frame.codes, [c.chunk.meta for c in retrieval.results])
            named = named or list(retrieval.frame.documents)
            top = next((r.chunk for r in retrieval.results if not named or r.chunk.doc_id in named), None)
            if top is None:
                continue
            lines = self.retriever.outline(top.doc_id).lines
            if signer:
                closing = [ln for ln in lines if ln.closing]
                fact = signer_fact(top.meta, [ln.text for ln in closing])
                where = closing[-1].chunk_id if closing else None
            else:
                fact = date_fact(top.meta, verb or "")
                where = lines[0].chunk_id if lines else None
            if fact and where:
                out.append((fact, where))
        return out

    def _weight(self, term: Term) -> float:
        """How much a question term matters in the live corpus (IDF; unknown words the most)."""
        return term_weight(term, self.retriever.term_weight, self.retriever.max_term_weight())

    def _llm_answer(
        self, llm: LLMComposer, query: QuestionFrame, passages: list[ScoredChunk], history: Sequence[Turn], *, stream: bool
    ) -> Generator[str, None, Answer | None]:
        numbered = [(i, self._header(sc.chunk), sc.chunk.text) for i, sc in enumerate(passages, start=1)]
        try:
            if stream:
                text = ""
                for partial in llm.stream(query.text, numbered, history):
                    text = partial
                    yield partial
                composed = llm.finish(text, numbered)
            else:
                composed = llm.compose(query.text, numbered, history)
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

    def _unstored_subject(self, query: QuestionFrame) -> str | None:
        """The code of a document the question is about that is not in the knowledge base: one it
        starts with ("Nghị định số 278/2025/NĐ-CP quy định…"), or one whose date or signer it asks
        ("Quyết định 271-QĐ/QU … được ký ngày nào?": a document that only cites it cannot tell)."""
        code = leading_document(query.text)
        if code is None and (asks_document_date(query.text) or asks_signer(query.text)):
            found = CODE_RE.search(query.text) or LAW_CODE_RE.search(query.text)
            code = found.group(0) if found else None
        if code is None or is_stored_code(code, self.retriever.known_documents()):
            return None
        return code

    def _about_unstored(self, retrieval: Retrieval, rewritten: str | None, code: str) -> Answer:
        """A question about a document the knowledge base does not hold: what the stored documents
        that cite it say (a review quoting a programme's targets), under a caveat naming it, never
        as its own words; declined when they say nothing of the question, or when it asks the
        document's date or signer (a document that only cites it cannot tell)."""
        frame = retrieval.frame
        if asks_document_date(frame.text) or asks_signer(frame.text):
            return self._decline(retrieval, rewritten, text=UNSTORED_TEXT.format(code=code))
        found = self._extractive(retrieval, rewritten)
        if found.declined:
            return self._decline(retrieval, rewritten, text=UNSTORED_TEXT.format(code=code))
        body = found.text.removeprefix(CLOSEST_CAVEAT).lstrip("\n")
        return replace(found, text=f"{UNSTORED_CAVEAT.format(code=code)}\n{body}", closest=True)

    def _decline(self, retrieval: Retrieval, rewritten: str | None, text: str = DECLINE_TEXT) -> Answer:
        return Answer(
            text=text,
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
            titles = [self._doc_label(d) for d in self.documents() if is_public(d)]
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
                if not is_public(newer):  # a restricted document is not named to whoever may not read it
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
        """Example questions built from what is actually ingested (public documents only: anyone sees them)."""
        out: list[str] = []
        public = [d for d in self.documents() if is_public(d)]
        units = [u for d in public for u in d.units]
        if units:
            out.append(f"Kết quả kiểm tra tại {units[0]} thế nào?")
        for meta in public:
            if len(out) >= n:
                break
            if meta.code:
                out.append(f"{meta.code} quy định những nội dung gì?")
            else:
                out.append(f"{meta.title} có những nội dung chính nào?")
        return out[:n]
