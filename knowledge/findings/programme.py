"""A programme (chương trình, CTr) as targets, tasks with their points, duties and per-unit quotas.

Targets are the items under a heading about chỉ tiêu (or mục tiêu cụ thể); tasks are the parts
under nhiệm vụ / giải pháp, each with its a) b) c) points or body; duties are the items under
tổ chức thực hiện with the body that carries them; quotas are "<unit> <number …>" clauses of a
target ("Chỉ tiêu giao cụ thể: Đảng ủy phường An Phú 60 đảng viên; …").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.findings.extract import ChunkRef, Locator, chunk_paragraphs
from knowledge.findings.models import Extraction, ProgrammeItem
from knowledge.findings.structure import BODY_RE, UNIT_START_RE, Title, unit_span, walk
from knowledge.models import DocumentMeta
from knowledge.text import fold

_TARGETS = re.compile(r"\b(chi tieu|muc tieu cu the)\b")
_TASKS = re.compile(r"\b(nhiem vu|giai phap)\b")
_DUTIES = re.compile(r"\b(to chuc thuc hien|phan cong|trach nhiem thuc hien)\b")


_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9])")
_FIGURE = re.compile(r"\d")  # a target sets a number, a share or a date
_ORDINAL = re.compile(r"^(?:Nhiệm vụ|Giải pháp)\s+thứ\s+(nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười)\b", re.IGNORECASE)
_ORDINALS = {"nhat": 1, "hai": 2, "ba": 3, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10}


def _section(titles: Sequence[Title], pattern: re.Pattern[str]) -> int | None:
    """Index of the innermost heading matching a pattern (purpose headings never count)."""
    for i in range(len(titles) - 1, -1, -1):
        folded = fold(titles[i].text)
        if pattern.search(folded) and "muc dich" not in folded:
            return i
    return None


def _number(mark: str, fallback: int) -> str:
    m = re.match(r"\(?(\d{1,3}|[a-zđ])", mark.strip())
    return m.group(1) if m else str(fallback)


def _quotas(text: str) -> list[tuple[str, str]]:
    """(unit, quota) pairs of a target that gives each unit its share."""
    _, sep, tail = text.partition(":")
    if not sep:
        return []
    out = []
    for part in re.split(r";", tail):
        part = part.strip().rstrip(".")
        um = UNIT_START_RE.search(part)
        if not um or um.start() > 0:
            continue
        m = re.match(r"^(?P<unit>.+?)\s+(?P<quota>\d[\d.,]*\s*%?.*)$", part)
        if m and unit_span(m.group("unit")):
            out.append((m.group("unit").strip(), m.group("quota").strip()))
    return out


def _duty_body(text: str) -> str | None:
    body = BODY_RE.match(text)
    if body:
        return " ".join(body.group(0).split())
    m = re.match(r"^Giao\s+(?:đồng chí\s+)?(?P<who>[^,;]{4,80}?)\s+(?:làm|chủ trì|phụ trách|theo dõi)\b", text)
    if m:
        return m.group("who")
    span = unit_span(text)
    return span


def parse_programme(text: str, meta: DocumentMeta, chunks: Sequence[ChunkRef] = ()) -> Extraction:
    """The targets, tasks, duties and quotas of a programme document."""
    items: list[ProgrammeItem] = []
    locator = Locator(chunks)

    def add(part: str, number: str, body: str, **kw: object) -> None:
        where = locator.find(body or str(kw.get("title", "")))
        items.append(
            ProgrammeItem(
                part=part, number=number, text=body, section=where.section if where else "",  # type: ignore[arg-type]
                position=where.position if where else 0, seq=len(items), **kw,  # type: ignore[arg-type]
            )
        )

    count = {"target": 0, "task": 0, "duty": 0}
    header: list[str] = []
    target_kind: str | None = None  # the item kind that numbers targets (sub-points are not targets)
    task_no: str | None = None  # the task whose points follow
    task_kind: str | None = None  # for tasks written as list items: their item kind
    points = 0
    for node in walk(text, chunk_paragraphs(chunks) if chunks else None).nodes:
        titles = node.titles
        if node.role == "title":
            target_kind, task_kind = None, None
            parent = titles[-2] if len(titles) >= 2 else None
            if parent is not None and _section([parent], _TASKS) is not None:
                count["task"] += 1
                task_no, points = _number(node.mark, count["task"]), 0
                add("task", task_no, "", title=titles[-1].text)
            else:
                task_no = None
            continue
        if node.role == "row" and titles and _section([titles[-1]], _TARGETS) is not None:
            cells = [c.strip() for c in node.text.strip().strip("|").split("|")]
            unit = unit_span(cells[0]) if cells else None
            if unit is None:
                header = cells
            elif len(cells) > 1:  # "| Đảng ủy xã A | 60 đảng viên | từ 90% trở lên |" under its header row
                shares = "; ".join(
                    f"{header[i]}: {c}" if i < len(header) and header[i] else c for i, c in enumerate(cells) if i and c
                )
                add("quota", "", f"{unit}: {shares}", unit=unit, title=shares)  # a table row has no target number
            continue
        if node.role not in ("item", "prose", "label"):
            continue
        section = titles[-1] if titles else None
        if section is None:
            continue
        kind = node.heading_kind or "prose"
        if node.role == "prose" and _section([section], _TARGETS) is not None and target_kind is None:
            # targets written as prose: each sentence that sets a figure is one target
            for sentence in _SENTENCES.split(node.text):
                if _FIGURE.search(sentence) and not sentence.rstrip().endswith(":"):
                    count["target"] += 1
                    add("target", str(count["target"]), sentence.strip())
            continue
        ordinal = _ORDINAL.match(node.text) if node.role == "prose" else None
        if ordinal and _section([section], _TASKS) is not None:
            # "Nhiệm vụ thứ tư, đẩy mạnh chuyển đổi số …": a task written as a paragraph
            count["task"] += 1
            task_no, points = str(_ORDINALS[fold(ordinal.group(1))]), 0
            add("task", task_no, node.text, title=re.split(r"(?<=[.;:])\s", node.text, maxsplit=1)[0])
            task_no = None
            continue
        if node.role == "item" and _section([section], _TARGETS) is not None:
            target_kind = target_kind or kind
            if kind == target_kind:
                count["target"] += 1
                number = _number(node.mark, count["target"]) if node.mark else str(count["target"])
                add("target", number, node.text)
                for unit, quota in _quotas(node.text):
                    add("quota", number, f"{unit} {quota}", unit=unit, title=quota)
            continue
        if node.role == "item" and _section([section], _TASKS) is not None and (task_kind in (None, kind)) and (
            task_no is None or task_kind == kind
        ):
            task_kind = kind
            count["task"] += 1
            task_no, points = _number(node.mark, count["task"]), 0
            add("task", task_no, node.text, title=re.split(r"(?<=[.;:])\s", node.text, maxsplit=1)[0])
            continue
        if task_no is not None:
            points += 1
            number = _number(node.mark, points) if node.mark and kind != "dash" else str(points)
            add("point", f"{task_no}.{number}", node.text)
            continue
        if node.role == "item" and _section([section], _DUTIES) is not None:
            count["duty"] += 1
            add("duty", _number(node.mark, count["duty"]), node.text, unit=_duty_body(node.text))
    return Extraction("programme", programme=meta.code, items=tuple(items))
