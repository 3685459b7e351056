"""The question read once into a frame that every later stage uses and none re-derives.

Findings routing, retrieval, the choice of what to quote, the decision to answer and the LLM
prompt all read the same ``QuestionFrame``: the text as it is answered (a long message's question
sentences, "đơn vị tôi" resolved, a follow-up rewritten), its form (list, procedure, yes/no,
scenario, quiz with options…), its words (word level, abbreviations and the cadres' words with
the documents' terms), the subject asked about, the documents, units and years named, and the
numbers it states.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from knowledge.documents.units import find_units
from knowledge.models import Turn
from knowledge.question import intent
from knowledge.question.codes import CodeRef, detect_codes, resolve_named_codes
from knowledge.question.dialogue import continue_from, is_followup, question_part, question_sentences
from knowledge.question.focus import Focus, analyze_focus, names_a_person
from knowledge.question.glossary import Glossary
from knowledge.question.options import Option, split_options
from knowledge.question.references import DocumentNames
from knowledge.question.thesaurus import Thesaurus
from knowledge.question.words import syllables
from knowledge.text import fold, has_diacritics, normalize
from knowledge.unit_names import key_variants, shortened_mentions
from knowledge.vocab import SUBJECT_FAMILIES

_MY_UNIT_RE = re.compile(
    r"\b(don vi|chi bo|dang bo|dang uy|co quan|phuong|xa)\s+(toi|minh|chung toi|cua toi|cua minh|em|chung em)\b"
)
# Yes/no tails carry no topic ("…, đúng hay sai?", "… có phải không?"): dropped for retrieval.
_TAIL_RE = re.compile(
    r"[\s,;:.-]*(?:(?:là\s+)?(?:đúng|sai)\s+(?:hay|hoặc)\s+(?:sai|đúng)|(?:có\s+)?(?:đúng|phải)\s+không)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# "Phòng CNTT văn phòng tỉnh ủy hỏi: …", "Một đồng chí hỏi: …": who asks is not part of the question
_ASKER = re.compile(r"^[^:?\n]{0,80}?\bhỏi\s*:\s*", re.IGNORECASE)
# Cadres' shorthand written with a slash, read as the words it stands for.
_SHORTHAND = ((re.compile(r"(?<!\w)[đĐdD]\s?/\s?[cC](?!\w)"), "đồng chí"),)
_YES_NO = re.compile(
    r"\b(?:co|duoc|phai|con|da|bi|nen|can)\b[^?.!]{0,120}\b(?:khong|chua)\s*(?:a|ha|nhi|vay|nhe)?\s*[?.!]*\s*$"
    r"|\b(?:hay khong|duoc khong|phai khong|dung khong|co khong|khong a)\b"
)
_PROCEDURE = re.compile(
    r"\b(?:thu tuc|quy trinh|trinh tu|cac buoc|buoc nao|lam the nao|lam nhu the nao|lam gi|lam sao|xu ly (?:the nao|ra sao|sao))\b"
)
_CONDITION = re.compile(r"\b(?:dieu kien|tieu chuan|yeu cau gi|can gi|phai co gi|phai dat)\b")
_CASE = re.compile(r"\b(?:truong hop nao|nhung truong hop|khi nao thi)\b")
# a number with what it counts, as a question states a case ("7 đảng viên chính thức", "63 tuổi")
_STATED = re.compile(
    r"(?<![\w/.,-])(\d{1,4}(?:[.,]\d+)?)\s*(%|đảng viên|ĐV|đ/c|đồng chí|người|tuổi|năm|tháng|ngày|tuần|lần|chi bộ|thành viên|cán bộ)(?!\w)",
    re.IGNORECASE,
)
YEAR = re.compile(r"(?:\b[Nn]ăm\s+)?(?<![\w/.-])(?:19|20)\d{2}(?![\w/.-])")
# A question about what happened or was found at a unit (or in a year) needs that unit (that
# year) in the answer; a question about a rule does not ("Đảng viên phường X chuyển sinh hoạt
# đảng cần hồ sơ gì?" is answered by the rule for every ward).
_FINDING_CUES = re.compile(
    r"\b(?:ket qua|kiem tra|giam sat|han che|khuyet diem|uu diem|ton tai|vi pham|ky luat|khac phuc|kien nghi"
    r"|xep loai|thanh tich|danh gia)\b"
)
# "thì", "nếu", "trường hợp", "khi": a case or condition. Folded, "thi" is also "Thị ủy", "thị xã"
# and the middle name "Thị": a question typed with its marks is read with them.
_CONDITIONAL = re.compile(r"\b(?:thi(?! (?:uy|xa|tran)\b)|neu|truong hop|khi(?! nao))\b")
_CONDITIONAL_MARKED = re.compile(r"\b(?:thì|nếu|trường hợp|khi(?! nào))\b")


def is_conditional(text: str) -> bool:
    """Whether a question states a case or a condition ("… thì …", "nếu …", "trường hợp …")."""
    if has_diacritics(text):
        return bool(_CONDITIONAL_MARKED.search(normalize(text).lower()))
    return bool(_CONDITIONAL.search(fold(text)))


# a programme's own content: its targets, tasks, chair, reporting ("Chương trình 07 có những chỉ tiêu nào?")
_PROGRAMME_PARTS = re.compile(
    r"\b(?:chi tieu|muc tieu|nhiem vu|giai phap|chu nhiem|ban chi dao|to chuc thuc hien|bao cao|giao|phan cong)\b"
)

FORMS = ("choice", "yesno", "scenario", "procedure", "condition", "case", "list", "duration", "date", "number",
         "percent", "money", "person", "who", "units", "method", "fact")


@dataclass(frozen=True)
class Stated:
    """A number the question states with what it counts ("7 đảng viên", "63 tuổi")."""

    value: float
    unit: str  # folded: "dang vien", "tuoi", "thang"…


@dataclass(frozen=True)
class QuestionFrame:
    """A question read once (see the module docstring)."""

    original: str
    text: str  # as answered: normalised, question sentences of a long message, unit resolved, follow-up rewritten
    focus: Focus  # word-level terms, sub-questions and the kind of answer each asks for
    form: str = "fact"  # one of FORMS: the shape of the answer wanted
    asked: str = ""  # the sentences that ask (a scenario's narrative left out)
    asked_focus: Focus | None = None  # their terms
    subject: str | None = None  # the body or member asked about ("chi bộ", "đảng viên dự bị")
    expansions: tuple[str, ...] = ()  # abbreviations' expansions and the documents' terms for cadres' words
    codes: tuple[CodeRef, ...] = ()
    units: tuple[str, ...] = ()  # known units named in the question (canonical spelling)
    unknown_units: tuple[str, ...] = ()  # unit-like names the knowledge base does not know
    years: tuple[str, ...] = ()
    accented: bool = True
    rewritten: bool = False
    followup: bool = False  # continues the previous turn
    incidental: tuple[str, ...] = ()  # units and years a rule question names only in passing (left out)
    documents: tuple[str, ...] = ()  # stored documents named by title or issuer ("Theo Điều lệ Đảng")
    reference: str = ""  # the words that name them
    claim: bool = False  # a statement to confirm ("…, đúng hay sai?"), its tail dropped from ``text``
    options: tuple[Option, ...] = ()  # a quiz question's options
    stated: tuple[Stated, ...] = ()
    about_findings: bool = False  # asks what was found or done at a unit (results, shortcomings, discipline)
    intent: str = "rule"  # "findings": about inspections, remedies, discipline or a programme; "rule": what the rules say

    @property
    def topic_text(self) -> str:
        """The question without the words that name a document (they say where to look, not what)."""
        if not self.reference:
            return self.text
        return " ".join(self.text.replace(self.reference, " ", 1).split())

    @property
    def search_text(self) -> str:
        """What retrieval searches for: once the search is held to the documents the question
        names, the words naming them are in every passage there and only blur the ranking."""
        text = self.text
        if self.documents and self.reference and re.search(r"\w{2,}", self.topic_text):
            text = self.topic_text
        # a quiz's options hold the words of its answer (and of the wrong ones, which rank lower)
        return " ".join((text, *(o.text for o in self.options), *self.expansions))


@dataclass(frozen=True)
class Reader:
    """What reading a question needs from the knowledge base: vocabularies and what is stored."""

    glossary: Glossary
    thesaurus: Thesaurus
    known_units: Sequence[str] = ()
    documents: DocumentNames | None = None
    codes: Sequence[str] = ()  # every document code the knowledge base holds or cites


def _unit_name(unit: str) -> str:
    words = fold(unit).split()
    return " ".join(words[1:]) if len(words) > 2 else " ".join(words)


def detect_units(question: str, known_units: Iterable[str]) -> list[str]:
    """Known units named in the question, accent-insensitively ("cu khoi" → "phường Cự Khối")."""
    folded = " " + " ".join(re.findall(r"\w+", fold(question))) + " "
    found = []
    for unit in known_units:
        full, name = " ".join(re.findall(r"\w+", fold(unit))), _unit_name(unit)
        if f" {full} " in folded or (len(name.split()) >= 2 and f" {name} " in folded):
            found.append(unit)
    shortened = not found
    if shortened:
        # names cut short or run on by a document ("Bệnh viện Đa", "… Hòa Phú lãnh đạo Ban") are
        # no unit of their own to fit a shortened name to
        names = [fold(u) for u in known_units]
        whole = [
            u for u, f in zip(known_units, names, strict=True)
            if not any(g != f and (g.startswith(f + " ") or f.startswith(g + " ")) for g in names)
        ]
        found = list(dict.fromkeys(m.unit for m in shortened_mentions(question, {u: key_variants(u) for u in whole})))
    # prefer the longest names when one contains another
    found = [u for u in found if not any(u != v and fold(u) in fold(v) for v in found)]
    return found if not shortened or len(found) == 1 else []


def resolve_my_unit(question: str, unit: str | None) -> str:
    """Replace "đơn vị tôi" / "chi bộ mình" with the user's unit when one is set."""
    if not unit:
        return question
    folded = fold(question)
    m = _MY_UNIT_RE.search(folded)
    if not m:
        return question
    # map the folded match back onto the original string (folding keeps character offsets)
    start, end = m.span()
    if len(folded) == len(question):
        return question[:start] + unit + question[end:]
    return f"{question} ({unit})"


def asks_about_findings(text: str) -> bool:
    """True when the question asks what was found or done (results, shortcomings, discipline)."""
    folded = fold(text)
    return bool(_FINDING_CUES.search(folded)) and not is_conditional(text)


def _strip_incidental(text: str, units: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """The question without named units and years it only mentions in passing (rule questions)."""
    removed: list[str] = []
    for unit in units:
        pattern = re.compile(re.escape(unit), re.IGNORECASE)
        if pattern.search(text):
            text = pattern.sub(" ", text, count=1)
            removed.append(unit)
    for m in list(YEAR.finditer(text)):
        removed.append(m.group(0))
    text = YEAR.sub(" ", text)
    return " ".join(text.split()), tuple(removed)


def subject_of(text: str) -> str | None:
    """The body or member the question is about: the first subject phrase it names."""
    folded = " " + " ".join(fold(s) for s in syllables(text)) + " "
    best: tuple[int, str] | None = None
    for family in SUBJECT_FAMILIES:
        for phrase in family:
            at = folded.find(f" {fold(phrase)} ")
            if at >= 0 and (best is None or at < best[0]):
                best = (at, phrase)
                break  # the longest phrase of the family found first
    return best[1] if best else None


def form_of(asked: str, focus: Focus, *, options: bool, narrative: bool) -> str:
    """The shape of the answer the question wants (one of FORMS)."""
    folded = fold(asked).strip()
    if options:
        return "choice"
    if narrative:
        return "scenario"
    if _YES_NO.search(folded.rstrip(" ?.!")) and not re.search(r"\b(?:gi|nao|ai|bao nhieu|bao lau|the nao|ra sao)\b", folded):
        return "yesno"
    kinds = focus.answer_types
    if kinds and kinds[0] in FORMS:
        return kinds[0]
    if _PROCEDURE.search(folded):
        return "procedure"
    if _CONDITION.search(folded):
        return "condition"
    if _CASE.search(folded):
        return "case"
    return "list" if focus.wants_list else "fact"


def stated_numbers(text: str) -> tuple[Stated, ...]:
    """The numbers a question states with what they count."""
    out = []
    for m in _STATED.finditer(text):
        value = float(m.group(1).replace(",", "."))
        unit = fold(m.group(2))
        out.append(Stated(value, _STATED_UNITS.get(unit, unit)))
    return tuple(out)


# what a stated number counts, one key for the ways of writing it
_STATED_UNITS = {"dv": "dang vien", "d/c": "dang vien", "dong chi": "dang vien", "thanh vien": "nguoi", "can bo": "nguoi"}


# "Điều lệ Đảng quy định …", "Hướng dẫn 06 nêu …": the verb after a document's name says where the
# answer is written, like the name itself, not what it is about
_REPORTING_VERB = re.compile(r"\s+(?:có\s+)?(?:quy định|quy dinh|nói|noi|nêu|neu|ghi|viết|viet)(?!\w)", re.IGNORECASE)


def _said_by(rest: str) -> int:
    """The length of the reporting verb that opens ``rest`` (0 when there is none)."""
    m = _REPORTING_VERB.match(rest)
    return m.end() if m else 0


def read_question(
    question: str,
    reader: Reader,
    *,
    history: Sequence[Turn] = (),
    my_unit: str | None = None,
) -> QuestionFrame:
    """Read a question into its frame (see ``QuestionFrame``)."""
    text = normalize(question).strip()
    for pattern, words in _SHORTHAND:
        text = pattern.sub(words, text)
    stem, options = split_options(text)
    text = question_part(_ASKER.sub("", stem, count=1) or stem)
    text = resolve_my_unit(text, my_unit)
    rewritten = followup = False
    if history and is_followup(text, history[-1].question):
        previous = history[-1]
        old_units = detect_units(previous.question, reader.known_units) or list(previous.units)
        text = continue_from(text, previous, detect_units(text, reader.known_units), old_units)
        rewritten = followup = True
    untailed = _TAIL_RE.sub("", text) or text
    claim = untailed != text
    text = untailed
    units = detect_units(text, reader.known_units)
    unknown: list[str] = []
    for u in find_units(text, strict=False):
        if not any(fold(u) == fold(k) or fold(k) in fold(u) or fold(u) in fold(k) for k in reader.known_units):
            unknown.append(u)
    years = tuple(re.sub(r"\D", "", m.group(0)) for m in YEAR.finditer(text))
    about_findings = asks_about_findings(text)
    incidental: tuple[str, ...] = ()
    if not about_findings:
        text, incidental = _strip_incidental(text, unknown)
        unknown = []
    named = reader.documents.find(text) if reader.documents is not None else None
    reference = text[named.start : named.stop + _said_by(text[named.stop :])] if named else ""
    topic = " ".join(text.replace(reference, " ", 1).split()) if reference else text
    accented = has_diacritics(text)
    pairs = reader.glossary.matches(text)
    topic = resolve_named_codes(topic, reader.codes)
    focus = analyze_focus(topic, expansions=pairs, accented=accented, thesaurus=reader.thesaurus)
    if claim:
        focus = replace(focus, claim=True)
    asking, narrative = question_sentences(text)
    asked = " ".join(asking) or text
    syls = syllables(text)
    synonyms = reader.thesaurus.find(syls if accented else [fold(s) for s in syls], accented=accented)
    said = fold(text)
    expansions = [*reader.glossary.expand(text), *(a for s in synonyms for a in s.alternatives if fold(a) not in said)]
    asked_focus = analyze_focus(asked, accented=accented, thesaurus=reader.thesaurus)
    form = form_of(asked, asked_focus, options=bool(options), narrative=bool(narrative))
    return QuestionFrame(
        original=question,
        text=text,
        focus=focus,
        form=form,
        asked=asked,
        asked_focus=asked_focus,
        subject=subject_of(asked) or subject_of(text),
        expansions=tuple(dict.fromkeys(expansions)),
        codes=tuple(detect_codes(text)),
        units=tuple(units),
        unknown_units=tuple(unknown),
        years=years,
        accented=accented,
        rewritten=rewritten,
        followup=followup,
        incidental=incidental,
        documents=named.doc_ids if named else (),
        reference=reference,
        claim=claim,
        options=options,
        stated=stated_numbers(text),
        about_findings=about_findings,
        intent=intent_of(text, about_findings, units, form),
    )


# "những đơn vị nào chưa …", "đơn vị nào đã hoàn thành …": which units did or did not do something
_WHICH_UNITS = re.compile(
    r"\b(?:nhung|cac) (?:don vi|dang bo|dang uy|chi bo|phuong|xa|co quan|to chuc)\b|\b(?:don vi|dang bo|dang uy|chi bo|phuong|xa) nao\b"
)
_DONE_OR_NOT = re.compile(r"\b(?:chua|da hoan thanh|hoan thanh|dung thoi han|cham|khac phuc|chuong trinh|ctr)\b")


def intent_of(text: str, about_findings: bool, units: Sequence[str], form: str) -> str:
    """"findings" for a question about what inspections found or asked of units, about discipline
    decided, or about a programme's content; "rule" for what the rules say. A unit named in a
    case told to ask about a rule ("Ông Phúc ở phường Cầu Giấy đủ 50 năm tuổi đảng…") does not
    make it a findings question, nor does a quiz's wording ("… quyết định những hình thức kỷ luật
    nào?" with options A–D asks what the rules say), nor a procedure's own words ("chi bộ họp đề
    nghị kết nạp xong thì…": a proposal, not an inspection's request)."""
    if form in ("choice", "scenario"):
        return "rule"
    folded = fold(text)
    if about_findings or (intent.PROGRAMME.search(folded) and _PROGRAMME_PARTS.search(folded)):
        return "findings"
    if _WHICH_UNITS.search(folded) and _DONE_OR_NOT.search(folded):
        return "findings"
    if units and form != "yesno":
        return "findings"
    ask = intent.read(text)
    asks = ask.kinds or ask.deadline or ask.who or ask.discipline or ask.inspected
    if asks and ask.remedy_context and not is_conditional(text):
        return "findings"
    if ask.discipline and form != "yesno" and names_a_person(text) and not is_conditional(text):
        return "findings"  # "đ/c Lương Văn Hậu đã bị kỷ luật …": a decision about a member, not a rule
    return "rule"
