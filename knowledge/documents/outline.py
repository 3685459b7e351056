"""A document as an outline of lines (headings, list items, paragraphs), each with its depth.

Built from a document's stored chunks in order (a chunk keeps one paragraph per line), so an
answer can quote a whole unit: a clause with its points, a lead-in ("… như sau:") with every
item after it, a heading with the content under it, even when the unit runs over several
chunks. Depth follows the document's own markers: Phần/Chương/Mục/Điều have fixed ranks,
markdown headings nest by level, and every other marker (1., 1.1., a), (1), -, +, •) nests
by the order in which it appears, as in the splitter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.documents.reflow import match_heading
from knowledge.documents.roles import line_role
from knowledge.models import StoredChunk
from knowledge.text import split_sentences

_FIXED = {"closing": 0, "phuluc": 0, "phan": 1, "chuong": 2, "muc": 3, "dieu": 4}
_DASH = re.compile(r"^\s*(?:(?P<dash>[-–—]|->)|(?P<plus>\+)|(?P<bullet>[•·▪●])|(?P<star>\*(?!\*)))\s+")
_LIST_KINDS = ("dash", "plus", "bullet", "star")
# A line that announces what follows: "… như sau:", "Hồ sơ gồm:", "… những trường hợp sau đây:".
_LEAD_END = re.compile(r"(?:[:：]|\b(?:như sau|sau đây|dưới đây))\s*[.…]?\s*$", re.IGNORECASE)
# "Điều 2." "Chương II" "1." alone: a heading whose title is on the next line or absent.
_BARE_MARK = re.compile(
    r"^(?:#+\s*)?(?:Điều\s+\d+|Chương\s+[IVXL\d]+|Mục\s+[IVXL\d]+|Phần\s+\S+)\s*[.:]?\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class Line:
    """One paragraph of a document, where it sits and what it is."""

    index: int  # position in the outline
    chunk_id: str  # the stored chunk that holds it
    text: str
    kind: str  # a heading kind (dieu, num2, md3, point…), a list kind (dash, plus…), or "para"
    depth: int
    lead_in: bool  # announces a list or steps
    closing: bool = False  # in the distribution list and signature block ("Nơi nhận: …")
    role: str | None = None  # report role: result | shortcoming | request (documents.roles)

    @property
    def structural(self) -> bool:
        """A heading of the document's hierarchy (not an item of a list, not a paragraph)."""
        return self.kind in _FIXED or self.kind.startswith("md") or self.kind in ("roman", "alpha", "topic")

    @property
    def content(self) -> str:
        """The line without the questions it asks (an FAQ heading or a quiz line is not an answer)."""
        if "?" not in self.text:
            return self.text
        return " ".join(s for s in split_sentences(self.text) if not s.rstrip(" )\"”'").endswith("?"))

    @property
    def heading_like(self) -> bool:
        """A heading by its look: a marked title line that does not end like a sentence."""
        if self.structural or self.bare:
            return True
        text = self.text.rstrip()
        return self.kind not in ("para",) + _LIST_KINDS and len(text) < 120 and not text.endswith((".", ";", ":", "?"))

    @property
    def bare(self) -> bool:
        """A heading that carries no content of its own ("Điều 2.", "Chương II")."""
        return bool(_BARE_MARK.match(self.text))


def line_kind(text: str) -> str:
    """The kind of a paragraph: a heading kind from the splitter, a list marker, or "para"."""
    m = _DASH.match(text)
    if m:
        return next(k for k in _LIST_KINDS if m.group(k))
    h = match_heading(text)
    if h is not None:
        return "md" + h.kind[2:] if h.kind.startswith("md") else h.kind
    return "para"


def is_lead_in(text: str) -> bool:
    """True when a paragraph announces items after it (it ends with ':' or "như sau")."""
    return bool(_LEAD_END.search(text.rstrip("*_ ")))


class Outline:
    """The lines of one document in order, with depth, extent and parents."""

    def __init__(self, doc_id: str, lines: Sequence[Line], title: str = "", issued: str | None = None) -> None:
        self.doc_id = doc_id
        self.lines = list(lines)
        self.title = title  # the document's code and title: the context of every line
        self.issued = issued  # the document's date (ISO): what it reports happened then
        self._ends = self._compute_ends()

    @classmethod
    def build(cls, chunks: Sequence[StoredChunk]) -> Outline:
        """The outline of a document from its chunks (in position order)."""
        doc_id = chunks[0].doc_id if chunks else ""
        stack: list[tuple[str, bool, int]] = []  # (kind, lead-in, items seen under it)
        lines: list[Line] = []
        closing = False
        for chunk in chunks:
            for raw in chunk.text.split("\n"):
                text = raw.strip()
                if not text:
                    continue
                kind = line_kind(text)
                if kind in _FIXED:
                    closing = kind == "closing"
                lead = is_lead_in(text)
                depth = _place(stack, kind, lead)
                lines.append(Line(len(lines), chunk.chunk_id, text, kind, depth, lead, closing, line_role(text)))
        meta = chunks[0].meta if chunks else None
        title = " ".join(x for x in (meta.code, meta.doc_type, meta.title) if x) if meta else ""
        return cls(doc_id, lines, title, meta.issue_date if meta else None)

    def _compute_ends(self) -> list[int]:
        ends = [len(self.lines)] * len(self.lines)
        open_: list[int] = []
        for i, line in enumerate(self.lines):
            while open_ and self.lines[open_[-1]].depth >= line.depth:
                ends[open_.pop()] = i
            open_.append(i)
        return ends

    def extent(self, i: int) -> range:
        """Line ``i`` and everything under it."""
        return range(i, self._ends[i])

    def parent(self, i: int) -> int | None:
        """The nearest line above ``i`` that contains it."""
        depth = self.lines[i].depth
        for j in range(i - 1, -1, -1):
            if self.lines[j].depth < depth:
                return j
        return None

    def ancestors(self, i: int) -> list[int]:
        """Every containing line of ``i``, innermost first."""
        out = []
        j = self.parent(i)
        while j is not None:
            out.append(j)
            j = self.parent(j)
        return out

    def children(self, i: int) -> list[int]:
        """The lines directly under ``i``."""
        span = self.extent(i)
        if len(span) <= 1:
            return []
        depth = min(self.lines[j].depth for j in span[1:])
        return [j for j in span[1:] if self.lines[j].depth == depth]

    def index_of_chunk(self, chunk_id: str) -> list[int]:
        """The lines a chunk holds."""
        return [line.index for line in self.lines if line.chunk_id == chunk_id]


def _place(stack: list[tuple[str, bool, int]], kind: str, lead: bool) -> int:
    """Update the open-units stack for a new line; returns the line's depth."""
    if kind in _FIXED:
        rank = _FIXED[kind]
        cut = next((i for i, (k, _, _) in enumerate(stack) if k in _FIXED and _FIXED[k] >= rank), None)
        if cut is not None:
            del stack[cut:]
        elif kind in ("phan", "chuong", "closing", "phuluc"):
            stack.clear()
    elif kind.startswith("md"):
        level = int(kind[2:])
        while stack and not (
            stack[-1][0] in _FIXED or (stack[-1][0].startswith("md") and int(stack[-1][0][2:]) < level)
        ):
            stack.pop()
    elif kind == "para":
        top = stack[-1] if stack else None
        if top is not None and top[1] and top[2] == 0:
            # the first paragraphs after a lead-in without markers are its items
            depth = len(stack) + 1
            if lead:
                stack.append(("para", True, 0))
            return depth
        while stack and (stack[-1][0] in _LIST_KINDS or stack[-1][0] == "lead"):
            stack.pop()
        depth = len(stack) + 1
        if lead:
            stack.append(("lead", True, 0))
        return depth
    elif kind.startswith("num"):
        # decimal numbering nests by its dots: "23." closes an open "22.1.2." as well as "22."
        level = int(kind[3:])
        cut = next((i for i, (k, _, _) in enumerate(stack) if k.startswith("num") and int(k[3:]) >= level), None)
        if cut is not None:
            del stack[cut:]
    else:
        cut = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == kind), None)
        if cut is not None:
            del stack[cut:]
    if stack:
        k, is_lead, seen = stack[-1]
        stack[-1] = (k, is_lead, seen + 1)
    stack.append((kind, lead, 0))
    return len(stack)
