"""Scoring extraction against a ground-truth file (``expected_records.json``), and answers against ``answer_contains``.

Used by the tests and by ``benchmarks/bench_findings.py``. A finding counts as found when one
extracted record has the same kind, the same unit (any spelling of it) and contains the
expected text; its deadline, responsible person and party member are then checked too.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.documents.loaders import load_file
from knowledge.documents.metadata import extract_metadata
from knowledge.documents.splitter import split_document
from knowledge.findings.document import extract_document
from knowledge.findings.extract import ChunkRef
from knowledge.findings.models import Extraction, Finding
from knowledge.unit_names import normal_key


def norm(text: str | None) -> str:
    """NFC, whitespace folded, lower case (the evaluation format's comparison)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip().lower()


@dataclass
class Tally:
    """Counts for one slice (a file, a kind, or both)."""

    expected: int = 0
    found: int = 0
    extracted: int = 0
    correct: int = 0  # extracted records that match some expected one
    fields_ok: int = 0  # found records whose deadline, responsible and person are right too
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.found / self.expected if self.expected else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.extracted if self.extracted else None

    def add(self, other: Tally) -> None:
        self.expected += other.expected
        self.found += other.found
        self.extracted += other.extracted
        self.correct += other.correct
        self.fields_ok += other.fields_ok
        self.misses.extend(other.misses)


def _same_unit(expected: str | None, got: str | None, locality: str | None, aliases: dict[str, str]) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    def key(u: str) -> str:
        k = normal_key(u, locality)
        return aliases.get(k, k)
    return key(expected) == key(got)


def _fields_ok(exp: dict[str, Any], got: Finding) -> bool:
    if norm(exp.get("deadline")) != norm(got.deadline):
        return False
    if exp.get("responsible") and norm(exp["responsible"]) not in norm(got.responsible):
        return False
    return not (exp.get("person") and exp["person"] != got.person)


def score_file(extraction: Extraction, spec: dict[str, Any], aliases: dict[str, str]) -> dict[str, Tally]:
    """Tallies per kind (and "programme") for one document."""
    out: dict[str, Tally] = {}
    got = list(extraction.findings)
    matched: set[int] = set()
    for exp in spec.get("findings", []):
        t = out.setdefault(exp["kind"], Tally())
        t.expected += 1
        hits = [
            i for i, f in enumerate(got)
            if f.kind == exp["kind"] and _same_unit(exp["unit"], f.unit, extraction.locality, aliases)
            and norm(exp["text_contains"]) in norm(f.text)
        ]
        if not hits:
            t.misses.append(f"{exp['kind']} {exp['unit']}: {exp['text_contains']}")
            continue
        t.found += 1
        matched.update(hits)
        if any(_fields_ok(exp, got[i]) for i in hits):
            t.fields_ok += 1
        else:
            f = got[hits[0]]
            t.misses.append(f"fields of {exp['text_contains']}: got {f.deadline!r} / {f.responsible!r} / {f.person!r}")
    for i, f in enumerate(got):
        t = out.setdefault(f.kind, Tally())
        t.extracted += 1
        t.correct += i in matched
    parts = {"targets": "target", "tasks": "task"}
    for key, part in parts.items():
        for exp in spec.get(key, []):
            t = out.setdefault("programme", Tally())
            t.expected += 1
            ok = any(
                i.part == part and i.number == str(exp["number"])
                and norm(exp["text_contains"]) in norm(i.title + " " + i.text)
                for i in extraction.items
            )
            t.found += ok
            t.fields_ok += ok
            if not ok:
                t.misses.append(f"{part} {exp['number']}: {exp['text_contains']}")
    if spec.get("targets") or spec.get("tasks"):
        t = out.setdefault("programme", Tally())
        items = [i for i in extraction.items if i.part in ("target", "task")]
        t.extracted += len(items)
        t.correct += sum(
            1 for i in items
            if any(str(e["number"]) == i.number and norm(e["text_contains"]) in norm(i.title + " " + i.text)
                   for e in spec.get(parts_key(i.part), []))
        )
    return out


def parts_key(part: str) -> str:
    return "targets" if part == "target" else "tasks"


def extract_path(path: Path) -> Extraction:
    """The extraction of one document file as ingestion stores it: from its passages, cut as the splitter cuts them."""
    doc = load_file(path, max_bytes=50 * 1024 * 1024)
    meta = extract_metadata(doc)
    chunks = split_document(doc, meta)
    refs = [ChunkRef(c.position, c.text, c.section) for c in chunks]
    return extract_document("\n".join(c.text for c in chunks), meta, refs)


def score_folder(folder: Path, expected: Path, only: Iterable[str] | None = None) -> dict[str, dict[str, Tally]]:
    """{file name: {kind: Tally}} for every file of the ground truth (``only``: names to keep)."""
    truth = json.loads(expected.read_text(encoding="utf-8"))
    raw_aliases = truth.get("_meta", {}).get("unit_aliases", {})
    aliases = {normal_key(a): normal_key(b) for a, b in raw_aliases.items()}
    wanted = set(only) if only is not None else None
    out: dict[str, dict[str, Tally]] = {}
    for name, spec in truth.items():
        if name.startswith("_") or (wanted is not None and name not in wanted):
            continue
        out[name] = score_file(extract_path(folder / name), spec, aliases)
    return out


def answer_recall(expected: Sequence[str], answer: str) -> float:
    """The share of ``answer_contains`` strings found in an answer (the harness's answer_recall)."""
    if not expected:
        return 1.0
    text = norm(answer)
    return sum(norm(s) in text for s in expected) / len(expected)
