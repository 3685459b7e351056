"""The extractive answer's text: chosen units verbatim, Telegram-sized, each with its citation.

A unit is shown as the document wrote it: a lead-in with its items in order, a clause with
its points. A long unit is trimmed with "…" (each item shortened evenly, then the last items
dropped) so the answer fits a phone screen; the whole section stays one tap away.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.answer.selection import Unit
from knowledge.documents.clean import for_display
from knowledge.documents.outline import Outline
from knowledge.text import split_sentences

MAX_ANSWER_CHARS = 2500
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


RELEVANT = 0.2  # a line that scores this much (share of the question it covers) matters to the question
LINE_CAP = 700  # the most a single line may take when others compete for the room
LIST_LINE_CAP = 1200  # ... or a line that holds the asked list inline ("(1) …; (2) …")


def _fit(
    texts: list[str], budget: int, scores: list[float] | None = None, keep_all: bool = False
) -> tuple[list[str], bool]:
    """The lines of a unit within ``budget`` characters: the head, then the lines that matter most
    (by ``scores``) as whole as the room allows, the others shortened or left out ("…"); with
    ``keep_all`` (a list asked for) every item keeps at least its start."""
    total = sum(len(x) + 1 for x in texts)
    if total <= budget:
        return texts, False
    head, body = shorten(texts[0], 400), texts[1:]
    if not body:
        return [shorten(texts[0], budget)], True
    scores = scores or [1.0] * len(texts)
    left = budget - len(head) - 1
    alloc = [0] * len(body)
    if keep_all:
        base = min(100, max(40, left // len(body) - 2))
        if base * len(body) + len(body) <= left:
            for i, line in enumerate(body):
                alloc[i] = min(len(line), base)
            left -= sum(alloc) + len(body)
    order = sorted(range(len(body)), key=lambda i: (-scores[i + 1], i))
    for relevant_pass in (True, False):
        for i in order:
            if (scores[i + 1] >= RELEVANT) != relevant_pass or left <= 40:
                continue
            cap = LIST_LINE_CAP if keep_all and enumerates(body[i]) else LINE_CAP
            want = min(len(body[i]), cap if relevant_pass else 300) - alloc[i]
            give = min(want, left - (0 if alloc[i] else 1))
            if give <= 0 or (not alloc[i] and give < 40):
                continue
            left -= give + (0 if alloc[i] else 1)
            alloc[i] += give
    out = [head]
    for line, n in zip(body, alloc):
        if n == 0:
            if out[-1] != "…":
                out.append("…")
        else:
            out.append(line if n >= len(line) else shorten(line, n))
    return out, True


_ENUM_MARK = re.compile(r"(?:^|[\s:;,])\(?(\d{1,2}|[a-zđ])\)\s")


def enumerates(text: str) -> bool:
    """Whether a line holds a list written inline: "(1) …; (2) …; (3) …" or "a) …, b) …, c) …"
    (at least three markers counting on from the first)."""
    marks = [m.group(1) for m in _ENUM_MARK.finditer(text)]
    for start in range(len(marks)):
        run = 1
        for mark in marks[start + 1 :]:
            if mark == _next_mark(marks[start], run):
                run += 1
        if run >= 3:
            return True
    return False


def _next_mark(first: str, step: int) -> str:
    if first.isdigit():
        return str(int(first) + step)
    letters = "abcdđeghiklmnopqrstuvxy"
    at = letters.find(first)
    return letters[at + step] if at >= 0 and at + step < len(letters) else ""


def focused(text: str, relevant: Callable[[str], float]) -> str:
    """A long paragraph cut to its first sentence and the sentences that matter ("…" between)."""
    if len(text) <= LONG_PARAGRAPH:
        return text
    sentences = split_sentences(text)
    if len(sentences) < 2:
        return text
    keep = [n == 0 or relevant(s) >= RELEVANT for n, s in enumerate(sentences)]
    out: list[str] = []
    for n, (sentence, kept) in enumerate(zip(sentences, keep)):
        if kept:
            out.append(sentence)
        elif n > 0 and keep[n - 1]:
            out.append("…")
    return " ".join(out)


def show_units(
    units: Sequence[Unit],
    outline_of: Callable[[str], Outline],
    *,
    max_chars: int | None = None,
    relevant: Callable[[str], float] | None = None,
    whole_lists: bool = True,
) -> list[Shown]:
    """Display text for each chosen unit within the answer's budget (the first gets the most).

    ``relevant`` scores how much a sentence or line matters to the question: a long paragraph
    quoted on its own keeps its first sentence and those that matter; a block keeps its head and
    gives its room to the lines that matter most. With ``whole_lists`` (the question asks for a
    list, steps or a whole provision) every item of a block keeps at least its start.
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
        scores = [1.0, *(relevant(t) for t in texts[1:])] if relevant is not None else None
        if scores is not None and whole_lists:
            # a list asked for: a relevant line that lists its items inline is the answer itself
            first = max(scores[1:], default=0.0) + 0.01
            scores = [
                first if i and sc >= RELEVANT and enumerates(t) else sc for i, (sc, t) in enumerate(zip(scores, texts))
            ]
        left = len(units) - n - 1
        budget = max(300, remaining - 300 * left)
        fitted, trimmed = _fit(texts, budget, scores, keep_all=whole_lists or lines[0].lead_in)
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
