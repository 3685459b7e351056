"""Answers from the findings and programme records, quoted and cited, or None for the general engine.

Every line of an answer is a finding's own text with a numbered citation to the passage that
holds it. A unit the documents never inspected, a deadline they do not give, a person or a
programme they do not contain gets a plain statement of that (a declined answer), never the
nearest neighbour's finding. Questions that are not about findings, programmes or discipline
return None.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from knowledge.access import Viewer
from knowledge.answer.render import format_date
from knowledge.findings.citing import MAX_LINES, STRONG, Cites, declined, label
from knowledge.findings.cues import polarity
from knowledge.findings.models import LiveFinding, ProgrammeItem
from knowledge.findings.programme_answers import ProgrammeAnswers
from knowledge.findings.structure import BODY_RE, PERSON_RE, is_directing, party_units
from knowledge.models import KIND_LABELS, Answer, DocumentMeta, Kind, Turn
from knowledge.question import intent
from knowledge.question.codes import detect_codes
from knowledge.question.dialogue import is_followup
from knowledge.question.focus import answer_type, count_not_given, has_evidence, split_parts
from knowledge.question.frame import resolve_my_unit
from knowledge.question.intent import QUESTION_PHRASES, QUESTION_WORDS, TOPIC_STOPWORDS, Ask
from knowledge.search.lexical import folded_tokens
from knowledge.text import CODE_RE, fold, normalize
from knowledge.unit_names import expand_abbreviations, unit_key, unit_like_phrases

_PROGRAMME_REF = re.compile(r"\b(?:chuong trinh|ctr)(?:\s+so)?\s+\d{1,4}\b")
# "qua kiểm tra", "kết quả giám sát", "bị giám sát": how the finding was made, not what it is about
_HOW_FOUND = re.compile(r"\b(?:ket qua|qua|duoc|bi|doan|dot|cuoc|sau|trong) (?:kiem tra|giam sat)(?: chuyen de)?\b")
# the team that inspected, with its number ("Đoàn kiểm tra số 2"): who found it, not what
_TEAM = re.compile(
    r"(?<!\w)(?:[Đđ]oàn|[Dd]oan|[Tt]ổ|[Tt]o)\s+(?:kiểm tra|kiem tra|giám sát|giam sat)"
    r"(?:\s+(?:chuyên đề|chuyen de))?\s+(?:số|so)\s+\d+(?!\w)"
)
_SYLLABLE = re.compile(r"[a-z0-9]+")
# Title words that name no particular document ("kiểm tra việc thực hiện chương trình")
_GENERIC_TITLE = frozenset(
    "kiem tra giam sat chuong trinh thuc hien viec nam ve cua va doi voi tai theo so cac trong ket qua".split()
)
# A question points to its source by the kind of document ("theo kết luận", "báo cáo sơ kết", "đoàn kiểm tra")
_DOC_TYPE_PAIRS = frozenset(
    tuple(p.split())
    for p in (
        "ket luan", "thong bao", "bao cao", "so ket", "tong ket", "ke hoach", "quyet dinh", "doan kiem", "doan giam",
        "tin bai", "bien ban", "nghi quyet", "chi thi", "huong dan",
    )
)
# the inspected units as a group: "04 đảng ủy cơ sở", "các đơn vị được kiểm tra", "3 đơn vị"
_GROUP = re.compile(
    r"\b(\d{1,3}|cac|nhung) (?:dang uy|dang bo|don vi|chi bo|to chuc co so dang|to chuc dang|co so)"
    r"(?: co so)?(?: (?:duoc|bi) (?:kiem tra|giam sat))?\b"
)
_SOURCE_ORDER = {"report": 2, "remedy_plan": 3}  # inspections, supervisions, news, discipline: 1
# Levels of one kind of institution or place: a name with one is never the unit with another.
_LEVELS = (
    ("tieu hoc", "trung hoc co so", "trung hoc pho thong", "mam non", "pho thong dan toc noi tru",
     "pho thong dan toc ban tru"),
    ("xa", "phuong", "thi tran"),
)


def _other_level(key: str, known: str) -> bool:
    """Whether two unit keys name different levels of one kind ("truong trung hoc pho thong tan lac"
    and "truong trung hoc co so tan lac") and agree on the rest of the name."""
    for family in _LEVELS:
        a = next((lv for lv in family if f" {lv} " in f" {key} "), None)
        b = next((lv for lv in family if f" {lv} " in f" {known} "), None)
        if a and b and a != b:
            rest_a = f" {key} ".replace(f" {a} ", " ").split()
            rest_b = f" {known} ".replace(f" {b} ", " ").split()
            return rest_a == rest_b
    return False


_LEVEL_HEAD = re.compile(r"^(?:xa|phuong|thi tran|thi xa|quan|huyen|tinh|thon) ")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


_SOURCE_CUES = frozenset("theo trong tai qua cua duoc bi o tu".split())


def _names_a_source(text: str) -> bool:
    """Whether a question points to a document by its kind as its source ("theo kết luận giám sát",
    "được đoàn kiểm tra số 3 đánh giá"), not as a thing asked about ("nộp kế hoạch khắc phục")."""
    toks = _SYLLABLE.findall(fold(text))
    return any(
        (a, b) in _DOC_TYPE_PAIRS and _SOURCE_CUES & set(toks[max(0, i - 2) : i])
        for i, (a, b) in enumerate(zip(toks, toks[1:]))
    )


def _pairs(text: str) -> set[tuple[str, str]]:
    """Adjacent folded syllable pairs of a text (what a question shares with a document's title)."""
    toks = _SYLLABLE.findall(fold(text))
    return set(zip(toks, toks[1:]))


_QUANTITY = re.compile(r"\b(bao nhieu|may|ty le|muc nao|so luong)\b")
_YES_NO_INSPECTED = re.compile(r"\b(co |da )?(duoc|bi|thuoc dien( duoc)?) (kiem tra|giam sat)\b.*\b(khong|chua)\b")


class FindingsAnswerer(ProgrammeAnswers):
    """One question against the live records one viewer may read."""

    def __init__(self, view: object, viewer: Viewer | None, today: date | None = None) -> None:
        self.view = view
        self.today = (today or date.today()).isoformat()  # a remedy due before it is flagged overdue
        self.registry = view.registry  # type: ignore[attr-defined]
        self.findings: list[LiveFinding] = view.visible(viewer)  # type: ignore[attr-defined]
        self.items: list[tuple[DocumentMeta, ProgrammeItem]] = view.visible_items(viewer)  # type: ignore[attr-defined]
        self.docs = view.visible_docs(viewer)  # type: ignore[attr-defined]
        self.cites = Cites(view.chunks)  # type: ignore[attr-defined]
        texts = [f.finding.text for f in self.findings] + [i.text or i.title for _, i in self.items]
        df: dict[str, int] = {}
        for t in texts:
            for tok in set(folded_tokens(t)):
                df[tok] = df.get(tok, 0) + 1
        n = max(len(texts), 1)
        self._idf = {tok: math.log(1 + n / c) for tok, c in df.items()}
        self._max_idf = math.log(1 + n)

    # ---- entry ---------------------------------------------------------------------------------
    def answer(self, question: str, history: Sequence[Turn], unit: str | None) -> Answer | None:
        text = normalize(question).strip()
        if not text:
            return None
        rewritten = None
        mine = resolve_my_unit(text, unit or "__none__") != text
        stated = self.registry.named_in(text, is_directing) if mine else []
        if mine and stated:
            mine = False  # "Đơn vị tôi là Đảng ủy xã X, …": the question names the unit itself
        if mine and not unit:
            ask = intent.read(text)
            if ask.findings_words or ask.kinds:
                return declined(
                    "Chưa biết đơn vị của bạn nên chưa tra được kết quả kiểm tra của đơn vị; hãy chọn đơn vị trước."
                )
            return None
        if mine:
            text = resolve_my_unit(text, unit)
        if history and is_followup(text, history[-1].question):
            rewritten = self._followup(text, history)
            text = rewritten or text
        ask = intent.read(text)
        named = list(dict.fromkeys(m.unit for m in self.registry.named_in(text, is_directing)))
        other = self._other_unit(text, named)
        if other and (ask.kinds or ask.findings_words or ask.result):
            return self._decline(f"Không tìm thấy kết quả kiểm tra, giám sát tại {other} trong các tài liệu hiện có.")
        # a directing body named in passing ("qua giám sát của UBKT Quận ủy") is not what the question is about
        # ("… chưa gửi báo cáo về UBKT Huyện ủy": a question asking which units names the body they
        # answer to, not the unit it is about)
        units = [u for u in named if not is_directing(u)] or (
            named if ask.kinds and not ask.discipline and not ask.which else []
        )
        routes = (
            self._discipline, self._programme, self._inspected, self._unit, self._unknown_unit, self._which,
            self._together, self._target_not_result, self._search,
        )
        for route in routes:
            found = route(ask, text, units)
            if found is not None:
                found = _figure_not_given(text, found)
                if rewritten:
                    found = Answer(
                        text=found.text, grounded=found.grounded, citations=found.citations, declined=found.declined,
                        rewritten_question=rewritten, mode=found.mode,
                    )
                return found
        return None

    def _other_unit(self, text: str, named: Sequence[str]) -> str | None:
        """A party organisation the question names in full that is none of the known units it
        resembles ("Chi bộ HTX Nông nghiệp Đồng Lạc" is not "Đảng ủy xã Đồng Lạc")."""
        if not named:
            return None
        known = set()
        for n in named:
            unit = self.registry.get(n)
            keys = {unit_key(x) for x in (n, *(unit.aliases if unit else ()))}
            known |= keys | {_LEVEL_HEAD.sub("", k) for k in keys}  # "xa dong lac" is named "dong lac" too
        for _, _, phrase in party_units(expand_abbreviations(text)):
            key = unit_key(phrase)
            # the known name is the tail of a longer one: another body of that place
            if key not in known and any(key.endswith(" " + k) for k in known):
                return phrase
            # the same place, another level: "Trường THPT Tân Lạc" is not "Trường THCS Tân Lạc"
            if key not in known and any(_other_level(key, k) for k in known):
                return phrase
        return None

    def _followup(self, text: str, history: Sequence[Turn]) -> str | None:
        """A follow-up rewritten with the previous question: its unit swapped, or its question kept."""
        previous = history[-1].question
        new_units = self.registry.mentions(text)
        old = self.registry.mentions(previous)
        if new_units and old:
            return self.registry.swap(previous, new_units[0].unit)
        if not new_units and (old or history[-1].units):
            core = re.sub(r"^(còn|vậy|thế|và|thì)\s+", "", text, flags=re.IGNORECASE)
            core = re.sub(r"\s*(thì sao|thế nào|ra sao)\s*\??$", "", core, flags=re.IGNORECASE)
            unit = old[0].unit if old else history[-1].units[0]
            return f"{core.rstrip(' ?')} của {unit}?" if core.strip(" ?") else previous
        return None

    # ---- scoring -------------------------------------------------------------------------------
    def _topic(self, text: str, units: Sequence[str]) -> list[str]:
        """The question's content terms: no unit names, directing bodies, programme codes or question words."""
        expanded = self.registry.without_units(text)
        expanded = _TEAM.sub(" ", expanded)
        expanded = BODY_RE.sub(" ", expanded)
        expanded = CODE_RE.sub(" ", expanded)
        folded = _HOW_FOUND.sub(" ", _PROGRAMME_REF.sub(" ", fold(expanded)))
        folded = QUESTION_PHRASES.sub(" ", folded)
        out = []
        for tok in folded_tokens(folded):
            parts = tok.split("_")
            if all(p in TOPIC_STOPWORDS or p in QUESTION_WORDS for p in parts):
                continue
            if tok not in self._idf and "_" in tok:
                continue
            out.append(tok)
        return list(dict.fromkeys(out))

    def _score(self, terms: Sequence[str], text: str) -> float:
        if not terms:
            return 0.0
        have = set(folded_tokens(text))
        total = sum(self._idf.get(t, self._max_idf) for t in terms)
        got = sum(self._idf.get(t, self._max_idf) for t in terms if t in have)
        return got / total if total else 0.0

    def _rank(self, terms: Sequence[str], pool: Sequence[LiveFinding]) -> list[tuple[float, LiveFinding]]:
        scored = sorted(((self._score(terms, f.finding.text), f) for f in pool), key=lambda s: -s[0])
        if not scored or scored[0][0] < STRONG:
            return []
        top = scored[0][0]
        return [(s, f) for s, f in scored if s >= max(0.5 * top, STRONG * 0.75)]

    def _source_docs(self, text: str, doc_ids: Sequence[str]) -> tuple[set[str], set[str]]:
        """The documents among ``doc_ids`` a question points to as its source ("theo kết luận giám sát",
        "được đoàn kiểm tra số 3 đánh giá"): the kind of document after a source word, then two pairs of
        syllables of the title at least; with the title's syllables. (All of them, nothing) otherwise."""
        topic = self.registry.without_units(text)
        if not _names_a_source(topic):
            return set(doc_ids), set()
        asked = _pairs(topic)
        best: set[str] = set()
        top = 1
        words: dict[str, set[str]] = {}
        titles: dict[str, set[tuple[str, str]]] = {}
        for d in self.docs:
            if d.meta.doc_id in doc_ids:
                title = fold(f"{d.meta.title or ''} {d.meta.code or ''}")
                words[d.meta.doc_id] = set(_SYLLABLE.findall(title))
                titles[d.meta.doc_id] = _pairs(title)
        common = set.intersection(*titles.values()) if len(titles) > 1 else set()
        for doc_id, pairs in titles.items():
            # what every candidate's title says tells none apart, nor do pairs of common words
            score = len({p for p in (asked & pairs) - common if not set(p) <= _GENERIC_TITLE})
            if score > top:
                best, top = {doc_id}, score
            elif score == top and top > 1:
                best.add(doc_id)
        if not best:
            return set(doc_ids), set()
        return best, set().union(*(words[b] for b in best))

    # ---- composing -----------------------------------------------------------------------------
    def _line(self, f: LiveFinding, *, with_unit: bool = False, units: Sequence[str] = ()) -> str:
        x = f.finding
        head = ""
        if with_unit:
            names = list(units) or [f.unit or "Các đơn vị được kiểm tra (chung)"]
            head = f"{', '.join(names)}: "
        extra = ""
        if x.kind == "yeu_cau":
            extra = f" — thời hạn: {x.deadline}" if x.deadline else " — tài liệu không nêu thời hạn"
            if x.due and x.due < self.today:
                extra += " (đã quá hạn; tài liệu không ghi nhận đã hoàn thành)"
            if x.responsible:
                extra += f"; người chịu trách nhiệm: {x.responsible}"
        if x.kind == "ky_luat" and x.form:
            who = f"đồng chí {x.person}" if x.person else (f.unit or "")
            proposed = re.search(r"\bđề nghị\b[^.;]*\bkỷ luật", x.text, re.IGNORECASE)  # not yet decided
            by = f" (đề nghị {x.responsible} quyết định)" if proposed else f" ({x.responsible} quyết định)"
            extra = f" — {who}: hình thức {x.form}" + (by if x.responsible else "")
        return f"• {head}{x.text}{extra}{self.cites.cite(f.doc_id, x.position, x.text)}"

    def _compose(self, header: str, groups: Sequence[tuple[str, Sequence[LiveFinding]]]) -> Answer:
        lines = [header] if header else []
        count = 0
        for title, members in groups:
            if not members:
                continue
            if title:
                lines.append(f"{title}:")
            for f in members:
                if count >= MAX_LINES:
                    break
                lines.append(self._line(f))
                count += 1
        return Answer(text="\n".join(lines), grounded=True, citations=self.cites.citations(), mode="findings")

    def _decline(self, text: str) -> Answer:
        """A plain "not in the documents", with the findings documents the viewer may read as suggestions."""
        docs = sorted(self.docs, key=lambda d: d.meta.issue_date or "", reverse=True)
        labels = tuple(dict.fromkeys(label(d.meta) for d in docs if d.extraction.doc_kind != "none"))[:3]
        return declined(text, suggestions=labels)

    # ---- routes --------------------------------------------------------------------------------
    def _discipline(self, ask: Ask, text: str, units: list[str]) -> Answer | None:
        if not ask.discipline:
            return None
        decisions = [f for f in self.findings if f.finding.kind == "ky_luat"]
        persons = {f.finding.person for f in self.findings if f.finding.person}
        named = [p for p in persons if fold(p) in ask.folded]
        asked_person = PERSON_RE.search(text)
        if not named and asked_person:
            named = _by_given_name(asked_person.group("name"), persons)
        if named:
            chosen = [f for f in decisions if f.finding.person in named]
        elif asked_person:
            chosen = []  # a member the documents never name: not "everyone who was disciplined"
        elif units:
            chosen = [f for f in decisions if f.unit in units]
            if _INDIVIDUAL.search(ask.folded) and chosen and not any(f.finding.person for f in chosen):
                # a member of the unit asked about, only the unit itself disciplined
                found = self._compose("", [("Kỷ luật", chosen)])
                return replace(found, text=f"{_NO_MEMBER_DISCIPLINE}\n{found.text}", closest=True)
        elif ask.persons and not ask.orgs:
            chosen = [f for f in decisions if f.finding.person]
        elif ask.orgs and not ask.persons:
            chosen = [f for f in decisions if not f.finding.person]
        elif re.search(r"\b(ai|nao|nhung|da ky luat|bi ky luat|ky hop)\b", ask.folded):
            chosen = decisions
        else:
            chosen = []
        if not chosen:
            person = PERSON_RE.search(text)
            if person:
                who = person.group("name")
                return self._decline(
                    f"Không tìm thấy quyết định kỷ luật nào đối với đồng chí {who} trong các tài liệu hiện có."
                )
            if units:
                return self._decline(
                    f"Không tìm thấy việc kỷ luật {units[0]} hay đảng viên của đơn vị này trong các tài liệu hiện có."
                )
            return None
        reasons: list[LiveFinding] = []
        for d in chosen:
            # a violation naming nobody belongs to a member's decision only when the document disciplines
            # members alone (a committee's own violation is not the member's)
            members_only = all(
                g.finding.person for g in self.findings if g.doc_id == d.doc_id and g.finding.kind == "ky_luat"
            )
            for f in self.findings:
                same_doc = f.doc_id == d.doc_id and f.finding.kind == "han_che" and f.unit == d.unit
                mine = f.finding.person == d.finding.person or (f.finding.person is None and members_only)
                if same_doc and mine and f not in reasons:
                    reasons.append(f)
        shown: list[LiveFinding] = []  # one line per decision (a decision may be recorded for two units)
        for f in chosen:
            if not any(" ".join(g.finding.text.split()) == " ".join(f.finding.text.split()) for g in shown):
                shown.append(f)
        groups: list[tuple[str, Sequence[LiveFinding]]] = [("Kỷ luật", shown)]
        if reasons and (named or units or re.search(r"\b(vi sao|tai sao|ly do|vi pham gi|vi pham)\b", ask.folded)):
            groups.append(("Vi phạm", reasons))
        found = self._compose("", groups)
        # a decision document's own number and date are the decision's ("Quyết định số 128-QĐ/…")
        decisions_of = list(dict.fromkeys(
            f"Quyết định số {f.meta.code} ngày {format_date(f.meta.issue_date)}" for f in chosen
            if f.doc_kind == "discipline" and f.meta.code and "QĐ" in f.meta.code.upper() and f.meta.issue_date
            and not _PROPOSED.search(f.finding.text)
        ))
        missing = _decision_facts_missing(ask.folded, [f.finding.text for f in chosen] + decisions_of)
        if missing:  # "theo quyết định số mấy, ngày nào?" of a member only proposed for discipline
            return replace(found, text=f"Tài liệu không nêu {missing} được hỏi; các nội dung gần nhất:\n{found.text}",
                           closest=True)
        if decisions_of and (_ASKS_DECISION_NUMBER.search(ask.folded) or _ASKS_DECISION_DATE.search(ask.folded)):
            return replace(found, text="\n".join([*decisions_of, found.text]))
        return found

    def _inspected(self, ask: Ask, text: str, units: list[str]) -> Answer | None:
        if not ask.inspected or units:
            return None
        verb = "giám sát" if "giam sat" in ask.folded and "kiem tra" not in ask.folded else "kiểm tra"
        codes = detect_codes(text)
        lines = []
        for d in sorted(self.docs, key=lambda d: d.meta.issue_date or "", reverse=True):
            ex = d.extraction
            if not ex.inspected or fold(verb) not in fold(ex.intro):
                continue
            if codes and not any(ref.matches(ex.programme) for ref in codes):
                continue
            cite = self.cites.cite(d.meta.doc_id, ex.intro_position, ex.intro)
            lines.append(f"• {label(d.meta)}: {ex.intro}{cite}")
            lines.append(f"  ({len(ex.inspected)} đơn vị: {'; '.join(ex.inspected)})")
        if not lines:
            return None
        return Answer(text="\n".join(lines), grounded=True, citations=self.cites.citations(), mode="findings")

    def _unit(self, ask: Ask, text: str, units: list[str]) -> Answer | None:
        if not units:
            return None
        unit = units[0]
        own = [f for f in self.findings if f.unit == unit]
        if not ask.discipline and not ask.persons:
            # a member's own violations belong to discipline questions, not to what the unit was found to lack
            own = [f for f in own if not f.finding.person]
        inspected_in = [
            d for d in self.docs
            if any(self.registry.canonical(u, d.extraction.locality) == unit for u in d.extraction.inspected)
        ]
        asks_findings = bool(ask.kinds or ask.result or ask.findings_words)
        if not own and not inspected_in:
            if asks_findings:
                return self._decline(
                    f"Không tìm thấy kết quả kiểm tra, giám sát tại {unit} trong các tài liệu hiện có."
                )
            return None
        when = intent.WHEN_INSPECTED.search(ask.folded)
        if (_YES_NO_INSPECTED.search(ask.folded) or when) and inspected_in and not ask.kinds:
            lines = [] if when else [f"Có. {unit} là một trong các đơn vị được kiểm tra, giám sát:"]
            for d in inspected_in:
                ex = d.extraction
                cite = self.cites.cite(d.meta.doc_id, ex.intro_position, ex.intro)
                lines.append(f"• {label(d.meta)}: {ex.intro}{cite}")
            return Answer(text="\n".join(lines), grounded=True, citations=self.cites.citations(), mode="findings")
        # a question that names its source ("theo kết luận giám sát…") is answered from that document
        sources, title_words = self._source_docs(
            text, list(dict.fromkeys([f.doc_id for f in own] + [d.meta.doc_id for d in inspected_in]))
        )
        kept = [f for f in own if f.doc_id in sources and (not ask.kinds or f.finding.kind in ask.kinds)]
        if kept or not [f for f in own if not ask.kinds or f.finding.kind in ask.kinds]:
            own = [f for f in own if f.doc_id in sources]
            inspected_in = [d for d in inspected_in if d.meta.doc_id in sources]
        else:  # the document it names says nothing of that kind about the unit: the others may
            title_words = set()
        collective_docs = {d.meta.doc_id for d in inspected_in}
        collective = [f for f in self.findings if f.finding.scope == "collective" and f.doc_id in collective_docs]
        kinds: tuple[Kind, ...] = ask.kinds
        quantity = bool(_QUANTITY.search(ask.folded))
        terms = [t for t in self._topic(text, units) if not set(t.split("_")) <= title_words]
        years = set(_YEAR.findall(text))
        if years and own and not any(
            years & set(_YEAR.findall(f"{f.finding.text} {f.meta.title or ''} {f.meta.issue_date or ''}")) for f in own
        ):
            return self._decline(f"Các tài liệu không nêu nội dung này của {unit} trong năm {', '.join(sorted(years))}.")
        pool = own if not kinds or quantity else [f for f in own if f.finding.kind in kinds]
        ranked = self._rank(terms, pool) if terms else []
        if ranked:
            chosen = [f for _, f in ranked]
        elif kinds and not quantity:
            chosen = pool
        elif ask.result:
            chosen = own
        else:
            return None
        shared: list[LiveFinding] = []
        if kinds and not [f for f in chosen if f.finding.kind in kinds]:
            shared = [f for f in collective if f.finding.kind in kinds]
            if terms and shared:
                shared = [f for _, f in self._rank(terms, shared)] or (shared if not ranked else [])
        elif ask.result and not chosen:
            shared = collective
        if not chosen and not shared:
            if asks_findings:
                wanted = ", ".join(KIND_LABELS[k].lower() for k in kinds) or "kết quả"
                return self._decline(f"Các tài liệu không nêu {wanted} riêng của {unit}.")
            return None
        if ask.deadline and "yeu_cau" in (kinds or ("yeu_cau",)):
            remedies = [f for f in chosen + shared if f.finding.kind == "yeu_cau"]
            if remedies and not any(f.finding.deadline for f in remedies):
                lines = [f"Tài liệu không nêu thời hạn cho nội dung này. Nội dung yêu cầu đối với {unit}:"]
                lines += [self._line(f) for f in remedies[:MAX_LINES]]
                return declined("\n".join(lines), citations=self.cites.citations())
        groups: list[tuple[str, Sequence[LiveFinding]]] = []
        order: tuple[Kind, ...] = ("han_che", "uu_diem", "yeu_cau", "ky_luat") if "han_che" in kinds else (
            "uu_diem", "han_che", "yeu_cau", "ky_luat")
        # what an inspection required of the unit first, then reports, the unit's own plan last
        chosen = sorted(chosen, key=lambda f: _SOURCE_ORDER.get(f.doc_kind, 1))
        for kind in order:
            members = [f for f in chosen if f.finding.kind == kind]
            groups.append((KIND_LABELS[kind] if len(chosen) > 1 else "", members))
        header = f"Kết quả kiểm tra, giám sát tại {unit}:"
        if shared:
            note = (
                f"Tài liệu không nêu riêng cho {unit}; các nội dung dưới đây được nêu chung cho các đơn vị"
                " được kiểm tra"
                f" (trong đó có {unit})"
            )
            groups.append((note, shared))
        return self._compose(header, groups)

    def _unknown_unit(self, ask: Ask, text: str, units: list[str]) -> Answer | None:
        if units or not (ask.findings_words or ask.result or ask.kinds):
            return None
        accented = fold(text) != text.lower()
        phrases = unit_like_phrases(text)
        if not accented:
            phrases = [p for p in phrases if re.match(r"(dang uy |chi bo |dang bo )?(phuong|xa|thi tran) \w+", fold(p))]
        bare = re.compile(r"(?i)(chi bộ|đảng ủy|đảng bộ|chi bo|dang uy|dang bo)$")
        phrases = [p for p in phrases if len(p.split()) >= 2 and not bare.match(p)]
        if not phrases:
            return None
        return self._decline(f"Không tìm thấy kết quả kiểm tra, giám sát tại {phrases[0]} trong các tài liệu hiện có.")

    def _which(self, ask: Ask, text: str, units: list[str]) -> Answer | None:
        """The units a finding concerns ("Những đơn vị nào chưa ban hành kế hoạch …?").

        Only when the question is about findings: it names a kind, a remedy, an inspection or a
        programme, or asks who has not yet done something. "Những đơn vị nào được tặng Huy hiệu
        Đảng?" asks about a rule, and the general engine answers it.
        """
        if units or not ask.which:
            return None
        if not (ask.kinds or ask.remedy_context or polarity(text) or re.search(r"\bchua\b", ask.folded)):
            return None
        kinds: tuple[Kind, ...] = tuple(k for k in ask.kinds if k != "ky_luat") or tuple(
            k for k in (polarity(text),) if k is not None
        )
        terms = self._topic(text, units)
        if not terms:
            return None
        pool = [f for f in self.findings if f.finding.scope != "follow_up" and (not kinds or f.finding.kind in kinds)]
        ranked = self._rank(terms, pool)
        if not ranked:
            return None
        by_text: dict[tuple[str, str], list[LiveFinding]] = {}
        for _, f in ranked:
            by_text.setdefault((f.doc_id, f.finding.text), []).append(f)
        lines = []
        for members in by_text.values():
            names = [m.unit for m in members if m.unit] or ["Một số đơn vị (tài liệu không nêu tên)"]
            lines.append(self._line(members[0], with_unit=True, units=list(dict.fromkeys(names))))
            if len(lines) >= MAX_LINES:
                break
        return Answer(text="\n".join(lines), grounded=True, citations=self.cites.citations(), mode="findings")

    def _together(self, ask: Ask, text: str, units: list[str]) -> Answer | None:
        """What an inspection found for its units together ("Qua kiểm tra 04 đảng ủy cơ sở còn những hạn
        chế gì?"): the question names the group (its number, "các đơn vị được kiểm tra") or the document."""
        # requirements are left to the general engine, which quotes the whole list with its numbering
        kinds = tuple(k for k in ask.kinds if k in ("han_che", "uu_diem"))
        if units or not kinds:
            return None
        group = _GROUP.search(ask.folded)
        codes = detect_codes(text)
        docs = [d for d in self.docs if d.extraction.inspected]
        if group and group.group(1).isdigit():
            docs = [d for d in docs if len(d.extraction.inspected) == int(group.group(1))]
        if codes:
            docs = [d for d in docs if any(ref.matches(d.extraction.programme) for ref in codes)]
        named, _ = self._source_docs(text, [d.meta.doc_id for d in docs])
        if not (group or codes) and len(named) == len(docs):
            return None  # neither the group nor a document is named: the general engine answers
        docs = [d for d in docs if d.meta.doc_id in named]
        if len(docs) != 1:
            return None
        (doc,) = docs
        mine = [f for f in self.findings if f.doc_id == doc.meta.doc_id and f.finding.kind in kinds]
        shared = [f for f in mine if f.finding.scope == "collective"]
        own = [f for f in mine if f.finding.scope == "unit"]
        if not shared and not own:
            return self._decline(f"{label(doc.meta)} không nêu {', '.join(KIND_LABELS[k].lower() for k in kinds)}.")
        ex = doc.extraction
        lines = [f"{label(doc.meta)} — {len(ex.inspected)} đơn vị được kiểm tra: {'; '.join(ex.inspected)}."]
        for kind in kinds:
            common = [f for f in shared if f.finding.kind == kind]
            each = [f for f in own if f.finding.kind == kind]
            if common or each:
                lines.append(f"{KIND_LABELS[kind]}:")
            lines += [self._line(f) for f in common[:MAX_LINES]]
            lines += [self._line(f, with_unit=True) for f in each[: max(0, MAX_LINES - len(common))]]
        return Answer(text="\n".join(lines), grounded=True, citations=self.cites.citations(), mode="findings")

    def _search(self, ask: Ask, text: str, units: list[str]) -> Answer | None:
        """A remedy's deadline or who answers for it, whatever unit it concerns ("… gửi về đâu, trước ngày nào?").

        Anything else without a unit ("yêu cầu những nội dung gì?") is left to the general engine,
        which quotes a whole list with its numbering, and so is a deadline that names no remedy,
        inspection or programme ("thời hạn xét công nhận đảng viên chính thức"): that is a rule.
        """
        if units or not (ask.deadline or ask.who) or not ask.remedy_context:
            return None
        terms = self._topic(text, units)
        if len(terms) < 2:
            return None
        pool = [f for f in self.findings if not ask.kinds or f.finding.kind in ask.kinds]
        ranked = self._rank(terms, pool)[:6]
        if not ranked:
            return None
        lines = []
        for _, f in ranked:
            lines.append(self._line(f, with_unit=True))
        return Answer(text="\n".join(lines), grounded=True, citations=self.cites.citations(), mode="findings")


# a question about a member ("đồng chí Bí thư …", "kỷ luật cá nhân"), not about the organisation
_INDIVIDUAL = re.compile(r"(?:\bca nhan\b|\bdong chi\b|\bd/c\b)")
_NO_MEMBER_DISCIPLINE = (
    "Tài liệu không nêu kỷ luật cá nhân đảng viên được hỏi; tài liệu chỉ nêu kỷ luật đối với tổ chức, "
    "các nội dung gần nhất:"
)


def _by_given_name(asked: str, persons: set[str]) -> list[str]:
    """The one member whose name ends with the name a question gives ("đ/c Toản PCT UBND xã …":
    "Toản", the abbreviations after it are posts): cadres name colleagues by their given name."""
    words = []
    for word in asked.split():
        if word.isupper() and len(word) > 1:  # "PCT", "UBND": a post, no more name
            break
        words.append(word)
    if not words:
        return []
    tail = " " + fold(" ".join(words))
    found = [p for p in persons if (" " + fold(p)).endswith(tail)]
    return found if len(found) == 1 else []


_PROPOSED = re.compile(r"^\W*(?:Đề nghị|Kiến nghị)\b|\bđề nghị (?:xem xét, )?(?:thi hành )?kỷ luật", re.IGNORECASE)
_ASKS_DECISION_NUMBER = re.compile(r"\bquyet dinh so\b|\b(?:so|so hieu) (?:may|bao nhieu|nao)\b")
_ASKS_DECISION_DATE = re.compile(r"\b(?:ngay|thoi gian|thoi diem) nao\b|\bkhi nao\b|\bbao gio\b")
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\bngay \d{1,2} thang \d{1,2}")


def _decision_facts_missing(folded_question: str, texts: Sequence[str]) -> str | None:
    """What a question asks of a discipline decision (its number, its date) that none of the
    records shown states: a member only proposed for discipline has no decision yet."""
    wanted = []
    if _ASKS_DECISION_NUMBER.search(folded_question) and not any(CODE_RE.search(t) for t in texts):
        wanted.append("số")
    if _ASKS_DECISION_DATE.search(folded_question) and not any(_DATE.search(fold(t)) for t in texts):
        wanted.append("ngày")
    return f"{' và '.join(wanted)} của quyết định kỷ luật" if wanted else None


# figures a record must state before it answers the question directly
_STRICT_FIGURES = {"money": "số tiền", "percent": "tỷ lệ"}


def _figure_not_given(question: str, found: Answer) -> Answer:
    """A question asking for an amount, a percentage or a count that no shown record states ("…
    nợ bảo hiểm xã hội tổng cộng bao nhiêu tiền?" answered by "chậm đóng 03 tháng cho 57 người
    lao động"; "bao nhiêu đảng viên được xếp loại hoàn thành xuất sắc nhiệm vụ?" answered by "21
    đảng viên phụ trách 146 hộ"): the records are shown as the closest content, under a caveat."""
    if found.declined or found.closest:
        return found
    asked = [k for k in dict.fromkeys(answer_type(p) for p in split_parts(question)) if k in _STRICT_FIGURES]
    missing = [_STRICT_FIGURES[k] for k in asked if not has_evidence(k, found.text)]
    if not asked:
        counted = count_not_given(question, found.text)
        missing = [f"số {counted}"] if counted else []
    if not missing:
        return found
    what = " và ".join(missing)
    return replace(found, text=f"Tài liệu không nêu {what} được hỏi; các nội dung gần nhất:\n{found.text}", closest=True)
