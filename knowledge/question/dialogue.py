"""A question in a conversation: long messages, follow-ups, and self-contained new topics.

A long message (background, then the question) is answered from its question sentences. Only
a real follow-up leans on the previous turn: "còn … thì sao?", a pronoun ("việc đó", "trường
hợp này"), or a bare noun phrase right after a full question ("phường Cự Khối?"). Anything
else is a new topic, even when it is short ("Thẻ đảng viên?" after "Phông lưu trữ Đảng?").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.models import Turn
from knowledge.text import fold, nfc, split_sentences
from knowledge.vocab import CONTRASTS

LONG_MESSAGE_CHARS = 600
_QUESTION_CUE = re.compile(
    r"\b(?:gi|nao|ai|dau|bao nhieu|bao lau|bao gio|the nao|ra sao|lam sao|tai sao|vi sao|co phai|hay khong"
    r"|duoc khong|phai khong|co (?:\w+ ){0,6}khong|xin hoi|cho hoi|hoi|nhu the nao)\b"
)
_CONTINUATION_START = re.compile(r"^(?:con|vay con|the con|con ve|the thi|vay thi|va|neu vay|neu the|con doi voi)\b")
_CONTINUATION_END = re.compile(r"\b(?:thi sao|thi the nao|thi ra sao|thi nhu the nao|nua khong|nua)\s*$")
_ANAPHORA = re.compile(
    r"\b(?:viec (?:do|nay|tren)|truong hop (?:do|nay|tren)|van ban (?:do|nay|tren)|noi dung (?:do|nay|tren)"
    r"|dong chi (?:do|nay|ay)|don vi (?:do|nay|ay)|no|ho|dieu do|cai do|nhu vay|noi tren|vua neu|vua roi)\b"
)
# Verbs and copulas that make a message a full question rather than a bare noun phrase.
_PREDICATE = re.compile(
    r"\b(?:la|co|duoc|phai|can|lam|gom|bao gom|quy dinh|thuc hien|xu ly|ap dung|ke|tinh|nop|gui|ky|ban hanh)\b"
)


def question_sentences(text: str) -> tuple[list[str], list[str]]:
    """The sentences of a message that ask something, and those that tell the case before them."""
    sentences = split_sentences(nfc(text).strip())
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    if not asking:  # no question mark: the sentences with a question word, else the last one
        asking = [s for s in sentences if _QUESTION_CUE.search(fold(s))][-1:] or sentences[-1:]
    return asking, [s for s in sentences if s not in asking]


def question_part(message: str) -> str:
    """The question of a long message: the sentences that ask (the last two), with the one before
    them when they need it for their subject ("Vậy thời hạn là bao lâu?"); a message of up to
    ``LONG_MESSAGE_CHARS`` is kept whole (a case told in a few sentences is part of the question)."""
    text = nfc(message).strip()
    if len(text) <= LONG_MESSAGE_CHARS:
        return text
    sentences = split_sentences(text)
    asking, _ = question_sentences(text)
    chosen = asking[-2:]
    if not chosen:
        return sentences[-1] if sentences else text
    first = sentences.index(chosen[0])
    if first > 0 and _ANAPHORA_START.search(fold(chosen[0])):
        chosen = [sentences[first - 1], *chosen]
    return " ".join(chosen) or text


_ANAPHORA_START = re.compile(r"^(?:vay|nhu vay|the|the thi|vay thi|truong hop nay|truong hop do|viec nay|viec do)\b")


def is_full_question(text: str) -> bool:
    """A question with its own predicate or question word (not a bare noun phrase)."""
    folded = fold(text).strip(" ?.!")
    return len(folded.split()) >= 4 and bool(_QUESTION_CUE.search(folded) or _PREDICATE.search(folded))


def is_bare_phrase(text: str) -> bool:
    """A short noun phrase with no question word and no verb ("phường Cự Khối?")."""
    folded = fold(text).strip(" ?.!")
    return 0 < len(folded.split()) <= 5 and not _QUESTION_CUE.search(folded) and not _PREDICATE.search(folded)


def is_followup(question: str, previous: str | None = None) -> bool:
    """Whether a message continues the previous turn rather than starting a new topic."""
    folded = fold(question).strip(" ?.!")
    words = len(folded.split())
    if words <= 12 and (_CONTINUATION_START.search(folded) or _CONTINUATION_END.search(folded)):
        return True
    if words <= 10 and _ANAPHORA.search(folded):
        return True
    return previous is not None and is_bare_phrase(question) and is_full_question(previous)


def continue_from(question: str, previous: Turn, new_units: Sequence[str], old_units: Sequence[str]) -> str:
    """A follow-up as a standalone question: the previous one with the new unit, with the
    alternative it names instead of the one it had ("còn chính thức thì sao?" after "… tạm thời?"),
    or with the new words."""
    if new_units and old_units:
        for old in old_units:
            pattern = re.compile(re.escape(old), re.IGNORECASE)
            if pattern.search(previous.question):
                return pattern.sub(new_units[0], previous.question, count=1)
        return f"{previous.question} {new_units[0]}"
    core = re.sub(r"^(?:vậy còn|thế còn|còn về|còn|vậy|thế|và|thì|nếu vậy)\s+", "", nfc(question).strip(), flags=re.IGNORECASE)
    core = re.sub(r"\s*(?:thì sao|thì thế nào|thì ra sao|thì như thế nào|nữa không|nữa)\s*\??$", "", core, flags=re.IGNORECASE)
    switched = _switch(previous.question, core)
    if switched is not None:
        return switched
    return f"{previous.question} {core}".strip()


def _switch(previous: str, core: str) -> str | None:
    """The previous question with the alternative ``core`` names put in place of the one it named."""
    said = " " + " ".join(re.findall(r"\w+", fold(core))) + " "
    before = fold(previous)
    if len(before) != len(previous):  # folding moved offsets: no safe replacement
        return None
    for family in CONTRASTS:
        new = next((p for p in sorted(family, key=len, reverse=True) if f" {fold(p)} " in said), None)
        if new is None:
            continue
        for old in sorted(family, key=len, reverse=True):
            if old == new or fold(old) in fold(new):
                continue
            m = re.search(rf"(?<!\w){re.escape(fold(old))}(?!\w)", before)
            if m:
                word = new[0].upper() + new[1:] if m.start() == 0 and previous[:1].isupper() else new
                return previous[: m.start()] + word + previous[m.end() :]
    return None
