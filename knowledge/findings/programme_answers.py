"""Programme answers: targets, the n-th task, quotas, what a programme says; and "a target is not a result"."""

from __future__ import annotations

import re

from knowledge.findings.citing import STRONG, Cites, declined, label
from knowledge.findings.models import LiveFinding, ProgrammeItem
from knowledge.findings.structure import BODY_RE, NAME
from knowledge.models import Answer, DocumentMeta
from knowledge.question.codes import detect_codes
from knowledge.question.intent import Ask
from knowledge.text import CODE_RE, fold
from knowledge.unit_names import expand_abbreviations

_QUANTITY = re.compile(r"\b(bao nhieu|may|ty le|muc nao|so luong)\b")
# what a programme question may say that makes it a findings question after all
_FINDINGS_NOT_ASKED = re.compile(
    r"\b(han che|khuyet diem|ton tai|uu diem|khac phuc|kien nghi|ket qua (kiem tra|giam sat)|duoc (kiem tra|giam sat)"
    r"|bi (kiem tra|giam sat)|qua (kiem tra|giam sat)|ky luat|vi pham|danh gia)\b"
)
_POSITION = re.compile(
    r"(?:đồng chí|đ/c)\s+(?P<pos>(?:Phó\s+)?(?:Bí thư|Chủ nhiệm|Trưởng|Chủ tịch|Giám đốc|Chánh|Ủy viên)\b.*)"
)


class ProgrammeAnswers:
    """Routes of ``FindingsAnswerer`` about programmes (mixed in; uses its records, scoring and citations)."""

    items: list[tuple[DocumentMeta, ProgrammeItem]]
    findings: list[LiveFinding]
    cites: Cites
    docs: list

    def _programme(self, ask: Ask, text: str, units: list[str]) -> Answer | None:
        # "Xã A được giao chỉ tiêu … bao nhiêu?": a quota a programme gives the unit, programme named or not
        quota_of = {
            m.doc_id for m, i in self.items
            if ask.quota and i.part == "quota" and self.registry.canonical(i.unit) in units
        }
        # "Chi bộ X được giao chỉ tiêu bao nhiêu?" when only other units have quotas: that is the answer too
        quota_of = quota_of or {m.doc_id for m, i in self.items if ask.quota and units and i.part == "quota"}
        if not (ask.programme or quota_of) or ask.discipline or ask.result or set(ask.kinds) & {"han_che", "uu_diem"}:
            return None
        codes = detect_codes(text)
        structured = ask.targets or ask.tasks or ask.nth is not None or (ask.quota and units)
        # "Theo Chương trình 05, … phải … trước ngày nào?": a question about what the programme itself says
        # ("… yêu cầu hằng năm … phải đạt bao nhiêu?": "yêu cầu" is what the programme asks, not a remedy)
        findings_words = ask.findings_words and bool(_FINDINGS_NOT_ASKED.search(ask.folded))
        about_it = bool(codes) and not units and not findings_words and not ask.inspected and not ask.which
        if not (structured or about_it):
            return None
        programmes: dict[str, DocumentMeta] = {m.doc_id: m for m, i in self.items}
        if codes:
            chosen = [m for m in programmes.values() if any(ref.matches(m.code) for ref in codes)]
            # a programme not stored but cited by stored documents (a review quoting its targets):
            # the general engine may still find what those documents say about it
            cited = any(
                ref.matches(c)
                for d in self.docs
                for c in (*d.meta.mentions, *(m.group(0) for m in CODE_RE.finditer(d.meta.title or "")))
                for ref in codes
            )
            if not chosen and (not structured or cited):
                return None
            if not chosen:
                raw = CODE_RE.search(text)
                name = raw.group(0) if raw else f"Chương trình số {codes[0].number:02d}"
                return self._decline(
                    f"Không tìm thấy {name} trong các tài liệu hiện có, nên không trả lời được về chỉ tiêu,"
                    " nhiệm vụ của chương trình này."
                )
        else:
            holders = [m for m in programmes.values() if m.doc_id in quota_of] or list(programmes.values())
            chosen = sorted(holders, key=lambda m: m.issue_date or "", reverse=True)[:1]
        if not chosen:
            return None
        meta = chosen[0]
        items = [i for m, i in self.items if m.doc_id == meta.doc_id]
        name = meta.code or meta.title
        lines: list[str] = []
        if ask.nth is not None:
            part = ask.nth_of or "task"
            hit = [i for i in items if i.part == part and i.number == str(ask.nth)]
            if not hit:
                count = sum(1 for i in items if i.part == part)
                what = "nhiệm vụ" if part == "task" else "chỉ tiêu"
                return self._decline(f"Chương trình {name} có {count} {what}; không có {what} thứ {ask.nth}.")
            head = hit[0]
            label = "Nhiệm vụ" if part == "task" else "Chỉ tiêu"
            first = head.title or head.text
            lines.append(f"{label} thứ {ask.nth} của Chương trình {name}: {first}{self._cite_item(meta, head, first)}")
            if head.part == "task":
                for p in items:
                    if p.part == "point" and p.number.split(".")[0] == head.number:
                        lines.append(f"• {p.text}{self._cite_item(meta, p, p.text)}")
                if head.text and head.text != first:
                    lines.append(f"• {head.text}{self._cite_item(meta, head, head.text)}")
        elif ask.quota and units:
            quotas = [i for i in items if i.part == "quota" and self.registry.canonical(i.unit) in units]
            given = [i.unit for i in items if i.part == "quota" and i.unit]
            if not quotas and given:  # the programme gives quotas, none to this unit: say so, never a neighbour's
                return self._decline(
                    f"Chương trình {name} không giao chỉ tiêu riêng cho {units[0]}; chỉ tiêu được giao cho: "
                    f"{'; '.join(dict.fromkeys(given))}."
                )
            if not quotas:
                return None
            for q in quotas:
                which = f"Chỉ tiêu số {q.number}" if q.number else f"Chỉ tiêu của Chương trình {name}"
                lines.append(f"• {which} giao {q.unit}: {q.title}{self._cite_item(meta, q, q.text)}")
        elif ask.nth is None and not ask.targets and (duties := self._duties_of(text, items)):
            # "Chương trình 07 giao Văn phòng Huyện ủy làm gì?": the duties the programme gives that body
            for d in duties:
                lines.append(f"• {d.text}{self._cite_item(meta, d, d.text)}")
        elif not structured:
            terms = self._topic(text, units)
            pool = [i for i in items if i.part != "quota"]
            if _QUANTITY.search(ask.folded):  # "bao nhiêu": an item that gives a figure, if one fits
                figures = [i for i in pool if re.search(r"\d", i.text or i.title)]
                if any(self._score(terms, i.text or i.title) >= STRONG for i in figures):
                    pool = figures
            scored = sorted(((self._score(terms, i.text or i.title), i) for i in pool), key=lambda s: -s[0])
            if not terms or not scored or scored[0][0] < STRONG:
                return None
            top = scored[0][0]
            for score, i in scored[:3]:
                if score >= 0.8 * top:
                    body = i.text or i.title
                    lines.append(f"• {body}{self._cite_item(meta, i, body)}")
                    lines.extend(self._holders(body))
        elif ask.targets:
            targets = [i for i in items if i.part == "target"]
            if not targets:
                return self._decline(f"Chương trình {name} không nêu chỉ tiêu cụ thể.")
            lines.append(f"Chương trình {name} đặt ra {len(targets)} chỉ tiêu:")
            lines.extend(f"{t.number}. {t.text}{self._cite_item(meta, t, t.text)}" for t in targets)
        else:
            tasks = [i for i in items if i.part == "task"]
            if not tasks:
                return None
            lines.append(f"Chương trình {name} nêu {len(tasks)} nhiệm vụ, giải pháp:")
            lines.extend(f"{t.number}. {t.title or t.text}{self._cite_item(meta, t, t.title or t.text)}" for t in tasks)
        return Answer(text="\n".join(lines), grounded=True, citations=self.cites.citations(), mode="findings")

    @staticmethod
    def _duties_of(text: str, items: list[ProgrammeItem]) -> list[ProgrammeItem]:
        """The duties a programme gives to the body a question names (none when it names none)."""
        named = {fold(" ".join(m.group(0).split())) for m in BODY_RE.finditer(expand_abbreviations(text))}
        return [i for i in items if i.part == "duty" and i.unit and fold(i.unit) in named]

    def _holders(self, text: str) -> list[str]:
        """Who holds a position a text names only by title ("giao đồng chí Phó Bí thư Thường trực …"),
        as the documents say."""
        out: list[str] = []
        for m in _POSITION.finditer(text):
            wanted = fold(m.group("pos")).split()
            readable = {d.meta.doc_id for d in self.docs}
            newest_first = sorted(self.cites.chunks.items(), key=lambda kv: kv[1].meta.issue_date or "", reverse=True)
            for (doc_id, _), chunk in newest_first:
                if doc_id not in readable:
                    continue
                for pm in re.finditer(r"đồng chí\s+(?P<name>" + NAME + ")", chunk.text):
                    tail = chunk.text[pm.end() : pm.end() + 120]
                    role = re.match(r"\s*[-–,]\s*(?P<role>[^-–,;.()]+)", tail)
                    if not role:
                        continue
                    have = fold(role.group("role")).split()
                    common = 0
                    while common < min(len(have), len(wanted)) and have[common] == wanted[common]:
                        common += 1
                    if common >= 4 and common == len(have):
                        quote = chunk.text[pm.start() : pm.end() + role.end()].strip()
                        line = f"• Theo {label(chunk.meta)}: {quote}{self.cites.cite(doc_id, chunk.position, quote)}"
                        if line not in out:
                            out.append(line)
                        return out
        return out

    def _cite_item(self, meta: DocumentMeta, item: ProgrammeItem, quote: str) -> str:
        return self.cites.cite(meta.doc_id, item.position, quote)


    def _target_not_result(self, ask: Ask, text: str, units: list[str]) -> Answer | None:
        """"Năm 2025 có bao nhiêu % … đạt …?" when the documents hold only a programme's target for it.

        A programme issued in year Y sets targets; it cannot report what was achieved in a year up
        to Y. When the figure asked for matches such a target and no finding reports it, say so.
        """
        if units or ask.targets or not _QUANTITY.search(ask.folded) and "phan tram" not in ask.folded:
            return None
        if re.search(r"\b(chi tieu|muc tieu|phan dau|dat ra|de ra)\b", ask.folded):
            return None
        years = [int(y) for y in re.findall(r"\b(20\d\d|19\d\d)\b", ask.folded)]
        terms = self._topic(text, units)
        if not years or not terms:
            return None
        if any(self._score(terms, f.finding.text) >= STRONG for f in self.findings):
            return None
        best: tuple[float, DocumentMeta, ProgrammeItem] | None = None
        for meta, item in self.items:
            issued = int((meta.issue_date or "0")[:4] or 0)
            if item.part != "target" or not issued or max(years) > issued:
                continue
            score = self._score(terms, item.text)
            if score >= STRONG and (best is None or score > best[0]):
                best = (score, meta, item)
        if best is None:
            return None
        _, meta, item = best
        text_out = (
            f"Không tìm thấy kết quả năm {max(years)} trong các tài liệu hiện có. "
            f"Chương trình {meta.code or meta.title} chỉ đặt "
            f"chỉ tiêu:\n• {item.text}{self._cite_item(meta, item, item.text)}"
        )
        return declined(text_out, citations=self.cites.citations())
