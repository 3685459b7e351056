"""FakeEngine: a deterministic AnswerEngine over a few passages of the seed article.

Word-overlap retrieval on folded tokens (so questions with or without diacritics match), a
plain decline when nothing matches, unit-first answers, scripted answers for edge cases, an
optional blocking delay, and a record of every call for assertions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from knowledge.errors import KnowledgeError
from knowledge.models import Answer, Citation, DocumentMeta, StoredChunk, Turn
from knowledge.text import fold, tokens

SEED_DOC = DocumentMeta(
    doc_id="long-bien_2017-08-15_01-CTr-QU",
    title="Kiểm tra việc thực hiện Chương trình 01-CTr/QU đối với 04 đảng bộ cơ sở",
    code="01-CTr/QU",
    number="01",
    doc_type="CTr",
    issuer="QU",
    issue_date="2017-08-15",
    issuing_body="Quận ủy Long Biên",
    units=("phường Sài Đồng", "phường Cự Khối", "Tòa án nhân dân Quận", "CTCP Khí công nghiệp Việt Nam"),
    mentions=("271-QĐ/QU",),
)

_PASSAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Kết quả kiểm tra",
        (
            "Thực hiện Quyết định số 271-QĐ/QU, từ ngày 02/8/2017 đến ngày 11/8/2017, Đoàn kiểm tra Chương "
            "trình 01-CTr/QU đã tiến hành kiểm tra 04 đảng ủy cơ sở gồm: phường Sài Đồng, phường Cự Khối, "
            "Tòa án nhân dân Quận và CTCP Khí công nghiệp Việt Nam."
        ),
        SEED_DOC.units,
    ),
    (
        "Kết quả kiểm tra",
        (
            "Trưởng đoàn kiểm tra do đồng chí Nguyễn Huy Thắng - Phó Bí thư thường trực Quận ủy - Chủ nhiệm "
            "Chương trình; Phó Đoàn là đồng chí Hà Thị Bích Loan - UVTV, Trưởng Ban Tổ chức Quận ủy."
        ),
        (),
    ),
    (
        "Hạn chế",
        (
            "Qua kiểm tra cho thấy còn tình trạng ban hành nhiều nghị quyết chuyên đề song chưa chú trọng "
            "kiểm soát tiến độ và kết quả thực hiện; việc theo dõi kế hoạch tu dưỡng của cán bộ, đảng viên "
            "tại một số chi bộ trực thuộc còn chưa thường xuyên."
        ),
        (),
    ),
    (
        "Yêu cầu thời gian tới",
        (
            "Các đơn vị cần thường xuyên nâng cao nhận thức, ý thức trách nhiệm của cán bộ, đảng viên; duy trì "
            "nghiêm túc nguyên tắc tổ chức và sinh hoạt Đảng, tiếp tục đổi mới chất lượng sinh hoạt chi bộ."
        ),
        (),
    ),
)

STOPWORDS = frozenset(
    ["la", "gi", "nao", "nhung", "cac", "co", "duoc", "khong", "cua", "va", "cho", "trong", "ve", "the", "ai", "bao", "nhieu", "khi", "toi", "minh", "da", "dang", "nay", "do", "thi", "hay", "voi", "mot", "tu", "den", "ra", "vao", "o", "tai", "theo", "can", "phai", "nhu", "sao", "bang", "lam", "nhe", "a", "oi", "con"]
)
DECLINE_TEXT = "Xin lỗi, các tài liệu hiện có không đề cập đến nội dung này nên tôi không thể trả lời."
SELF_UNIT = ("don vi toi", "don vi minh", "chi bo minh", "chi bo toi", "dang bo minh", "dang bo toi")


def seed_chunks() -> list[StoredChunk]:
    return [
        StoredChunk(
            chunk_id=f"{SEED_DOC.doc_id}::{i:05d}",
            doc_id=SEED_DOC.doc_id,
            position=i,
            text=text,
            section=section,
            units=units,
            meta=SEED_DOC,
            codes=("01-CTr/QU",),
        )
        for i, (section, text, units) in enumerate(_PASSAGES)
    ]


@dataclass(frozen=True)
class EngineCall:
    method: str
    question: str
    history: tuple[Turn, ...]
    unit: str | None


class FakeEngine:
    """A scripted, thread-safe AnswerEngine for tests."""

    def __init__(
        self,
        chunks: Sequence[StoredChunk] | None = None,
        *,
        scripted: Mapping[str, Answer] | None = None,
        delay_s: float = 0.0,
        slow_questions: Mapping[str, float] | None = None,
    ) -> None:
        self.chunks = list(chunks if chunks is not None else seed_chunks())
        self.scripted = {fold(k).strip(" ?"): v for k, v in (scripted or {}).items()}
        self.delay_s = delay_s
        self.slow_questions = {fold(k): v for k, v in (slow_questions or {}).items()}
        self.calls: list[EngineCall] = []
        self._lock = threading.Lock()

    # AnswerEngine ---------------------------------------------------------------------------
    def answer(
        self, question: str, history: Sequence[Turn] = (), unit: str | None = None, viewer: object | None = None
    ) -> Answer:
        self._record("answer", question, history, unit)
        self._maybe_sleep(question)
        return self._compose(question, tuple(history), unit)

    def stream(
        self, question: str, history: Sequence[Turn] = (), unit: str | None = None, viewer: object | None = None
    ) -> Iterator[str | Answer]:
        self._record("stream", question, history, unit)
        self._maybe_sleep(question)
        answer = self._compose(question, tuple(history), unit)
        words = answer.text.split(" ")
        for i in range(1, len(words) + 1, 3):
            yield " ".join(words[:i])
        yield answer

    def documents(self) -> list[DocumentMeta]:
        return list({c.meta.doc_id: c.meta for c in self.chunks}.values())

    def units(self) -> list[str]:
        return list(dict.fromkeys(u for d in self.documents() for u in d.units))

    def chunk(self, chunk_id: str, viewer: object | None = None) -> StoredChunk | None:
        return next((c for c in self.chunks if c.chunk_id == chunk_id), None)

    def section(self, chunk_id: str, viewer: object | None = None) -> list[StoredChunk]:
        hit = self.chunk(chunk_id)
        if hit is None:
            return []
        return [c for c in self.chunks if c.doc_id == hit.doc_id and c.section == hit.section]

    def example_questions(self, n: int = 3) -> list[str]:
        return [
            "Đoàn kiểm tra Chương trình 01-CTr/QU đã kiểm tra những đảng ủy nào?",
            "Ai là Trưởng đoàn kiểm tra?",
            "Các đơn vị cần làm gì trong thời gian tới?",
        ][:n]

    # internals ------------------------------------------------------------------------------
    def _record(self, method: str, question: str, history: Sequence[Turn], unit: str | None) -> None:
        with self._lock:
            self.calls.append(EngineCall(method, question, tuple(history), unit))

    def _maybe_sleep(self, question: str) -> None:
        delay = self.slow_questions.get(fold(question), self.delay_s)
        if delay:
            time.sleep(delay)  # deliberately blocking: the bot must run us in a thread

    def _compose(self, question: str, history: tuple[Turn, ...], unit: str | None) -> Answer:
        folded = fold(question).strip(" ?")
        if folded in self.scripted:
            return self.scripted[folded]
        if "loi he thong" in folded:
            raise RuntimeError("internal failure at /srv/secret/chroma.sqlite3")
        if "loi kien thuc" in folded:
            raise KnowledgeError("Kho tài liệu đang được cập nhật, vui lòng thử lại sau ít phút.")
        about_self = any(p in folded for p in SELF_UNIT)
        words = {t for t in tokens(question) if t not in STOPWORDS}
        if about_self and unit:
            words |= {t for t in tokens(unit) if t not in STOPWORDS}
        ranked = self._rank(words)
        if not ranked and history:  # a follow-up: borrow the previous question's words
            ranked = self._rank(words | {t for t in tokens(history[-1].question) if t not in STOPWORDS})
        if not ranked:
            return Answer(text=DECLINE_TEXT, grounded=False, declined=True,
                          suggestions=tuple(self.example_questions(2)))
        if unit:
            ranked.sort(key=lambda c: unit not in c.units)
        best = ranked[:2]
        lead = f"Đối với {unit}: " if unit and unit in best[0].units else ""
        text = "\n\n".join(
            f"{lead if i == 0 else ''}Theo {c.meta.code}, {c.text[0].lower()}{c.text[1:]} [{i + 1}]"
            for i, c in enumerate(best)
        )
        citations = tuple(
            Citation(n=i + 1, chunk_id=c.chunk_id, doc_id=c.doc_id, code=c.meta.code, title=c.meta.title,
                     section=c.section, date=c.meta.issue_date, quote=c.text[:200])
            for i, c in enumerate(best)
        )
        return Answer(text=text, grounded=True, citations=citations)

    def _rank(self, words: set[str]) -> list[StoredChunk]:
        scored = []
        for c in self.chunks:
            overlap = len(words & set(tokens(c.text)))
            if overlap >= 2:
                scored.append((overlap, -c.position, c))
        scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
        return [c for *_, c in scored]
