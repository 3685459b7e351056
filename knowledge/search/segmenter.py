"""pyvi's Vietnamese word segmenter (same model, same output) without scikit-learn.

pyvi 0.1.1 ships its CRF as a pickled ``sklearn_crfsuite.CRF``: loading it the ordinary way
imports scikit-learn and scipy, about a second of every process start. The pickle only wraps a
crfsuite model file, so the segmenter reads that file's bytes out of it with an unpickler that
knows the handful of names the pickle uses (and refuses every other), and tags with
python-crfsuite directly. The syllables, the word list and the joining rules are pyvi's.
``tests/unit/test_lexical_pyvi.py`` checks the output against pyvi's own on the corpus.
"""

from __future__ import annotations

import importlib.util
import io
import pickle
import re
import string
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

# pyvi's token grammar, tried in this order at each position (the order decides, e.g. "1.234"
# is one number token and "TP." one abbreviation). Every branch is a whole token.
_SYLLABLE_RE = re.compile(
    r"""
      [A-ZĐ]+\.                                       # upper-case abbreviation: TP., UBND.
    | (?:Tp|Mrs?|Ms|Dr|ThS)\.                         # the title-case abbreviations pyvi knows
    | ==> | -> | \.\.\. | >> | \n                     # arrows, ellipsis, line break
    | \w+://\S+                                       # web address
    | [a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+  # e-mail address
    | \d+(?:[.,_]\d+)+                                # number with separators: 1.234,5
    | [^\w\s]                                         # one punctuation mark or symbol
    | \w+                                             # a syllable
    """,
    re.VERBOSE,
)
_PUNCT = string.punctuation


def syllables(text: str) -> list[str]:
    """pyvi's tokens of ``text`` (NFC): syllables, numbers, addresses, abbreviations, marks."""
    return _SYLLABLE_RE.findall(unicodedata.normalize("NFC", text))


class _Record:
    """Stands in for a pickled object whose state we only read (the CRF and its model file)."""

    state: dict[str, Any]

    def __setstate__(self, state: object) -> None:
        if not isinstance(state, dict):
            raise pickle.UnpicklingError("unexpected state in pyvi's model pickle")
        self.state = state


class _Ignored:
    """Stands in for numpy values in the CRF's training parameters, which tagging never reads."""

    def __init__(self, *args: object) -> None:
        pass

    def __setstate__(self, state: object) -> None:
        pass


def _latin1_bytes(text: str, encoding: str) -> bytes:
    # A Python 2 protocol pickle stores bytes as ``_codecs.encode(latin-1 text, "latin1")``.
    if not isinstance(text, str) or encoding != "latin1":
        raise pickle.UnpicklingError("unexpected _codecs.encode call in pyvi's model pickle")
    return text.encode("latin1")


_PICKLE_NAMES: dict[tuple[str, str], Callable[..., object]] = {
    ("sklearn_crfsuite.estimator", "CRF"): _Record,
    ("sklearn_crfsuite._fileresource", "FileResource"): _Record,
    ("pycrfsuite._logparser", "TrainLogParser"): _Record,
    ("numpy", "dtype"): _Ignored,
    ("numpy.core.multiarray", "scalar"): _Ignored,
    ("_codecs", "encode"): _latin1_bytes,
}


class _ModelUnpickler(pickle.Unpickler):
    """Builds stand-ins for the names above and refuses any other global (no code runs)."""

    def find_class(self, module: str, name: str) -> Callable[..., object]:
        try:
            return _PICKLE_NAMES[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not expected in pyvi's model pickle") from None


def crf_model_bytes(pickled: bytes) -> bytes:
    """The crfsuite model file inside a pickled ``sklearn_crfsuite.CRF`` (pyvi's ``pyvi3.pkl``)."""
    crf = _ModelUnpickler(io.BytesIO(pickled)).load()
    modelfile = crf.state.get("modelfile") if isinstance(crf, _Record) else None
    data = modelfile.state.get("__FILE_RESOURCE_DATA__") if isinstance(modelfile, _Record) else None
    if not isinstance(data, bytes) or not data.startswith(b"lCRF"):
        raise pickle.UnpicklingError("no crfsuite model in pyvi's model pickle")
    return data


def read_ngrams(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The two- and three-syllable entries of pyvi's ``words.txt`` (split on "\\n" only, as pyvi)."""
    bi: set[str] = set()
    tri: set[str] = set()
    for entry in text.split("\n"):
        n = len(entry.split(" "))
        if n == 2:
            bi.add(entry)
        elif n == 3:
            tri.add(entry)
    return frozenset(bi), frozenset(tri)


def pyvi_models_dir() -> Path:
    """pyvi's ``models`` folder, found without importing pyvi."""
    spec = importlib.util.find_spec("pyvi")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pyvi is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class Segmenter:
    """Word segmentation with pyvi's CRF: ``"Chi bộ sinh hoạt"`` -> ``"Chi_bộ sinh_hoạt"``."""

    def __init__(self, model: bytes, bi_grams: frozenset[str], tri_grams: frozenset[str]) -> None:
        """``model``: a crfsuite model file's bytes; the n-grams: lower-case, space-separated."""
        import pycrfsuite  # type: ignore[import-untyped]

        self._model = model  # crfsuite reads the model in place: keep the bytes alive with the tagger
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(model)
        self._tag_lock = threading.Lock()  # a crfsuite tagger holds the sequence being tagged
        self._bi = bi_grams
        self._tri = tri_grams

    @classmethod
    def from_pyvi(cls, models_dir: Path | None = None) -> Segmenter:
        """The segmenter of the installed pyvi (its ``pyvi3.pkl`` and ``words.txt``)."""
        models_dir = models_dir or pyvi_models_dir()
        model = crf_model_bytes((models_dir / "pyvi3.pkl").read_bytes())
        return cls(model, *read_ngrams((models_dir / "words.txt").read_bytes().decode("utf-8")))

    def segment(self, text: str) -> str:
        """pyvi's ``ViTokenizer.tokenize(text)``: syllables of one word joined by "_"."""
        syl = syllables(text)
        if not syl:
            return text
        with self._tag_lock:
            labels = self._tagger.tag(self._features(syl))
        out = [syl[0]]
        for i in range(1, len(labels)):
            cur, prev = syl[i], syl[i - 1]
            # pyvi's rules: never join punctuation or numbers, nor a capital after a lower case
            if (
                labels[i] == "I_W"
                and cur not in _PUNCT
                and prev not in _PUNCT
                and not cur[0].isdigit()
                and not prev[0].isdigit()
                and not (cur[0].istitle() and not prev[0].istitle())
            ):
                out[-1] = f"{out[-1]}_{cur}"
            else:
                out.append(cur)
        return " ".join(out)

    def _features(self, syl: list[str]) -> list[dict[str, object]]:
        # pyvi's features (the model was trained on them), each computed once rather than per
        # neighbour as pyvi does (about twice as fast on the party corpus)
        n = len(syl)
        low = [w.lower() for w in syl]
        title = [w.istitle() for w in syl]
        upper = [w.isupper() for w in syl]
        bi = [f"{low[i]} {low[i + 1]}" in self._bi for i in range(n - 1)]
        tri = [f"{low[i]} {low[i + 1]} {low[i + 2]}" in self._tri for i in range(n - 2)]
        features = []
        for i in range(n):
            f: dict[str, object] = {
                "bias": 1.0,
                "word.lower()": low[i],
                "word.isupper()": upper[i],
                "word.istitle()": title[i],
                "word.isdigit()": syl[i].isdigit(),
            }
            if i > 0:
                f["-1:word.lower()"] = low[i - 1]
                f["-1:word.istitle()"] = title[i - 1]
                f["-1:word.isupper()"] = upper[i - 1]
                f["-1:word.bi_gram()"] = bi[i - 1]
                if i > 1:
                    f["-2:word.tri_gram()"] = tri[i - 2]
            if i < n - 1:
                f["+1:word.lower()"] = low[i + 1]
                f["+1:word.istitle()"] = title[i + 1]
                f["+1:word.isupper()"] = upper[i + 1]
                f["+1:word.bi_gram()"] = bi[i]
                if i < n - 2:
                    f["+2:word.tri_gram()"] = tri[i]
            features.append(f)
        return features


_segmenter: Segmenter | None = None
_load_lock = threading.Lock()


def segmenter() -> Segmenter:
    """The process-wide segmenter, loaded on first use (about 40 ms), once even when threads race."""
    global _segmenter
    if _segmenter is None:
        with _load_lock:
            if _segmenter is None:
                _segmenter = Segmenter.from_pyvi()
    return _segmenter
