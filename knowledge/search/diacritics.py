"""Diacritic restoration for questions typed without marks, learnt from the ingested documents.

"doan kiem tra gom nhung ai" → "đoàn kiểm tra gồm những ai". A syllable bigram model over the
knowledge base's own text picks, for each folded syllable, the accented form that best fits its
neighbours (Viterbi). It only ever proposes spellings that occur in the documents, so it restores
the vocabulary the retrieval legs can match; unknown syllables are left as typed.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from knowledge.text import fold

_SYL = re.compile(r"[^\W\d_]+", re.UNICODE)


class DiacriticRestorer:
    """A bigram model of accented syllables keyed by their folded form."""

    def __init__(self, texts: Iterable[str], *, candidates: int = 6, mix: float = 0.8) -> None:
        unigrams: Counter[str] = Counter()
        bigrams: Counter[tuple[str, str]] = Counter()
        for text in texts:
            for line in text.lower().splitlines():
                syls = _SYL.findall(line)
                unigrams.update(syls)
                bigrams.update(zip(syls, syls[1:]))
        self._learn(unigrams, bigrams, candidates, mix)

    @classmethod
    def from_counts(
        cls, unigrams: Counter[str], bigrams: Counter[tuple[str, str]], *, candidates: int = 6, mix: float = 0.8
    ) -> DiacriticRestorer:
        """The restorer whose counts these are (``unigrams`` in the order the texts gave them, as
        ``self.unigrams`` holds them): it restores exactly as the one learnt from the texts."""
        self = cls.__new__(cls)
        self._learn(unigrams, bigrams, candidates, mix)
        return self

    def _learn(self, unigrams: Counter[str], bigrams: Counter[tuple[str, str]], candidates: int, mix: float) -> None:
        self.unigrams = unigrams
        self.bigrams = bigrams
        forms: dict[str, Counter[str]] = defaultdict(Counter)
        for syl, n in self.unigrams.items():
            forms[fold(syl)][syl] += n
        # ties keep the order of first occurrence, so the counts' order is part of the model
        self.forms = {k: [w for w, _ in c.most_common(candidates)] for k, c in forms.items()}
        self.total = sum(self.unigrams.values()) or 1
        self.candidates = candidates
        self.mix = mix

    def _logp(self, prev: str | None, word: str) -> float:
        uni = (self.unigrams[word] + 0.1) / self.total
        if prev is None or not self.unigrams[prev]:
            return math.log(uni)
        bi = self.bigrams[(prev, word)] / self.unigrams[prev]
        return math.log(self.mix * bi + (1 - self.mix) * uni)

    def restore(self, text: str) -> str:
        """The text with marks restored on syllables the documents know; others untouched."""
        matches = list(_SYL.finditer(text))
        if not matches:
            return text
        lattice = [self.forms.get(m.group(0).lower(), [m.group(0).lower()]) for m in matches]
        # Viterbi over the candidate forms
        best: list[dict[str, tuple[float, str | None]]] = []
        for i, cands in enumerate(lattice):
            column: dict[str, tuple[float, str | None]] = {}
            for w in cands:
                if i == 0:
                    column[w] = (self._logp(None, w), None)
                else:
                    column[w] = max(
                        ((score + self._logp(p, w), p) for p, (score, _) in best[-1].items()), key=lambda t: t[0]
                    )
            best.append(column)
        word = max(best[-1].items(), key=lambda kv: kv[1][0])[0]
        chosen = [word]
        for i in range(len(best) - 1, 0, -1):
            word = best[i][word][1]  # type: ignore[assignment]
            chosen.append(word)
        chosen.reverse()
        out, pos = [], 0
        for m, w in zip(matches, chosen):
            out.append(text[pos : m.start()])
            typed = m.group(0)
            out.append(w.capitalize() if typed[:1].isupper() else w)
            pos = m.end()
        out.append(text[pos:])
        return "".join(out)
