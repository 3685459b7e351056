"""Regulation-aware splitting: chunks end where the document's own units end."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from knowledge.documents.clean import clean_paragraph, is_furniture
from knowledge.documents.codes import unique_codes
from knowledge.documents.reflow import Heading, match_heading, paragraphs
from knowledge.documents.units import find_units
from knowledge.models import Chunk, DocumentMeta, LoadedDocument

# Units with a fixed place in the hierarchy (smaller = higher); everything else nests by order.
_FIXED = {"closing": 0, "phuluc": 0, "phan": 1, "chuong": 2, "muc": 3, "dieu": 4}
# Two starts of these never share a chunk (plus whatever kind sits at the top of a document).
_BARRIER = {"closing", "phuluc", "phan", "chuong", "muc", "dieu", "roman", "alpha", "md1", "md2"}
_SENTENCE_END = re.compile(r"(?<=[.;:!?…])\s+(?=[\"“(\[]?[A-ZĐÀ-Ỹ0-9\-+•])")
_CLAUSE_END = re.compile(r"(?<=[;,])\s+")
_LABEL_CHARS = 48


@dataclass
class _Entry:
    kind: str
    label: str
    marker: str


@dataclass
class _Block:
    """Consecutive pieces of text with one section path (before merging)."""

    path: tuple[str, ...]
    markers: tuple[str, ...]
    pieces: list[tuple[str, str]] = field(default_factory=list)  # (separator before, text)
    started: set[str] = field(default_factory=set)  # heading kinds that start inside
    zone: str = "body"  # preamble | body | closing

    @property
    def size(self) -> int:
        return sum(len(text) + 1 for _, text in self.pieces) - 1 if self.pieces else 0

    def text(self) -> str:
        out = ""
        for sep, piece in self.pieces:
            out = f"{out}{sep}{piece}" if out else piece
        return out


def shorten(text: str, limit: int = _LABEL_CHARS) -> str:
    """A heading title cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.replace("*", "").split()).rstrip(" :.;,")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return f"{cut}…"


def _title_like(rest: str, kind: str) -> bool:
    rest = rest.strip()
    if not rest:
        return False
    if kind in ("num1", "roman", "alpha") and re.match(r"\(?(Điều|Khoản)\s+\d", rest):
        return True  # "4. Điều 5: Về thời hạn…" names the article it implements
    if len(rest) > 100 or rest.endswith((";", ",")):
        return False
    return not rest.endswith(".") or len(rest) <= 70


def _entry(h: Heading, parent: _Entry | None, has_dieu: bool) -> _Entry:
    mark = h.mark.rstrip(".")
    if h.kind == "closing":
        return _Entry(h.kind, "Nơi nhận", "Nơi nhận")
    if h.kind.startswith("md"):
        found = match_heading(h.rest)
        marker = found.mark.rstrip(".") if found else ""
        return _Entry(h.kind, shorten(h.rest), marker)
    if h.kind in ("phan", "chuong", "muc", "phuluc"):
        label = " ".join(h.mark.split())
        label = label[0] + label[1:].lower() if label.isupper() else label
        return _Entry(h.kind, label, label)
    if h.kind == "dieu":
        title = shorten(h.rest, 40) if h.rest else ""
        return _Entry(h.kind, f"{mark}. {title}" if title else mark, mark)
    if has_dieu and parent is not None:
        if h.kind == "num1" and parent.kind == "dieu":
            return _Entry(h.kind, f"Khoản {mark}", f"Khoản {mark}")
        if h.kind == "point" and parent.kind in ("dieu", "num1"):
            return _Entry(h.kind, f"Điểm {mark.rstrip(')')}", f"Điểm {mark.rstrip(')')}")
    shown = h.mark if h.kind in ("point", "paren", "numparen", "buoc", "topic") else f"{mark}."
    if h.kind == "buoc":
        shown = f"{mark}:"
    if h.kind == "topic":
        return _Entry(h.kind, shorten(h.mark), shorten(h.mark))
    label = f"{shown} {shorten(h.rest, 40)}" if _title_like(h.rest, h.kind) else shown
    return _Entry(h.kind, label.strip(), mark)


def _push(stack: list[_Entry], h: Heading, has_dieu: bool) -> None:
    if h.kind in _FIXED:
        # Only a unit of the same or a lower fixed rank closes; a section such as
        # "I- QUY ĐỊNH CHUNG" above the articles stays open.
        rank = _FIXED[h.kind]
        cut = next((i for i, e in enumerate(stack) if e.kind in _FIXED and _FIXED[e.kind] >= rank), None)
        if cut is not None:
            del stack[cut:]
        elif stack and h.kind in ("phan", "chuong", "closing", "phuluc"):
            stack.clear()
    elif h.kind.startswith("md"):
        level = int(h.kind[2:])
        while stack and not (stack[-1].kind in _FIXED or (stack[-1].kind.startswith("md") and int(stack[-1].kind[2:]) < level)):
            stack.pop()
    else:
        cut = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].kind == h.kind), None)
        if cut is not None:
            del stack[cut:]
    stack.append(_entry(h, stack[-1] if stack else None, has_dieu))


def _blocks(paras: list[str]) -> list[_Block]:
    heads = [match_heading(p) for p in paras]
    has_dieu = any(h and h.kind == "dieu" for h in heads)
    stack: list[_Entry] = []
    blocks: list[_Block] = []
    zone = "preamble"
    for para, head in zip(paras, heads):
        if head is not None:
            _push(stack, head, has_dieu)
            zone = "closing" if stack[0].kind == "closing" else "body"
            path = tuple(e.label for e in stack)
            blocks.append(_Block(path, tuple(e.marker for e in stack), started={head.kind}, zone=zone))
        elif not blocks:
            blocks.append(_Block((), (), zone="preamble"))
        blocks[-1].pieces.append(("\n", para))
    return blocks


def _split_long(piece: str, max_chars: int) -> list[tuple[str, str]]:
    """A paragraph longer than max_chars cut on sentences, then clauses, then spaces."""
    if len(piece) <= max_chars:
        return [("\n", piece)]
    out: list[tuple[str, str]] = []
    for pattern in (_SENTENCE_END, _CLAUSE_END, re.compile(r"\s+")):
        parts = pattern.split(piece)
        if len(parts) > 1:
            break
    else:
        parts = [piece[i : i + max_chars] for i in range(0, len(piece), max_chars)]
    for i, part in enumerate(parts):
        sub = _split_long(part, max_chars) if len(part) > max_chars else [("\n", part)]
        for j, (_, text) in enumerate(sub):
            out.append(("\n" if i == 0 and j == 0 else " ", text))
    return out


def _pack(block: _Block, max_chars: int) -> list[_Block]:
    """A block cut into pieces of at most max_chars, balanced in size."""
    if block.size <= max_chars:
        return [block]
    pieces: list[tuple[str, str]] = []
    for sep, text in block.pieces:
        parts = _split_long(text, max_chars)
        pieces.append((sep, parts[0][1]))
        pieces.extend(parts[1:])
    total = sum(len(t) + 1 for _, t in pieces)
    target = total / math.ceil(total / max_chars)
    out: list[_Block] = []
    cur: _Block | None = None
    for sep, text in pieces:
        if cur is not None and (cur.size + len(text) + 1 > max_chars or cur.size >= target):
            out.append(cur)
            cur = None
        if cur is None:
            cur = _Block(block.path, block.markers, zone=block.zone)
            cur.started = set() if out else set(block.started)
        cur.pieces.append((sep, text))
    if cur is not None:
        out.append(cur)
    return out


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


@dataclass
class _Group:
    blocks: list[_Block]
    base: tuple[str, ...]
    barrier: set[str]

    @property
    def size(self) -> int:
        return sum(b.size + 1 for b in self.blocks) - 1

    def path(self) -> tuple[str, ...]:
        # A bare heading ("Chương II", "1.1. Về tuổi đời.") merged with what follows does not
        # widen the path: the passage is about the content under it.
        content = [b for b in self.blocks if not (_bare(b) and b.started & self.barrier)] or self.blocks
        if len(content) == 1:
            return content[0].path
        depth = min(len(b.path) for b in content)
        depth = min(depth, *(_common(content[0].path, b.path) for b in content[1:]))
        base = content[0].path[:depth]
        if any(len(b.path) <= depth for b in content):
            return base
        markers = [b.markers[depth] for b in content]
        labels = [b.path[depth] for b in content]
        if len(set(labels)) == 1:
            return base + (labels[0],)
        first, last = markers[0], markers[-1]
        if not first or not last:
            return base
        prefix = ""
        for word in ("Khoản ", "Điểm ", "Bước "):
            if first.startswith(word) and last.startswith(word):
                prefix, first, last = word, first[len(word) :], last[len(word) :]
        return base + (f"{prefix}{first}–{last}",)


def _bare(block: _Block) -> bool:
    """A heading with at most a short title line under it and no content of its own."""
    if not block.started or block.size > 200:
        return False
    rest = [text for _, text in block.pieces[1:]]
    return not rest or (len(rest) == 1 and len(rest[0]) <= 120 and not any(ch.islower() for ch in rest[0]))


def _can_merge(g: _Group, b: _Block, max_chars: int, min_chars: int, barrier: set[str]) -> bool:
    last = g.blocks[-1]
    if last.zone != b.zone or g.size + b.size + 1 > max_chars:
        return False
    if g.size >= min_chars and b.size >= min_chars:
        return False
    if b.zone != "body":
        return True
    inside = b.path[: len(g.base)] == g.base
    sibling = len(g.base) > 0 and g.base[:-1] == b.path[:-1]
    if not (inside or sibling):
        return False
    if b.started & barrier:
        # A new article/section/top-level point only joins the bare headings above it.
        return inside and all(_bare(x) and x.started & barrier for x in g.blocks)
    return True


def cap_path(path: tuple[str, ...], max_chars: int) -> tuple[str, ...]:
    """A section path no longer than max_chars once joined: the top level, "…", then the deepest levels that fit.

    Real documents stay far below the default (200); a file numbered 400 levels deep would
    otherwise put a 10 KB breadcrumb on every passage.
    """
    if len(" › ".join(path)) <= max_chars:
        return path
    if len(path) == 1:
        return (shorten(path[0], max_chars),)
    head = shorten(path[0], max_chars // 3)
    tail: list[str] = []
    room = max_chars - len(head) - len(" › … › ")
    for label in reversed(path[1:]):
        if len(label) + 3 > room:
            break
        tail.insert(0, label)
        room -= len(label) + 3
    if not tail:
        tail = [shorten(path[-1], max(8, room))]
    return (head, "…", *tail)


def split_document(
    doc: LoadedDocument, meta: DocumentMeta, *, max_chars: int = 1100, min_chars: int = 250, max_path_chars: int = 200
) -> list[Chunk]:
    """Cut a document into passages along its parts, chapters, articles, clauses and points."""
    paras = [clean_paragraph(p) for p in paragraphs(doc.text) if not is_furniture(p)]
    blocks = [piece for block in _blocks([p for p in paras if p]) for piece in _pack(block, max_chars)]
    barrier = _BARRIER | {_kind_of_top(b) for b in blocks if b.started and len(b.path) == 1}
    groups: list[_Group] = []
    for block in blocks:
        if groups and _can_merge(groups[-1], block, max_chars, min_chars, barrier):
            g = groups[-1]
            g.blocks.append(block)
            g.base = g.base[: _common(g.base, block.path)]
        else:
            groups.append(_Group([block], block.path, barrier))
    chunks: list[Chunk] = []
    for pos, g in enumerate(groups):
        text = "\n".join(b.text() for b in g.blocks)
        chunks.append(
            Chunk(
                doc_id=doc.doc_id,
                position=pos,
                text=text,
                section_path=cap_path(g.path(), max_path_chars),
                units=find_units(text),
                codes=unique_codes(text),
            )
        )
    return chunks


def _kind_of_top(block: _Block) -> str:
    return next(iter(block.started))


def breadcrumb(meta: DocumentMeta, chunk: Chunk) -> str:
    """Where a passage sits: "294-QĐ/TW › Chương II › Điều 5 › Khoản 1" (title when no code)."""
    return " › ".join((meta.code or meta.title, *chunk.section_path))


def passage_text(meta: DocumentMeta, chunk: Chunk) -> str:
    """The text that gets embedded and indexed: the breadcrumb line, then the passage."""
    return f"{breadcrumb(meta, chunk)}\n{chunk.text}"
