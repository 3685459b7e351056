"""Checks that a generated answer says only what its cited passages say.

Rules: every ``[n]`` names a given passage; a non-decline answer cites at least one; every
sentence that makes a claim carries a citation, or borrows one from its paragraph or an
adjacent sentence; the content words of each claim mostly occur in the passages it cites; and
every number in the answer occurs in a cited passage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from knowledge.answer.citations import CITATION_RE, parse_citations
from knowledge.answer.prompts import DECLINE_MARKER
from knowledge.text import fold, nfc, split_sentences, tokens
from knowledge.vocab import is_function_word

# Share of a claim's content syllables that must occur in its cited passages. On hand-made
# examples faithful paraphrases score 0.86-1.0 and fabricated claims 0.08-0.69, so syllables
# alone are not enough: most Vietnamese words are two syllables, and the share of the claim's
# syllable pairs found in the passages separates them (faithful 0.57-1.0, fabricated <= 0.22).
MIN_OVERLAP = 0.6
MIN_PAIR_OVERLAP = 0.35
# Sentences with fewer content syllables than this are connectives ("Cụ thể như sau:").
MIN_CLAIM_TOKENS = 3

_NUMBER_RE = re.compile(r"\d+(?:[.,/:-]\d+)*")
_LIST_MARKER_RE = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-zđ][.)]|[-*•+–])\s+", re.MULTILINE | re.IGNORECASE)
_DECLINE_RE = re.compile(r"khong[_\s]*tim[_\s]*thay", re.IGNORECASE)
_MARKUP_RE = re.compile(r"[*_`#>]+")
# "... cơ sở.[1] Trưởng đoàn" -> "... cơ sở[1]. Trưởng đoàn", so the citation stays with its sentence.
_TRAILING_CITES_RE = re.compile(r"([.!?…;:])((?:\s*\[\s*\d[\d\s,;–-]*\])+)")

@dataclass(frozen=True)
class GroundingResult:
    """The verdict on one answer; ``reason`` is a short code when ``ok`` is False."""

    ok: bool
    reason: str | None = None
    cited: tuple[int, ...] = ()
    declined: bool = False


@dataclass(frozen=True)
class _Sentence:
    text: str
    paragraph: int
    cites: tuple[int, ...]


def is_decline(text: str) -> bool:
    """True when the model used the decline marker (also spelled with spaces, as a whole reply)."""
    if DECLINE_MARKER in nfc(text):
        return True
    bare = re.sub(r"[\W_]+", " ", fold(text)).strip()
    return bool(_DECLINE_RE.fullmatch(bare))


def content_tokens(text: str) -> list[str]:
    """Folded syllables that carry meaning: no function words, no bare numbers, no citations."""
    words = tokens(CITATION_RE.sub(" ", text), folded=False)
    return [fold(t) for t in words if not is_function_word(t) and not t.isdigit()]


def _number_key(raw: str) -> str:
    parts = re.split(r"[.,/:-]", raw)
    return "/".join(p.lstrip("0") or "0" for p in parts)


def numbers_in(text: str) -> list[str]:
    """Numbers as written ("04", "02/8/2017"), ignoring citations and list numbering."""
    text = _LIST_MARKER_RE.sub(" ", CITATION_RE.sub(" ", text))
    return [m.group(0).rstrip(".,:") for m in _NUMBER_RE.finditer(text)]


def _number_keys(text: str) -> set[str]:
    keys: set[str] = set()
    for raw in numbers_in(text):
        key = _number_key(raw)
        keys.add(key)
        keys.update(key.split("/"))  # "2017" is supported by "02/8/2017"
    return keys


def claim_sentences(text: str) -> list[_Sentence]:
    """Sentences with their paragraph index; a piece holding only citations joins the one before."""
    out: list[_Sentence] = []
    for p_idx, paragraph in enumerate(re.split(r"\n\s*\n", text.strip())):
        for piece in split_sentences(paragraph):
            cites = tuple(parse_citations(piece))
            if out and out[-1].paragraph == p_idx and not CITATION_RE.sub("", piece).strip(" .,;:"):
                prev = out[-1]
                out[-1] = _Sentence(f"{prev.text} {piece}", p_idx, prev.cites + cites)
                continue
            out.append(_Sentence(piece, p_idx, cites))
    return out


def _borrowed_cites(idx: int, sentences: list[_Sentence]) -> tuple[int, ...]:
    """Citations an uncited sentence may lean on: nearest cited one in its paragraph, else a neighbour."""
    me = sentences[idx]
    same = [(abs(j - idx), -j, s.cites) for j, s in enumerate(sentences) if s.cites and s.paragraph == me.paragraph]
    if same:
        return min(same)[2]  # nearest; on a tie the following sentence (citations usually trail)
    for j in (idx - 1, idx + 1):
        if 0 <= j < len(sentences) and sentences[j].cites:
            return sentences[j].cites
    return ()


def overlap(claim: str, sources: Iterable[str]) -> float:
    """Share of the claim's content syllables found in the sources (1.0 when it has none)."""
    words = content_tokens(claim)
    if not words:
        return 1.0
    vocab: set[str] = set()
    for source in sources:
        vocab.update(tokens(source))
    return sum(w in vocab for w in words) / len(words)


def pair_overlap(claim: str, sources: Iterable[str]) -> float:
    """Share of the claim's adjacent-syllable pairs (not both stopwords) found in the sources."""
    words = [t for t in tokens(CITATION_RE.sub(" ", claim), folded=False) if not t.isdigit()]
    pairs = [(fold(a), fold(b)) for a, b in zip(words, words[1:]) if not (is_function_word(a) and is_function_word(b))]
    if len(pairs) < MIN_CLAIM_TOKENS:
        return 1.0
    vocab: set[tuple[str, str]] = set()
    for source in sources:
        source_words = tokens(source)
        vocab.update(zip(source_words, source_words[1:]))
    return sum(p in vocab for p in pairs) / len(pairs)


def validate_answer(text: str, passages: Mapping[int, str], *, min_overlap: float = MIN_OVERLAP) -> GroundingResult:
    """Judge an answer against the passages it may cite (``n -> header + text``)."""
    if not (text or "").strip():
        return GroundingResult(False, "empty")
    if is_decline(text):
        return GroundingResult(True, None, (), declined=True)
    clean = _TRAILING_CITES_RE.sub(lambda m: f"{m.group(2)}{m.group(1)}", _MARKUP_RE.sub(" ", nfc(text)).strip())

    cited_all = parse_citations(clean)
    cited = tuple(dict.fromkeys(cited_all))
    if any(n not in passages for n in cited):
        return GroundingResult(False, "invalid_citation", cited)
    if not cited:
        return GroundingResult(False, "no_citation")

    sentences = claim_sentences(clean)
    claims: list[tuple[str, tuple[int, ...]]] = []
    for idx, sentence in enumerate(sentences):
        claim = _LIST_MARKER_RE.sub("", sentence.text)
        if len(content_tokens(claim)) < MIN_CLAIM_TOKENS and not numbers_in(claim):
            continue  # a connective such as "Cụ thể như sau:"
        cites = sentence.cites or _borrowed_cites(idx, sentences)
        if not cites:
            return GroundingResult(False, "uncited_claim", cited)
        claims.append((claim, cites))

    for claim, cites in claims:
        sources = [passages[n] for n in cites]
        source_numbers = set().union(*(_number_keys(s) for s in sources))
        if any(_number_key(n) not in source_numbers for n in numbers_in(claim)):
            return GroundingResult(False, "unsupported_number", cited)
        if len(content_tokens(claim)) >= MIN_CLAIM_TOKENS and (
            overlap(claim, sources) < min_overlap or pair_overlap(claim, sources) < MIN_PAIR_OVERLAP
        ):
            return GroundingResult(False, "low_overlap", cited)
    return GroundingResult(True, None, cited)
