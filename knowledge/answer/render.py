"""Plain-text and JSON renderings of an Answer (terminal and CLI; the bot renders HTML itself)."""

from __future__ import annotations

import re
from typing import Any

from knowledge.models import Answer


def format_date(value: str | None) -> str | None:
    """ISO ``2025-05-26`` → ``26/05/2025``, ``2025-11`` → ``11/2025``; anything else unchanged."""
    if not value:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", value.strip())
    if m:
        return f"{m.group(3)}/{m.group(2)}/{m.group(1)}"
    m = re.fullmatch(r"(\d{4})-(\d{2})", value.strip())
    return f"{m.group(2)}/{m.group(1)}" if m else value


def source_line(c: Any) -> str:
    """"[1] 294-QĐ/TW — Quy định thi hành Điều lệ Đảng › Điều 5 (26/05/2025)"."""
    head = f"{c.code} — {c.title}" if c.code else c.title
    section = f" › {c.section}" if c.section else ""
    date = format_date(c.date)
    return f"[{c.n}] {head}{section}" + (f" ({date})" if date else "")


def to_text(answer: Answer) -> str:
    """The answer, notices, then numbered sources (or suggestions when declined)."""
    parts = [answer.text]
    if answer.rewritten_question:
        parts.insert(0, f"(hiểu câu hỏi là: {answer.rewritten_question})")
    parts.extend(answer.notices)
    if answer.citations:
        parts.append("Nguồn:")
        parts.extend(source_line(c) for c in answer.citations)
    if answer.declined and answer.suggestions:
        parts.append("Tài liệu hiện có gần nhất với câu hỏi:")
        parts.extend(f"• {s}" for s in answer.suggestions)
    return "\n".join(parts)


def to_json(answer: Answer) -> dict[str, Any]:
    """The JSON shape of ``python -m knowledge.ask --json``."""
    return {
        "answer": answer.text,
        "outcome": answer.outcome,
        "grounded": answer.grounded,
        "declined": answer.declined,
        "option": answer.option,
        "notices": list(answer.notices),
        "citations": [
            {"n": c.n, "doc_id": c.doc_id, "code": c.code, "title": c.title, "section": c.section,
             "date": c.date, "quote": c.quote}
            for c in answer.citations
        ],
    }
