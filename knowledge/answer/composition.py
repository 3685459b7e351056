"""The extractive answer's text: chosen units verbatim, Telegram-sized, each with its citation.

A unit is shown as the document wrote it: a lead-in with its items in order, a clause with
its points. A long unit is trimmed with "…" (each item shortened evenly, then the last items
dropped) so the answer fits a phone screen; the whole section stays one tap away.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.answer.selection import Unit
from knowledge.documents.clean import for_display
from knowledge.documents.outline import Outline
from knowledge.text import split_sentences

MAX_ANSWER_CHARS = 1800
MIN_LINE_CHARS = 160
LONG_PARAGRAPH = 350  # a paragraph quoted alone keeps only its sentences that matter beyond this


@dataclass(frozen=True)
class Shown:
    """A unit (or a fact about a document) as it appears in the answer, and the chunk it cites."""

    unit: Unit | None
    chunk_id: str
    text: str  # display text, possibly trimmed
    trimmed: bool


def shorten(text: str, limit: int) -> str:
    """Text cut at a word boundary before ``limit`` characters, with "…" when cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)].rsplit(" ", 1)[0].rstrip(" ,;:-–")
    return f"{cut} …"


def _fit(lines: list[str], budget: int) -> tuple[list[str], bool]:
    total = sum(len(x) + 1 for x in lines)
    if total <= budget:
        return lines, False
    head, body = lines[0], lines[1:]
    if not body:
        return [shorten(head, budget)], True
    room = budget - min(len(head), 400) - 1
    cap = max(MIN_LINE_CHARS, room // len(body) - 1)
    out = [shorten(head, 400)]
    used = len(out[0]) + 1
    for n, line in enumerate(body):
        piece = shorten(line, cap)
        if used + len(piece) + 1 > budget and n > 0:
            out.append("…")
            break
        out.append(piece)
        used += len(piece) + 1
    return out, True


def focused(text: str, relevant: Callable[[str], bool]) -> str:
    """A long paragraph cut to its first sentence and the sentences that matter ("…" between)."""
    if len(text) <= LONG_PARAGRAPH:
        return text
    sentences = split_sentences(text)
    if len(sentences) < 2:
        return text
    keep = [n == 0 or relevant(s) for n, s in enumerate(sentences)]
    out: list[str] = []
    for n, (sentence, kept) in enumerate(zip(sentences, keep)):
        if kept:
            out.append(sentence)
        elif n > 0 and keep[n - 1]:
            out.append("…")
    return " ".join(out)


def _relevant_lines(texts: list[str], relevant: Callable[[str], bool]) -> list[str]:
    """A heading or clause with only the lines under it that matter ("…" where lines are left out)."""
    out = [texts[0]]
    for n, line in enumerate(texts[1:], start=1):
        if relevant(line):
            out.append(line)
        elif out[-1] != "…" and n < len(texts) - 1:
            out.append("…")
    while len(out) > 1 and out[-1] == "…":
        out.pop()
    if len(out) == 1 and len(texts) > 1:
        return texts  # no single line answers on its own: a bare heading would say nothing
    return out


def show_units(
    units: Sequence[Unit],
    outline_of: Callable[[str], Outline],
    *,
    max_chars: int | None = None,
    relevant: Callable[[str], bool] | None = None,
    whole_lists: bool = True,
) -> list[Shown]:
    """Display text for each chosen unit within the answer's budget (the first gets the most).

    ``relevant`` says whether a sentence or line matters to the question: a long paragraph
    quoted on its own keeps its first sentence and those; unless ``whole_lists`` (the question
    asks for a list, steps or a whole provision), a block keeps its head and those lines.
    """
    shown: list[Shown] = []
    remaining = max_chars or MAX_ANSWER_CHARS
    for n, unit in enumerate(units):
        outline = outline_of(unit.doc_id)
        lines = [outline.lines[j] for j in range(unit.start, unit.stop)]
        content = [ln for ln in lines if not ln.bare] or lines
        texts = [t for t in (for_display(ln.content) for ln in content) if t]
        if len(texts) == 1 and relevant is not None:
            texts = [focused(texts[0], relevant)]
        elif relevant is not None and not whole_lists and not lines[0].lead_in:
            texts = _relevant_lines(texts, relevant)
        left = len(units) - n - 1
        budget = max(300, remaining - 300 * left)
        fitted, trimmed = _fit(texts, budget)
        text = "\n".join(fitted)
        remaining -= len(text)
        shown.append(Shown(unit, lines[0].chunk_id, text, trimmed))
    return shown


def render(shown: Sequence[Shown], number_of: Callable[[str], int]) -> str:
    """The answer text: units one after another, each ending with its citation number."""
    parts = []
    for s in shown:
        text = s.text
        if len(shown) > 1 and "\n" not in text and not text.lstrip().startswith(("-", "+", "•", "–")):
            text = f"• {text}"
        parts.append(f"{text} [{number_of(s.chunk_id)}]")
    return "\n".join(parts)
