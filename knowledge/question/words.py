"""Vietnamese words: syllables grouped into dictionary words.

Vietnamese writes every syllable apart, so "quyền" (a right) is a syllable of "ủy quyền" (to
authorise) and of "thẩm quyền" (competence) as well. A question's word must match a passage's
word, never a syllable inside another word: a question is read into words by longest match
against a dictionary (pyvi's Vietnamese word list, with our tone placement, plus the party
vocabulary in ``knowledge/data/words.txt``), and in a passage a one-syllable word counts only
where it is not the tail of a dictionary word ("quyền" in "Đảng viên có quyền:" yes, in "được ủy
quyền" no). Compounds are head-first in Vietnamese, so a word still matches as the head of a
longer one ("quyền" in "quyền lợi").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from knowledge.text import CODE_RE, code_token, fold, nfc, normalize_tones

MAX_WORD = 4  # syllables in the longest dictionary word matched

_SYL = re.compile(r"[^\W\d_]+|\d+(?:[.,/]\d+)*%?", re.UNICODE)


def syllables(text: str) -> list[str]:
    """Lower-case syllables and numbers of a text (document codes as one token each)."""
    text = nfc(text)
    out: list[str] = []
    pos = 0
    for m in CODE_RE.finditer(text):
        out.extend(s.lower() for s in _SYL.findall(text[pos : m.start()]))
        out.append(code_token(m.group(0)))
        pos = m.end()
    out.extend(s.lower() for s in _SYL.findall(text[pos:]))
    return out


@dataclass(frozen=True)
class Lexicon:
    """Dictionary words of two or more syllables, joined by "_", accented and folded."""

    accented: frozenset[str]
    folded: frozenset[str]

    def is_word(self, syllables: Sequence[str], *, folded: bool) -> bool:
        """Whether these syllables (lower case) spell one dictionary word."""
        return "_".join(syllables) in (self.folded if folded else self.accented)


def _pyvi_words() -> list[str]:
    """pyvi's word list (the dictionary its segmenter uses), without importing its model."""
    try:
        import pyvi
    except ImportError:  # pragma: no cover - pyvi is a dependency
        return []
    path = Path(pyvi.__file__).parent / "models" / "words.txt"
    if not path.is_file():  # pragma: no cover
        return []
    return path.read_text(encoding="utf-8").splitlines()


def _party_words() -> list[str]:
    text = resources.files("knowledge").joinpath("data/words.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@functools.cache
def lexicon() -> Lexicon:
    """The dictionary, loaded once (about 0.2 s)."""
    accented: set[str] = set()
    for line in [*_pyvi_words(), *_party_words()]:
        syllables = normalize_tones(line.strip().lower()).split()
        if 2 <= len(syllables) <= MAX_WORD:
            accented.add("_".join(syllables))
    return Lexicon(frozenset(accented), frozenset(fold(w) for w in accented))


def capitalised(text: str) -> list[bool]:
    """For each syllable of ``syllables(text)``, whether it is written with a capital letter."""
    text = nfc(text)
    out: list[bool] = []
    pos = 0
    for m in CODE_RE.finditer(text):
        out.extend(s[0].isupper() for s in _SYL.findall(text[pos : m.start()]))
        out.append(False)
        pos = m.end()
    out.extend(s[0].isupper() for s in _SYL.findall(text[pos:]))
    return out


def group_words(
    syllables: Sequence[str], *, folded: bool, names: Sequence[bool] | None = None
) -> list[tuple[int, int]]:
    """(start, stop) spans of the words of a syllable sequence: longest dictionary match from the
    left; with ``names`` (which syllables are capitalised), a run of capitalised syllables after the
    first one is one proper name ("Hà Nội", "Long Biên") whatever the dictionary says."""
    lex = lexicon()
    spans: list[tuple[int, int]] = []
    i = 0
    n = len(syllables)
    while i < n:
        stop = i + 1
        if names is not None and i > 0 and names[i]:
            while stop < n and names[stop] and stop - i < MAX_WORD:
                stop += 1
            if stop - i > 1:
                spans.append((i, stop))
                i = stop
                continue
            stop = i + 1
        for k in range(min(MAX_WORD, n - i), 1, -1):
            if lex.is_word(syllables[i : i + k], folded=folded):
                stop = i + k
                break
        spans.append((i, stop))
        i = stop
    return spans


def tails(syllables: Sequence[str]) -> list[bool]:
    """For each syllable of a passage (lower case, accented), whether it ends a dictionary word
    that starts before it ("quyền" in "ủy quyền")."""
    lex = lexicon().accented
    out = [False] * len(syllables)
    for i in range(1, len(syllables)):
        for k in range(2, min(MAX_WORD, i + 1) + 1):
            if "_".join(syllables[i - k + 1 : i + 1]) in lex:
                out[i] = True
                break
    return out
