"""One entry point for a document: its kind, then its findings or its programme items."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from knowledge.findings.classify import classify
from knowledge.findings.extract import ChunkRef, extract_findings
from knowledge.findings.models import Extraction
from knowledge.findings.programme import parse_programme
from knowledge.findings.structure import is_caps, recase
from knowledge.models import DocumentMeta
from knowledge.unit_names import CAP

EXTRACTOR_VERSION = 13  # bump when extraction changes: stored records of older versions are redone

_LOCALITY = re.compile(
    r"(?P<level>Quận|Huyện|Thị xã|Thành phố|Tỉnh|Thị|Thành)[ ]+ủy[ ]+"
    r"(?P<name>" + CAP + r"\w*(?:[ ]+" + CAP + r"\w*){0,2})"
)


def locality(meta: DocumentMeta, text: str) -> str | None:
    """The district or province a document comes from ("quận Hòa Bình"), when its header or issuer says."""
    lines = text[:2000].split("\n")
    head = "\n".join(recase(line).replace(" Ủy", " ủy") if is_caps(line) else line for line in lines)
    for source in (meta.issuing_body or "", head):
        m = _LOCALITY.search(source)
        if m:
            level = {"Thị": "thị xã", "Thành": "thành phố"}.get(m.group("level"), m.group("level").lower())
            return f"{level} {m.group('name')}"
    return None


def extract_document(text: str, meta: DocumentMeta, chunks: Sequence[ChunkRef] = ()) -> Extraction:
    """Findings (inspection, supervision, discipline, remedy plan, news) or items (programme) of a document."""
    kind = classify(meta, text)
    if kind == "none":
        return Extraction("none")
    found = parse_programme(text, meta, chunks) if kind == "programme" else extract_findings(text, meta, chunks)
    return replace(found, locality=locality(meta, text))
