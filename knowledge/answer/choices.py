"""Applying the quoted rule to what the question states: a quiz's options, a case's numbers.

A quiz question pasted with its options gets the option the quoted text supports, named: the
option whose words a sentence of the quoted units holds, in the sentence that is also about the
question's stem ("Chi bộ quyết định khiển trách, cảnh cáo …" supports "B. Khiển trách, cảnh cáo"
for a question about the chi bộ, not "A. …, cách chức", which another sentence gives the đảng ủy);
when no option is clearly supported, the answer says so. A case stated with numbers ("Chi bộ có
7 đảng viên chính thức") is set beside the rule's threshold on the same thing ("từ 9 đảng viên
chính thức trở lên"), as a comparison the reader can check, never as a verdict: the documents may
hold exceptions the comparison does not see.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from knowledge.question.focus import Focus, Term, analyze_focus, signature
from knowledge.question.frame import QuestionFrame, Stated
from knowledge.question.options import Option
from knowledge.question.thesaurus import Thesaurus
from knowledge.text import fold, split_sentences, without_markers

OPTION_SUPPORTED = 0.6  # the share of an option's words one sentence must hold
OPTION_MARGIN = 0.1  # …and by this much more than the next option


@dataclass(frozen=True)
class Verdict:
    """The option the quoted text supports ("" when none clearly is), and the line that says so."""

    letter: str
    line: str
    chunk_id: str | None = None


def _cover(focus: Focus, sentence: str) -> float:
    if not focus.terms:
        return 0.0
    sig = signature(sentence)
    return sum(1 for t in focus.terms if sig.covers(t)) / len(focus.terms)


_COUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s+([^\W\d_]+)")


def _numbers_hold(option: str, sentence: str) -> bool:
    """Every number of an option stands in the sentence with the word it counts ("2 năm")."""
    said = " ".join(fold(w) for w in re.findall(r"\w+", sentence))
    for number, word in _COUNT.findall(option):
        if not re.search(rf"(?<![\d.,]){re.escape(number)} {re.escape(fold(word))}\b", said):
            return False
    return True


def supported_option(
    frame: QuestionFrame, sentences: Sequence[tuple[str, str]], thesaurus: Thesaurus | None = None
) -> Verdict:
    """The option of a quiz question the quoted sentences ((text, chunk_id)) support."""
    stem = frame.focus
    scores: list[tuple[float, Option, str]] = []
    for option in frame.options:
        words = analyze_focus(option.text, accented=frame.accented, thesaurus=thesaurus)
        words = replace(words, terms=words.terms + _operators(option.text))
        best, where = 0.0, ""
        for text, chunk_id in sentences:
            share = _cover(words, text)
            if share <= 0:
                continue
            if not _numbers_hold(option.text, text):
                share *= 0.5
            score = share * (0.5 + 0.5 * _cover(stem, text))
            if share >= OPTION_SUPPORTED and score > best:
                best, where = score, chunk_id
        scores.append((best, option, where))
    scores.sort(key=lambda s: -s[0])
    if scores and scores[0][0] > 0 and (len(scores) == 1 or scores[0][0] - scores[1][0] >= OPTION_MARGIN):
        score, option, where = scores[0]
        return Verdict(option.letter, f"Theo tài liệu, phương án đúng: {option.letter}. {option.text}", where)
    return Verdict("", "Tài liệu trích dưới đây không khớp rõ với một phương án nào; hãy đối chiếu:")


# Words that turn an option's meaning ("Chỉ khai trừ", "Không có quyền quyết định"): elsewhere
# function words, in an option they must be in the sentence that supports it.
_OPERATORS = ("không", "chưa", "chỉ", "tất cả", "đều", "mọi")


def _operators(option: str) -> tuple[Term, ...]:
    """The option's operators, each with the word it applies to ("không có", "chỉ khai"): a
    sentence supports "Không có quyền" only where it says "không có", not "không" anywhere."""
    words = [fold(w) for w in _WORD.findall(option)]
    out = []
    for op in _OPERATORS:
        key = fold(op).split()
        n = len(key)
        for i in range(len(words) - n):
            if words[i : i + n] == key:
                token = "_".join([*key, words[i + n]][-2:])
                out.append(Term(token, ((token,),), token, bigram=True))
                break
    return tuple(out)


_WORD = re.compile(r"[^\W\d_]+")


def unit_sentences(texts: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The sentences (and list items) of quoted texts ((text, chunk_id)), each with its chunk."""
    return [(s, chunk_id) for text, chunk_id in texts for s in split_sentences(without_markers(text))]


# ---- a case's numbers beside the rule's thresholds --------------------------------------------
_WORDS = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
    "mười": 10, "mười một": 11, "mười hai": 12, "mười lăm": 15, "hai mươi": 20, "ba mươi": 30,
}
_NUM = r"(\d{1,3}|" + "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)) + r")"
# what a number counts, as cases state it and rules write it (folded key -> how rules write it)
_UNITS = {
    "dang vien": r"đảng viên", "tuoi": r"tuổi", "thang": r"tháng", "nam": r"năm", "ngay": r"ngày(?:\s+làm\s+việc)?",
    "nguoi": r"(?:người|cán bộ|thành viên)", "lan": r"lần",
}
_UNIT = r"(" + "|".join(_UNITS.values()) + r")"
_THRESHOLDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("range", re.compile(rf"(?:đủ\s+)?{_NUM}\s+tuổi\s+(?:đến|tới)\s+(?:đủ\s+)?{_NUM}\s+tuổi", re.I)),
    (">=", re.compile(rf"(?:(?:có\s+)?từ\s+|có\s+){_NUM}\s+{_UNIT}(?:\s+[^\s\d,.;]+){{0,3}}?\s+trở\s+lên", re.I)),
    (">=", re.compile(rf"(?:ít\s+nhất|tối\s+thiểu|đủ)(?:\s+là)?\s+{_NUM}\s+{_UNIT}", re.I)),
    ("<=", re.compile(rf"(?:không\s+quá|tối\s+đa)(?:\s+là)?\s+{_NUM}\s+{_UNIT}", re.I)),
    ("<", re.compile(rf"(?:dưới|chưa\s+đủ)\s+{_NUM}\s+{_UNIT}", re.I)),
    (">", re.compile(rf"(?:trên|hơn)\s+{_NUM}\s+{_UNIT}", re.I)),
)


def _value(token: str) -> float:
    token = token.lower()
    return float(token) if token.isdigit() else float(_WORDS.get(token, -1))


def _unit_key(written: str) -> str | None:
    folded = fold(written)
    for key, pattern in _UNITS.items():
        if re.fullmatch(pattern, written, re.I) or folded.startswith(key):
            return key
    return None


def _verdict(op: str, v: float, low: float, high: float | None = None) -> str:
    n = _fmt
    if op == "range" and high is not None:
        if low <= v <= high:
            return f"{n(low)} ≤ {n(v)} ≤ {n(high)}, trong khoảng quy định"
        return f"{n(v)} < {n(low)}, dưới mức quy định" if v < low else f"{n(v)} > {n(high)}, vượt mức quy định"
    if op == ">=":
        return f"{n(v)} ≥ {n(low)}, đạt mức này" if v >= low else f"{n(v)} < {n(low)}, chưa đạt mức này"
    if op == ">":
        return f"{n(v)} > {n(low)}, thuộc trường hợp này" if v > low else f"{n(v)} ≤ {n(low)}, không thuộc trường hợp này"
    if op == "<=":
        return f"{n(v)} ≤ {n(low)}, trong giới hạn" if v <= low else f"{n(v)} > {n(low)}, vượt giới hạn"
    return f"{n(v)} < {n(low)}, thuộc trường hợp này" if v < low else f"{n(v)} ≥ {n(low)}, không thuộc trường hợp này"


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def compare_case(
    stated: Sequence[Stated], sentences: Sequence[tuple[str, str]], *, limit: int = 2
) -> list[tuple[str, str]]:
    """Lines setting each number the case states beside the quoted rule's threshold on the same
    thing that lies nearest to it (("Đối chiếu …", chunk_id)): "63 tuổi" is set beside "trên 60
    tuổi", not beside "đủ 18 tuổi trở lên". At most ``limit`` lines."""
    found: list[tuple[str, float, float | None, str, str]] = []  # (op, low, high, phrase, chunk_id) per unit key
    keys: list[str] = []
    for text, chunk_id in sentences:
        for op, pattern in _THRESHOLDS:
            for m in pattern.finditer(text):
                if op == "range":
                    key, low, high = "tuoi", _value(m.group(1)), _value(m.group(2))
                else:
                    key, low, high = _unit_key(m.group(2)) or "", _value(m.group(1)), None
                if low >= 0 and key:
                    found.append((op, low, high, m.group(0), chunk_id))
                    keys.append(key)
    out: list[tuple[str, str]] = []
    for s in dict.fromkeys(stated):
        matches = [f for f, k in zip(found, keys) if k == s.unit]
        if not matches:
            continue
        op, low, high, phrase, chunk_id = min(
            matches, key=lambda f: min(abs(s.value - f[1]), abs(s.value - f[2]) if f[2] is not None else 1e9)
        )
        out.append((f"Đối chiếu trường hợp nêu với quy định “{phrase}”: {_verdict(op, s.value, low, high)}.", chunk_id))
        if len(out) >= limit:
            break
    return out


def applied(
    frame: QuestionFrame,
    texts: Sequence[tuple[str, str]],
    thesaurus: Thesaurus | None,
    number_of: Callable[[str], int],
) -> tuple[list[str], str | None]:
    """The lines that apply the quoted units ((full text, chunk_id)) to the question, each with its
    citation number, and the option named (None when the question has no options)."""
    sentences = unit_sentences(texts)
    lines: list[str] = []
    option: str | None = None
    if frame.options:
        verdict = supported_option(frame, sentences, thesaurus)
        option = verdict.letter
        cite = f" [{number_of(verdict.chunk_id)}]" if verdict.chunk_id else ""
        lines.append(verdict.line + cite)
    if frame.stated and frame.form in ("scenario", "yesno", "choice"):
        lines += [f"{line} [{number_of(chunk_id)}]" for line, chunk_id in compare_case(frame.stated, sentences)]
    return lines, option
