"""Per-unit findings from an inspection, supervision, discipline, remedy-plan or news document.

Layouts handled by one walk: a heading per unit with a) ưu điểm b) hạn chế c) yêu cầu; sections
by topic where units are named inside sentences ("Đảng ủy phường A và Chi bộ B chưa …"); remedy
tables (STT | Nội dung | Đơn vị | Thời hạn | Người chịu trách nhiệm); news prose naming the
inspected units, whose unnamed findings belong to all of them (``collective``); discipline.
The unit of a finding comes from its heading when there is one, else from the inspected units
the sentence names, else it is collective. Text is always quoted verbatim.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate

from knowledge.documents.units import find_units
from knowledge.findings import cues
from knowledge.findings.classify import classify, programme_code
from knowledge.findings.deadlines import (
    bare_deadline,
    deadline_line,
    due_date,
    find_deadline,
    find_responsible,
    responsible_line,
)
from knowledge.findings.models import DocKind, Extraction, Finding
from knowledge.findings.structure import (
    BODY_RE,
    PERSON_RE,
    UNIT_START_RE,
    Node,
    Title,
    is_directing,
    issuing_body,
    issuing_unit,
    kind_of_title,
    party_units,
    unit_name,
    unit_span,
    walk,
)
from knowledge.models import DocumentMeta, Kind
from knowledge.text import fold
from knowledge.unit_names import CAP, expand_abbreviations, find_mentions, key_variants, unit_key

_BACK = re.compile(r"\b(?:nêu trên|trên đây|nói trên|kể trên)\b")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[\"“(]?(?:" + CAP + r"|[0-9]))")
_SHARED_KIND = re.compile(r"(?:(?:đảng ủy|đảng bộ|chi bộ)\s+)?(?:xã|phường|thị trấn)\s*(?:gồm)?$", re.IGNORECASE)
_LIST_MARK = re.compile(
    r"(?:kiểm tra|giám sát)[^.:]{0,160}?(?::|\bgồm\b:?|\bđối với\b|\btại\b|\blàm việc với\b)\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class ChunkRef:
    """Where a chunk sits, so a finding can cite it."""

    position: int
    text: str
    section: str = ""


def _ws(text: str) -> str:
    return " ".join(text.split())


def chunk_paragraphs(chunks: Sequence[ChunkRef]) -> list[str]:
    """The paragraphs of a stored document: its chunks in order, one paragraph a line."""
    return [line for c in sorted(chunks, key=lambda c: c.position) for line in c.text.split("\n") if line.strip()]


class Locator:
    """Finds the chunk that holds a quoted text, for many quotes of one document.

    The chunks' texts are normalised once and joined (a NUL between two chunks, so no match
    spans two), and each quote is one ``str.find``: the first chunk in order that holds it, as
    a scan of every chunk would give, without normalising every chunk for every quote (that was
    quadratic: 5 s for a report of 2,000 passages).
    """

    def __init__(self, chunks: Sequence[ChunkRef]) -> None:
        self.chunks = list(chunks)
        texts = [_ws(c.text) for c in self.chunks]
        self._joined = "\x00".join(texts)
        self._starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))

    def find(self, text: str) -> ChunkRef | None:
        """The first chunk holding the quote's first 60 characters, else its first 25, else the first chunk."""
        needle = _ws(text).replace("\x00", " ")
        for size in (60, 25):
            probe = needle[:size]
            at = self._joined.find(probe) if probe else -1
            if at >= 0:
                return self.chunks[bisect_right(self._starts, at) - 1]
        return self.chunks[0] if self.chunks else None



def _split_outside_parens(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def _unit_after_preposition(item: str) -> str | None:
    """"Đoàn số 1 tại Đảng ủy phường An Lạc": the unit a list item names after "tại", "với", "ở"."""
    m = re.search(r"\b(?:tại|với|ở|đối với)\s+", item)
    return unit_span(item, m.end()) if m and UNIT_START_RE.match(item, m.end()) else None


_PERSON_ITEM = re.compile(r"^(?:các\s+)?(?:đồng chí|đ/c)\s", re.IGNORECASE)


def _without_people(items: list[str]) -> list[str]:
    """The list's units without the members inspected beside them ("…, đồng chí Lương Văn Hậu,
    Thị ủy viên, Bí thư Đảng ủy và đồng chí …"): a person and the posts after it are left out."""
    out: list[str] = []
    person = False
    for item in items:
        if _PERSON_ITEM.match(item):
            person = True
        elif UNIT_START_RE.match(item) and not is_directing(unit_span(item) or item):
            person = False
        if not person:
            out.append(item)
    return out


def _written_out(item: str) -> str:
    """An item that opens with a unit's abbreviation ("ĐU xã Thanh Sơn", "CB TTYT huyện") with its
    abbreviations written out; any other item as it is ("Ban Thường vụ Đảng ủy Công ty TNHH …")."""
    if UNIT_START_RE.match(item):
        return item
    written = expand_abbreviations(item)
    return written if UNIT_START_RE.match(written) else item


def _and_split(part: str, shared_kind: bool) -> list[str]:
    """The units of "A và B". When each unit says its kind ("Đảng ủy xã A và Chi bộ B"), a "và" not
    followed by one is inside a name ("Công ty cổ phần Nước sạch và Môi trường Tân Lạc")."""
    out: list[str] = []
    for piece in re.split(r"\s+và\s+", part):
        piece = piece.strip()
        if out and not shared_kind and not UNIT_START_RE.match(piece) and UNIT_START_RE.match(out[-1]):
            out[-1] = f"{out[-1]} và {piece}"
        else:
            out.append(piece)
    return out


def _whole_name(item: str) -> str | None:
    """The unit a list item names; a name that goes on after "và" with a capital ("… Nước sạch và
    Môi trường Tân Lạc", kept whole by ``_and_split``) is kept whole."""
    name = unit_span(item)
    if name and item.startswith(name + " và ") and item[len(name) + 4 : len(name) + 5].isupper():
        return item.rstrip(" .;")
    return name


def inspected_units(paras: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """The units an inspection names in its opening, and that sentence.

    ("… đã tiến hành kiểm tra tại 04 tổ chức cơ sở đảng: A, B, C và D.")
    """
    for para in paras:
        for sentence in _SENTENCE.split(para):
            for m in _LIST_MARK.finditer(sentence):
                tail = sentence[m.end() :].rstrip(" .")
                head = sentence[: m.end()]
                # "… tại 04 tổ chức cơ sở đảng gồm: A, B": the list starts after the last "gồm"/":"
                later = list(re.finditer(r"(?:\bgồm\b\s*:?|:)\s*", tail))
                if later and not UNIT_START_RE.match(tail):
                    head, tail = head + tail[: later[-1].end()], tail[later[-1].end() :]
                # "Đoàn số 1 tại A, B; Đoàn số 2 tại C và D": a later piece after ";" goes on with the
                # list only when it names a unit ("…; đề nghị Ban Thường vụ … thi hành …" does not)
                pieces = [
                    piece for n, piece in enumerate(_split_outside_parens(tail, ";"))
                    if n == 0 or _unit_after_preposition(piece) or unit_span(_written_out(piece.strip()))
                ]
                shared = _SHARED_KIND.search(head.rstrip(" :"))
                items = [
                    _written_out(i) for piece in pieces for part in _split_outside_parens(piece, ",")
                    for i in _and_split(_written_out(part.strip()), bool(shared))
                ]
                if shared:  # "… 03 đảng ủy xã: Tân Hòa, Phú Lâm và Sơn Thủy": the kind is said once for all
                    kind = shared.group(0).strip()
                    kind = kind[:1].upper() + kind[1:]
                    items = [i if UNIT_START_RE.match(i) or not i[:1].isupper() else f"{kind} {i}" for i in items]
                items = _without_people(items)
                names = [_whole_name(i) or _unit_after_preposition(i) or "" for i in items]
                names = [n for n in names if n and not is_directing(n)]
                if len(names) >= 2 or (len(names) == 1 and len(items) == 1):
                    return tuple(dict.fromkeys(names)), sentence
    return (), ""


@dataclass
class _State:
    doc_kind: DocKind
    subjects: dict[str, tuple[tuple[str, ...], ...]]  # display name -> key variants
    display: dict[str, str]  # unit key -> display name
    # the units the document is about (inspected, headings, table rows); other names it gives in
    # passing (a cell of an inspected unit) count only where no such unit is the topic
    primary: frozenset[str] = frozenset()
    inspected: tuple[str, ...] = ()  # display names of the units the document inspects
    author: str | None = None  # the body its header names ("Ủy ban Kiểm tra Huyện ủy Yên Khê")
    findings: list[Finding] = field(default_factory=list)
    open_records: list[int] = field(default_factory=list)  # indexes waiting for a "Thời hạn: …" line
    lead: tuple[Kind | None, tuple[str, ...] | None] | None = None
    task: int | None = None  # the record of a plan's "Nhiệm vụ 2. …" whose field lines follow
    table_header: dict[str, int] | None = None


def _display(state: _State, name: str) -> str:
    return state.display.get(unit_key(name), name)


def _mentioned(state: _State, clause: str) -> list[str]:
    return list(dict.fromkeys(m.unit for m in find_mentions(clause, state.subjects)))


def _body_after_giao(clause: str, state: _State) -> tuple[list[str], bool] | None:
    """The units or body a clause starting with "Giao …" hands its task to, and whether it is a directing body."""
    m = re.match(r"^\s*(?:và\s+)?[Gg]iao(?:\s+cho)?\s+", clause)
    if not m:
        return None
    rest = clause[m.end() :]
    if re.match(r"(?:đồng chí|đ/c)\b", rest, re.IGNORECASE):
        return None
    body = BODY_RE.match(rest)
    if body:
        return [" ".join(body.group(0).split())], True
    mentions = find_mentions(rest[:200], state.subjects)
    if mentions and mentions[0].start <= 1:
        return list(dict.fromkeys(x.unit for x in mentions)), False
    return None


def _body_subject(clause: str) -> str | None:
    """A directing body that opens a clause as its subject ("Ủy ban Kiểm tra Quận ủy giám sát …")."""
    body = BODY_RE.match(clause.strip())
    if body and re.match(r"\s+[^\W\d_]", clause.strip()[body.end() :]) and " ủy" in body.group(0):
        return " ".join(body.group(0).split())
    return None


def _decider(clause: str, state: _State) -> str | None:
    """The body that decided a discipline: the last body or unit named before "(quyết định) (thi hành) kỷ luật"."""
    cut = re.search(r"(?:quyết định\s+)?(?:thi hành\s+)?kỷ luật", clause)
    head = clause[: cut.start()] if cut else clause
    found = [(m.start(), " ".join(m.group(0).split())) for m in BODY_RE.finditer(head)]
    found += [(head.find(u), u) for u in _mentioned(state, head) if head.find(u) >= 0]
    return max(found)[1] if found else None


def _clauses(sentence: str, state: _State, kind_hint: Kind | None) -> list[str]:
    """A sentence cut at ";" where the subject changes, or where one part has a deadline and the next not."""
    parts = _split_outside_parens(sentence, ";")
    groups: list[str] = []
    requirement = kind_hint == "yeu_cau"
    for n, part in enumerate(parts):
        if not groups:
            groups.append(part)
            requirement = requirement or cues.is_request(part)
            continue
        prev = groups[-1]
        if re.match(r"^(?:(?:giao|do)\s+)?(?:đồng chí|đ/c)\b", part, re.IGNORECASE) and find_responsible(part):
            groups[-1] = f"{prev}; {part}"  # who answers for the previous task
            continue
        new_subject = _mentioned(state, part) and _mentioned(state, part) != _mentioned(state, prev)
        giao = _body_after_giao(part, state) is not None
        has_deadline = find_deadline(part) is not None
        had = find_deadline(prev) is not None
        # "A; B trước ngày D" keeps D for the whole item; "A; B trước ngày D; C" gives it to B alone;
        # "A trước D1; B trong D2" are two requirements
        deadline_change = requirement and (
            (has_deadline and had) or (has_deadline != had and not (has_deadline and n == len(parts) - 1))
        )
        # "kỷ luật Khiển trách đối với tập thể A; đề nghị … Cảnh cáo đối với đồng chí B": two decisions
        two_forms = bool(cues.discipline_form(part) and cues.discipline_form(prev))
        pol_a, pol_b = cues.polarity(prev), cues.polarity(part)
        polarity_change = kind_hint is None and pol_a and pol_b and pol_a != pol_b
        if new_subject or giao or deadline_change or polarity_change or two_forms:
            groups.append(part)
        else:
            groups[-1] = f"{prev}; {part}"
        requirement = requirement or cues.is_request(part)
    return groups


def _context(node: Node) -> tuple[Title | None, Title | None, Kind | None, bool, bool]:
    """(unit title, person title, kind, skip, discipline) from the headings and label above a node."""
    titles = list(node.titles) + ([node.label] if node.label else [])
    skip = any(t.skip for t in titles)
    discipline = any(t.discipline for t in titles)
    unit_t = next((t for t in reversed(titles) if t.unit or t.superior), None)
    person_t = next((t for t in reversed(titles) if t.person), None)
    kind = next((t.kind for t in reversed(titles) if t.kind), None)
    return unit_t, person_t, kind, skip, discipline


def _last_unit(state: _State) -> str | None:
    """The unit of the latest finding of the document so far, if any."""
    return next((f.unit for f in reversed(state.findings) if f.unit and f.scope == "unit"), None)


def _add(state: _State, finding: Finding) -> None:
    key = (finding.kind, finding.unit, finding.text, finding.person)
    if any((f.kind, f.unit, f.text, f.person) == key for f in state.findings):
        return
    state.findings.append(replace(finding, seq=len(state.findings)))
    state.open_records.append(len(state.findings) - 1)


def _requirement(text: str, kind: Kind, **kw: object) -> Finding:
    if kind != "yeu_cau":
        return Finding(kind=kind, text=text, **kw)  # type: ignore[arg-type]
    return Finding(kind=kind, text=text, deadline=find_deadline(text), responsible=find_responsible(text), **kw)  # type: ignore[arg-type]


def _sentence_records(state: _State, sentence: str, node: Node, inherit: list[str] | None) -> list[str] | None:
    """Findings of one sentence; returns the units it was about (for the next sentence to inherit)."""
    unit_t, person_t, kind, _, discipline = _context(node)
    discipline = discipline or state.doc_kind == "discipline"
    if node.role == "item" and state.lead is not None and kind is None:
        kind = state.lead[0]
    scope = None if (unit_t is None or unit_t.superior) else _display(state, unit_t.unit or "")
    lead_text = ""
    body = sentence
    if ":" in sentence and node.role != "item":
        head, _, tail = sentence.partition(":")
        if len(_split_outside_parens(tail, ";")) >= 2 and not _mentioned(state, head):
            lead_text, body = head, tail
    lead_pol = cues.polarity(lead_text) if lead_text else None
    para_person = PERSON_RE.match(node.text)
    last_units: list[str] | None = inherit
    previous_kind: Kind | None = None
    for clause in _clauses(body, state, kind):
        mentioned = _mentioned(state, clause)
        if mentioned and state.primary and not state.primary & set(mentioned) and (scope or last_units):
            mentioned = []  # "tại Chi bộ Khoa Hồi sức" in a paragraph about the centre's committee
        elif mentioned and state.inspected and not state.primary & set(mentioned):
            continue  # "Cùng thời gian, Đoàn kiểm tra số 1 … làm việc tại Đảng ủy xã B": another inspection
        elif state.primary & set(mentioned):
            mentioned = [m for m in mentioned if m in state.primary]  # "… nhân rộng tới Đảng ủy xã B" is no finding of B
        giao = _body_after_giao(clause, state)
        # what kind of finding
        form = cues.discipline_form(clause)
        if form:
            ckind: Kind | None = "ky_luat"
        elif kind == "yeu_cau" and cues.is_praise(clause) and mentioned:
            ckind = "uu_diem"
        elif kind == "han_che" and (cues.is_request(clause) or previous_kind == "yeu_cau" and not mentioned):
            ckind = "yeu_cau"  # "… yêu cầu Chi bộ X kiểm điểm …" under a heading of violations
        elif kind is not None:
            ckind = kind
        elif state.doc_kind == "remedy_plan" and node.role == "item":
            ckind = "yeu_cau"  # a task of the unit's own remedy plan, whatever words it uses
        elif giao or cues.is_request(clause):
            ckind = "yeu_cau"
        elif discipline:
            ckind = "han_che" if cues.polarity(clause) == "han_che" else None
        else:
            ckind = cues.polarity(clause) or lead_pol
        if ckind is None and previous_kind in ("yeu_cau", "han_che") and not mentioned:
            ckind = previous_kind  # "…; phối hợp … thu hồi …; khôi phục …" continues the request before it
        if ckind is None:
            continue
        previous_kind = ckind
        # whom it is about
        units: list[str | None]
        follow_up = False
        # "Ủy ban Kiểm tra Huyện ủy giám sát … đối với Đảng ủy xã A": the body that opens the clause does it
        subject_body = None if (giao or scope) else _body_subject(clause)
        subject_body = subject_body if not mentioned or ckind == "yeu_cau" else None
        if giao:
            units, follow_up = list(giao[0]), giao[1]
        elif subject_body and ckind == "yeu_cau":
            units, follow_up = [subject_body], True
        elif scope and not (mentioned and scope not in mentioned and ckind != "ky_luat"):
            units = [scope]
        elif mentioned:
            units = list(mentioned)
        elif scope:
            units = [scope]
        elif definite := _definite(state, clause):
            units = [definite]
        elif node.role == "item" and state.lead is not None and state.lead[1]:
            units = list(state.lead[1])  # "… yêu cầu Đảng ủy xã A và Đảng ủy xã B:" then items for both
        elif (many := cues.COLLECTIVE.search(clause.lower())) and not (last_units and "chi bộ" in many.group(0)):
            units = [None]  # "2/21 chi bộ" in a paragraph about one unit are that unit's cells
        elif last_units:
            units = list(last_units)
        elif discipline and (state.inspected or _last_unit(state)):
            # a violation or remedy in a notice about named units is theirs; in a decision about a
            # member, the member's unit named earlier
            units = list(state.inspected) or [_last_unit(state)]
        elif discipline or state.doc_kind == "remedy_plan" and node.role == "prose":
            continue
        else:
            units = [None]
        person = None
        if discipline or ckind == "ky_luat":
            pm = re.search(r"đối với\s+" + PERSON_RE.pattern, clause) if ckind == "ky_luat" else None
            pm = pm or PERSON_RE.search(clause) or para_person
            person = pm.group("name") if pm else (person_t.person if person_t else None)
            if person is None and _BACK.search(clause):  # "Những vi phạm nêu trên …": the member's, named before
                person = next((f.person for f in reversed(state.findings) if f.person), None)
            if ckind == "ky_luat" and re.search(r"đối với\s+" + UNIT_START_RE.pattern, clause) and not re.search(
                r"đối với\s+" + PERSON_RE.pattern, clause
            ):
                person = None
        responsible = None
        if ckind == "ky_luat":
            # "Điều 1. Thi hành kỷ luật …" names no body: the decision is its author's
            responsible = _decider(clause, state) or state.author
        for unit in units:
            scope_kind = "collective" if unit is None else ("follow_up" if follow_up or is_directing(unit) else "unit")
            base = _requirement(clause, ckind, unit=unit, scope=scope_kind, person=person, form=form)
            if responsible:
                base = replace(base, responsible=responsible)
            _add(state, base)
        last_units = [u for u in units if u] or last_units
    return last_units


_COLUMNS = {
    "text": re.compile(r"noi dung|cong viec|nhiem vu|bien phap|viec can|khac phuc"),
    "unit": re.compile(r"don vi|to chuc|co quan|noi thuc hien"),
    "deadline": re.compile(r"thoi han|thoi gian|han hoan thanh"),
    "responsible": re.compile(r"chiu trach nhiem|phu trach|nguoi thuc hien|trach nhiem"),
}


# columns that each hold one kind of finding ("| Đơn vị | Ưu điểm | Hạn chế |")
# ("| Nội dung hạn chế | Yêu cầu khắc phục | Thời hạn |" too: the kinds' columns take their cells,
# the deadline and responsible columns go with the requirement of the row)
_KIND_COLUMNS: dict[Kind, re.Pattern[str]] = {
    "uu_diem": re.compile(r"^(?:(?:noi dung|cac|nhung) )?(?:uu diem|ket qua dat duoc|mat lam duoc)"),
    "han_che": re.compile(r"^(?:(?:noi dung|cac|nhung) )?(?:han che|khuyet diem|ton tai|vi pham)"),
    "yeu_cau": re.compile(r"^(?:(?:noi dung|cac|nhung) )?(?:yeu cau|kien nghi|de nghi)"),
}
_HEADER_CELL = 40  # a header's cells are labels, a data row's are sentences


def _table_row(state: _State, node: Node) -> None:
    cells = [c.strip() for c in node.text.strip().strip("|").split("|")]
    folded = [fold(c) for c in cells]
    labels = all(len(c) <= _HEADER_CELL for c in cells)
    if state.table_header is None or (labels and any(re.search(r"\bstt\b|noi dung", f) for f in folded)):
        if not labels:
            return
        header: dict[str, int] = {}
        for col, pattern in (*_KIND_COLUMNS.items(), *_COLUMNS.items()):  # a kind's column is never "text"
            for i, f in enumerate(folded):
                if pattern.search(f) and i not in header.values() and col not in header:
                    header[col] = i
                    break
        if "text" in header and any(k in header for k in _KIND_COLUMNS) and _KIND_COLUMNS["yeu_cau"].search(
            folded[header["text"]]
        ):
            del header["text"]
        if "text" in header or any(k in header for k in _KIND_COLUMNS):
            state.table_header = header
        return
    if not any(re.search(r"[^\W\d_]", c) for c in cells):
        return  # the rule under the header: "|---|---|"
    if "text" not in state.table_header:
        _kind_cells(state, node, cells)
        return
    h = state.table_header
    text = cells[h["text"]] if h["text"] < len(cells) else ""
    if not text or not re.search(r"[^\W\d_]", text):
        return
    unit_t, _, kind, skip, _ = _context(node)
    if skip:
        return
    unit_cell = cells[h["unit"]] if "unit" in h and h["unit"] < len(cells) else ""
    unit = unit_span(unit_cell) or (unit_cell if unit_cell else None)
    if unit is None and unit_t is not None and unit_t.unit:
        unit = unit_t.unit
    cell = cells[h["deadline"]].strip().rstrip(".") if "deadline" in h and h["deadline"] < len(cells) else ""
    # the deadline column holds a deadline whatever its wording ("Xong ngày 25/10/2026")
    deadline = bare_deadline(cell) or (cell if cell and len(cell) <= 160 else None)
    responsible = cells[h["responsible"]] if "responsible" in h and h["responsible"] < len(cells) else None
    follow_up = bool(unit and is_directing(unit))
    _add(
        state,
        Finding(
            kind=kind if kind in ("han_che", "uu_diem") else "yeu_cau",
            text=text,
            unit=_display(state, unit) if unit else None,
            scope="follow_up" if follow_up else ("unit" if unit else "collective"),
            deadline=deadline or find_deadline(text),
            responsible=responsible or None,
        ),
    )


def _kind_cells(state: _State, node: Node, cells: list[str]) -> None:
    """A row of a table whose columns are kinds of finding: each filled cell is that kind's finding
    of the row's unit."""
    h = state.table_header or {}
    if _context(node)[3]:
        return
    unit_cell = cells[h["unit"]] if "unit" in h and h["unit"] < len(cells) else ""
    unit = unit_span(unit_cell) or (unit_cell or None)
    cell = cells[h["deadline"]].strip().rstrip(".") if "deadline" in h and h["deadline"] < len(cells) else ""
    deadline = bare_deadline(cell) or (cell if cell and len(cell) <= 160 else None)
    responsible = cells[h["responsible"]].strip() if "responsible" in h and h["responsible"] < len(cells) else ""
    for kind, col in ((k, h[k]) for k in _KIND_COLUMNS if k in h):
        text = cells[col].strip() if col < len(cells) else ""
        if not re.search(r"[^\W\d_]", text):
            continue
        found = _requirement(text, kind, unit=_display(state, unit) if unit else None,
                             scope="unit" if unit else "collective")
        if kind == "yeu_cau" and (deadline or responsible):  # the row's own deadline and person in charge
            found = replace(found, deadline=deadline or found.deadline, responsible=responsible or found.responsible)
        _add(state, found)


def _merge_item(state: _State, first: int) -> None:
    """One list item is one finding: its sentences of one kind and unit (no deadline apart) join again."""
    merged: list[Finding] = []
    for f in state.findings[first:]:
        prev = merged[-1] if merged else None
        same = prev is not None and (prev.kind, prev.unit, prev.scope, prev.person, prev.form) == (
            f.kind, f.unit, f.scope, f.person, f.form)
        if same and prev is not None and not prev.deadline and not f.deadline and f.kind != "ky_luat":
            merged[-1] = replace(prev, text=f"{prev.text} {f.text}", responsible=prev.responsible or f.responsible)
        else:
            merged.append(f)
    if len(merged) != len(state.findings) - first:
        state.findings[first:] = [replace(f, seq=first + i) for i, f in enumerate(merged)]
        state.open_records = [i for i in state.open_records if i < len(state.findings)]


def _subjects(text: str, nodes: Sequence[Node], inspected: Sequence[str]) -> list[str]:
    names = list(inspected)
    for node in nodes:
        for t in (*node.titles, node.label):
            if t is not None and t.unit:
                names.append(t.unit)
        if node.role == "row":
            cells = [c.strip() for c in node.text.strip().strip("|").split("|")]
            names.extend(n for c in cells if (n := unit_span(c)) and not is_directing(n) and len(c) - len(n) <= 2)
    return list(dict.fromkeys(n for n in names if n))


def _display_names(text: str, names: Sequence[str]) -> dict[str, str]:
    """For each unit key, the fullest spelling the document uses (with its party prefix, not in capitals)."""
    pool = list(names) + list(find_units(text))
    out: dict[str, str] = {}
    folded = fold(text)
    for name in pool:
        key = unit_key(name)
        candidates = [name]
        for prefix in ("Đảng ủy ", "Chi bộ ", "Đảng bộ "):
            probe = fold(prefix + name)
            i = folded.find(probe)
            if i >= 0 and len(folded) == len(text):
                candidates.append(text[i : i + len(probe)])
        best = max(candidates, key=lambda c: (not c.isupper(), len(c)))
        if key not in out or len(best) > len(out[key]):
            out[key] = best
    return out


# "- Nhiệm vụ 1: …; phụ trách: đồng chí …; thời hạn: trước ngày …": a row of a plan written as one
# line; its labelled fields read as the "Phụ trách: …" and "Thời hạn: …" lines they stand for
_INLINE_FIELD = re.compile(
    r"[;.]\s+(?=(?:người\s+)?(?:chịu trách nhiệm|phụ trách|phân công|thời hạn(?:\s+hoàn thành)?|hạn hoàn thành"
    r"|thời gian(?:\s+hoàn thành)?)\s*:)",
    re.IGNORECASE,
)


# A plan's task set out as a block: "Nhiệm vụ 2. Kê khai bổ sung tài sản, thu nhập" and then its
# field lines ("+ Nội dung: …", "+ Người chủ trì: …", "+ Thời hạn: …", "+ Sản phẩm: …").
_TASK_HEAD = re.compile(r"^\s*(?:Nhiệm vụ|Giải pháp|Công việc|Việc)\s+(?:\d{1,2}|[IVX]{1,4})\s*[.:)]\s*(?P<title>\S.{3,200})$")
_FIELD = re.compile(r"^\s*[-+•]?\s*(?P<label>[^\W\d][^:]{1,40}?)\s*:\s*(?P<value>\S.*)$")


def _task_block(state: _State, node: Node) -> bool:
    """Read a task block of a plan or a list of requirements into one requirement: its title, then
    its content, person in charge, deadline and other fields; True when the node was one of them."""
    head = _TASK_HEAD.match(node.text)
    if head and (state.doc_kind == "remedy_plan" or (state.lead and state.lead[0] == "yeu_cau")):
        _add(state, Finding(kind="yeu_cau", text=head.group("title").strip().rstrip("."), unit=None,
                            scope="collective"))
        state.task = len(state.findings) - 1
        state.open_records = []
        return True
    at = state.task
    field_ = _FIELD.match(node.text) if at is not None and node.role != "title" else None
    if field_ is None or at is None:
        state.task = None
        return False
    task = state.findings[at]
    label, value = field_.group("label").strip(), field_.group("value").strip().rstrip(".")
    deadline, responsible = deadline_line(node.text), responsible_line(node.text)
    if deadline is not None:  # the field's whole value: "… tháng 12/2026 (ngày 18/12/2026)"
        task = replace(task, deadline=task.deadline or value)
    elif responsible is not None:
        task = replace(task, responsible=task.responsible or value)
    elif fold(label) == "noi dung":
        task = replace(task, text=f"{task.text}: {value}")
    else:
        task = replace(task, text=f"{task.text} ({label[:1].lower()}{label[1:]}: {value})")
    state.findings[at] = task
    return True


def _with_inline_fields(nodes: Sequence[Node]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        parts = _INLINE_FIELD.split(node.text) if node.role in ("item", "prose", "label") else [node.text]
        if len(parts) == 1:
            out.append(node)
            continue
        # a line of fields only ("Thời gian: …; Phân công: …") or a task followed by its fields
        head_is_field = deadline_line(parts[0]) is not None or responsible_line(parts[0]) is not None
        if not head_is_field:
            out.append(replace(node, text=parts[0].rstrip(" ;")))
        # who answers for it before when: a deadline line closes the records it completes
        fields = sorted((p.strip().rstrip(";") for p in parts[0 if head_is_field else 1 :]),
                        key=lambda p: deadline_line(p) is not None)
        out.extend(replace(node, text=part, role="prose") for part in fields)
    return out


_CROSSHEAD_END = (".", ";", ":", ",", ")", "…")


def _is_crosshead(text: str) -> bool:
    """A news item's crosshead: a short line of its own, no sentence ("Tòa án: xét xử nghiêm minh,
    sinh hoạt chi bộ còn hình thức", "Trưởng đoàn đề nghị những gì?")."""
    words = text.split()
    return 2 <= len(words) <= 16 and text[:1].isupper() and not text.rstrip().endswith(_CROSSHEAD_END)


def _short_name_of(name: str, units: Sequence[str]) -> str | None:
    """The one unit whose name holds ``name`` word for word ("Tòa án" in "Chi bộ Tòa án nhân dân
    quận"), or None when no unit or several do."""
    words = fold(name).split()
    if not words or len(words) > 6 or not name[:1].isupper():
        return None
    found = [u for u in units if f" {' '.join(words)} " in f" {fold(u)} "]
    return found[0] if len(found) == 1 else None


def _crossheads(nodes: Sequence[Node], inspected: Sequence[str]) -> list[Node]:
    """A news item's paragraphs under its crossheads: a crosshead that names an inspected unit,
    even by a short name ("Đông Xuyên: nhiều cách làm hay…"), gives the paragraphs after it that
    unit; one that asks or announces ("Trưởng đoàn đề nghị những gì?") gives them its kind."""
    out: list[Node] = []
    current: Title | None = None
    for node in nodes:
        text = node.text.strip()
        if node.role == "prose" and _is_crosshead(text):
            head = text.split(":", 1)[0] if ":" in text else text
            current = Title(text, kind=kind_of_title(text), unit=_short_name_of(head, inspected))
            out.append(replace(node, role="title"))
            continue
        out.append(replace(node, titles=(*node.titles, current)) if current is not None else node)
    return out


def _definite(state: _State, clause: str) -> str | None:
    """The unit a bare kind of body opening a clause means ("Chi bộ cần đổi mới…", "Đảng ủy phường
    chưa thành lập…"): the one inspected unit of that kind, if there is exactly one."""
    m = re.match(r"\s*((?:Đảng ủy|Đảng bộ|Chi bộ|Chi ủy)(?:\s+(?:phường|xã|thị trấn|cơ quan|công ty|bệnh viện|trường))?)\s+(?=[a-zà-ỹđ])", clause)
    if not m:
        return None
    kind = fold(m.group(1))
    found = [u for u in state.inspected if fold(u).startswith(kind + " ")]
    return found[0] if len(found) == 1 else None


def extract_findings(text: str, meta: DocumentMeta, chunks: Sequence[ChunkRef] = ()) -> Extraction:
    """Findings of one document (an empty extraction for documents that report none)."""
    doc_kind = classify(meta, text)
    if doc_kind in ("none", "programme"):
        return Extraction(doc_kind)
    w = walk(text, chunk_paragraphs(chunks) if chunks else None)
    intro_paras = [n.text for n in w.nodes if n.role == "prose"][:12]
    inspected, intro = inspected_units(intro_paras)
    inspected = tuple(dict.fromkeys(unit_name(n) for n in inspected))
    names = _subjects(text, w.nodes, inspected)
    about = list(names)
    names += [n for _, _, n in party_units(text) if n not in names]
    display = _display_names(text, names)
    # "Ban Thường vụ Đảng ủy Công ty" in a notice about "… Đảng ủy Công ty TNHH MTV Lâm nghiệp Ninh
    # Giang": the document's short form of the one unit it inspects whose name goes on from it
    for key in list(display):
        longer = {display.get(unit_key(n), n) for n in inspected if unit_key(n).startswith(key + " ")}
        if len(longer) == 1:
            display[key] = longer.pop()
    subjects: dict[str, tuple[tuple[str, ...], ...]] = {}
    for n in names:
        shown = display.get(unit_key(n), n)
        subjects[shown] = tuple(dict.fromkeys((*subjects.get(shown, ()), *key_variants(n))))
    primary = frozenset(display.get(unit_key(n), n) for n in about)  # the same names subjects use
    if doc_kind == "report":
        # a review by theme: every unit it names is one it reports on (no other inspection is told of)
        primary = frozenset(subjects)
    state = _State(
        doc_kind, subjects, display, primary=primary,
        inspected=() if doc_kind == "report" else tuple(display.get(unit_key(n), n) for n in inspected),
        author=issuing_body(text),
    )
    preamble = set(w.preamble) if w.has_titles else set()
    inherit: list[str] | None = None
    nodes = _with_inline_fields(w.nodes)
    if doc_kind == "news":
        nodes = _crossheads(nodes, state.inspected)
    for node in nodes:
        if _task_block(state, node):
            continue
        if node.role == "title":
            state.lead, state.table_header, state.open_records, inherit = None, None, [], None
            continue
        if node.role == "row":
            _table_row(state, node)
            continue
        if node.text in preamble or _context(node)[3]:
            continue
        value = deadline_line(node.text)
        if value is not None:
            for i in state.open_records:
                if state.findings[i].kind == "yeu_cau" and state.findings[i].deadline is None:
                    state.findings[i] = replace(state.findings[i], deadline=value.rstrip("."))
            state.open_records = []
            continue
        value = responsible_line(node.text)
        if value is not None:
            for i in state.open_records:
                if state.findings[i].kind == "yeu_cau" and state.findings[i].responsible is None:
                    state.findings[i] = replace(state.findings[i], responsible=value)
            continue
        if node.role == "prose" and node.text.rstrip().endswith(":"):
            mentioned = _mentioned(state, node.text)
            lead = (cues.lead_kind(node.text), tuple(mentioned) or None)
            if not cues.discipline_form(node.text):
                state.lead = lead
                continue
            # "Điều 1. Thi hành kỷ luật bằng hình thức KHIỂN TRÁCH đối với tập thể … vì đã có vi phạm
            # sau:": the decision itself, then the lead-in of its violations
            for sentence in _SENTENCE.split(node.text):
                if not cues.not_a_finding(sentence):
                    _sentence_records(state, sentence, node, None)
            state.lead = (None, lead[1])
            continue
        if node.role == "prose":
            state.lead = None
        sentences = _SENTENCE.split(node.text)
        inherit = None  # a paragraph that names no unit is about them all, not about the last one named
        first = len(state.findings)
        for sentence in sentences:
            if cues.not_a_finding(sentence):
                continue
            inherit = _sentence_records(state, sentence, node, inherit)
        if node.role == "item":
            _merge_item(state, first)
    issuer = issuing_unit(text)
    if doc_kind == "remedy_plan" and issuer:
        # a unit's own remedy plan: what it lists without naming a unit is that unit's to do
        own = _display(state, issuer)
        state.findings = [replace(f, unit=own, scope="unit") if f.scope == "collective" else f for f in state.findings]
    issued = meta.issue_date
    located = []
    locator = Locator(chunks)
    for f in state.findings:
        where = locator.find(f.text)
        located.append(
            replace(
                f,
                due=due_date(f.deadline, issued=issued),
                section=where.section if where else "",
                position=where.position if where else 0,
            )
        )
    intro_at = locator.find(intro) if intro else None
    return Extraction(
        doc_kind=doc_kind,
        programme=programme_code(meta, text),
        inspected=tuple(display.get(unit_key(u), u) for u in inspected),
        intro=intro,
        intro_position=intro_at.position if intro_at else 0,
        findings=tuple(located),
    )
