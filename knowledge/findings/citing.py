"""Citations and plain declines shared by the findings answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.models import Answer, Citation, DocumentMeta, StoredChunk

MAX_LINES = 14
STRONG = 0.45  # share of the question's topic (IDF-weighted) a finding must cover to answer a topic question


@dataclass
class Cites:
    """Numbered citations, one per quoted passage, in order of first use."""

    chunks: dict[tuple[str, int], StoredChunk]
    numbers: dict[tuple[str, int], int] = field(default_factory=dict)
    quotes: dict[tuple[str, int], list[str]] = field(default_factory=dict)

    def cite(self, doc_id: str, position: int, quote: str) -> str:
        key = (doc_id, position)
        if key not in self.chunks:
            return ""
        n = self.numbers.setdefault(key, len(self.numbers) + 1)
        if quote not in self.quotes.setdefault(key, []):
            self.quotes[key].append(quote)
        return f" [{n}]"

    def citations(self) -> tuple[Citation, ...]:
        out = []
        for key, n in self.numbers.items():
            c = self.chunks[key]
            out.append(
                Citation(
                    n=n, chunk_id=c.chunk_id, doc_id=c.doc_id, code=c.meta.code, title=c.meta.title, section=c.section,
                    date=c.meta.issue_date, quote=" … ".join(self.quotes[key]),
                )
            )
        return tuple(out)


def label(meta: DocumentMeta) -> str:
    return f"{meta.code} ({meta.title})" if meta.code else meta.title


def declined(text: str, citations: tuple[Citation, ...] = (), suggestions: tuple[str, ...] = ()) -> Answer:
    return Answer(
        text=text, grounded=False, declined=True, citations=citations, suggestions=suggestions, mode="findings"
    )
