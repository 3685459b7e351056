"""HTML for /donvi (a unit's inspections, latest findings, open remedies) and /hanchot (remedies due soon).

Every string comes from ``bot.texts``; every dynamic value is escaped; the result is split
into Telegram-sized messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot import texts
from bot.services import DueReport
from knowledge.answer.render import format_date
from knowledge.findings.models import DueRemedy, LiveFinding, UnitSummary
from knowledge.models import KIND_LABELS, DocumentMeta

LATEST_LINES = 12  # findings of the newest documents shown under /donvi
REMEDY_LINES = 10
DOCS_SHOWN = 5
FINDING_CHARS = 300


def _clip(text: str, limit: int = FINDING_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def _doc(meta: DocumentMeta) -> str:
    label = f"{meta.code} — {meta.title}" if meta.code else meta.title
    shown = format_date(meta.issue_date)
    return texts.esc(_clip(label, 120)) + (f" ({texts.esc(shown)})" if shown else "")


def _short_doc(meta: DocumentMeta) -> str:
    return texts.esc(meta.code or _clip(meta.title, 60))


def _left(days: int) -> str:
    if days < 0:
        return texts.DAYS_OVERDUE.format(n=-days)
    return texts.DAYS_TODAY if days == 0 else texts.DAYS_LEFT.format(n=days)


def _deadline(f: LiveFinding, today: date) -> str:
    """"hạn 30/06/2026 (còn 20 ngày; trước ngày 30/6/2026)", or that the document gives none."""
    finding = f.finding
    if finding.due:
        shown = texts.DEADLINE_DUE.format(date=format_date(finding.due))
        extra = [_left((date.fromisoformat(finding.due) - today).days)]
        if finding.deadline:
            extra.append(texts.esc(finding.deadline))
        return f"{shown} ({'; '.join(extra)})"
    if finding.deadline:  # written, but not a date ("thực hiện từ kỳ đánh giá năm 2026")
        return texts.esc(finding.deadline)
    return texts.DEADLINE_NONE


def render_summary(summary: UnitSummary, today: date, *, lead: str | None = None) -> list[str]:
    """/donvi: the unit, its other names, where it was inspected, the newest findings, open remedies."""
    head = [texts.SUMMARY_TITLE.format(unit=texts.esc(summary.unit))]
    if summary.aliases:
        head.append(texts.SUMMARY_ALIASES.format(names=texts.esc(", ".join(summary.aliases[:6]))))
    blocks = ([lead] if lead else []) + ["\n".join(head)]
    if not summary.findings and not summary.inspected_in:
        blocks.append(texts.UNIT_NO_FINDINGS.format(unit=texts.esc(summary.unit)))
        return texts.split_html("\n\n".join(blocks))
    if summary.inspected_in:
        docs = [f"• {_doc(m)}" for m in summary.inspected_in[:DOCS_SHOWN]]
        blocks.append("\n".join([texts.SUMMARY_INSPECTED, *docs]))
    blocks += _latest(summary.findings, summary.unit)
    remedies = summary.open_remedies
    if remedies:
        lines = [texts.SUMMARY_REMEDIES.format(n=len(remedies))]
        lines += [
            f"• {texts.esc(_clip(f.finding.text))} — <i>{_deadline(f, today)}; {_short_doc(f.meta)}</i>"
            for f in remedies[:REMEDY_LINES]
        ]
        if len(remedies) > REMEDY_LINES:
            lines.append(texts.SUMMARY_MORE.format(n=len(remedies) - REMEDY_LINES))
        overdue = sum(1 for f in remedies if f.finding.due and f.finding.due < today.isoformat())
        if overdue:
            lines.append(texts.SUMMARY_OVERDUE_NOTE.format(n=overdue))
        blocks.append("\n".join(lines))
    else:
        blocks.append(texts.SUMMARY_NO_REMEDIES)
    return texts.split_html("\n\n".join(blocks))


def _latest(findings: Sequence[LiveFinding], unit: str) -> list[str]:
    """The findings (other than remedies, listed apart) of the newest documents, by kind."""
    shown = [f for f in findings if f.finding.kind != "yeu_cau"]
    if not shown:
        return []
    blocks: list[str] = []
    used = 0
    for doc_id in dict.fromkeys(f.doc_id for f in shown):
        if used >= LATEST_LINES:
            break
        mine = [f for f in shown if f.doc_id == doc_id]
        title = texts.SUMMARY_EARLIER if blocks else texts.SUMMARY_LATEST
        lines = [title.format(doc=_doc(mine[0].meta))]
        for kind, label in KIND_LABELS.items():
            of_kind = [f for f in mine if f.finding.kind == kind][: max(0, LATEST_LINES - used)]
            if of_kind:
                lines.append(f"<u>{texts.esc(label)}</u>")
                lines += [f"• {texts.esc(_clip(f.finding.text))}" for f in of_kind]
                used += len(of_kind)
        blocks.append("\n".join(lines))
    rest = len(shown) - used
    if rest > 0:
        blocks.append(texts.SUMMARY_OLDER.format(n=rest, unit=texts.esc(unit)))
    return blocks


def _due_line(r: DueRemedy) -> str:
    f = r.finding.finding
    written = f"; {texts.esc(f.deadline)}" if f.deadline else ""
    who = f"; {texts.esc(f.responsible)}" if f.responsible else ""
    return (
        f"• <b>{format_date(r.due)}</b> ({_left(r.days_left)}) — {texts.esc(_clip(f.text))} "
        f"<i>({_short_doc(r.finding.meta)}{written}{who})</i>"
    )


def render_due(report: DueReport, today: date) -> list[str]:
    """/hanchot: remedies due within the window, soonest first, or plainly why there are none;
    and how many deadlines have already passed."""
    unit, days, day = texts.esc(report.unit), report.within_days, format_date(today.isoformat())
    if not report.known:
        return [texts.UNIT_NO_FINDINGS.format(unit=unit)]
    blocks: list[str] = []
    if report.due:
        lines = [texts.DUE_TITLE.format(unit=unit, days=days, today=day), *(_due_line(r) for r in report.due)]
        blocks.append("\n".join(lines))
    elif report.later is not None:
        later = report.later
        blocks.append(texts.DUE_NONE.format(unit=unit, days=days, today=day))
        text = texts.esc(_clip(later.finding.finding.text))
        blocks.append(texts.DUE_LATER.format(date=format_date(later.due), left=_left(later.days_left), text=text))
    elif report.undated and not report.overdue:
        return [texts.DUE_ONLY_UNDATED.format(unit=unit, n=report.undated)]
    elif not report.overdue:
        return [texts.DUE_NO_REMEDIES.format(unit=unit)]
    else:
        blocks.append(texts.DUE_NONE.format(unit=unit, days=days, today=day))
    if report.undated:
        blocks.append(texts.DUE_UNDATED.format(n=report.undated))
    if report.overdue:
        blocks.append(texts.DUE_OVERDUE.format(n=report.overdue))
    return texts.split_html("\n\n".join(blocks))
