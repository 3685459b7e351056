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

EXTRACTOR_VERSION = 18  # bump when extraction changes: stored records of older versions are redone

_LOCALITY = re.compile(
    r"(?P<level>Quận|Huyện|Thị xã|Thành phố|Tỉnh|Thị|Thành)[ ]+ủy[ ]+"
    r"(?P<name>" + CAP + r"\w*(?:[ ]+(?!Đảng\b|ĐẢNG\b)" + CAP + r"\w*){0,2})"  # not the "ĐẢNG CỘNG SẢN" column
)
# a commune's header names its district as the party organisation above it ("ĐẢNG BỘ HUYỆN YÊN KHÊ"),
# a news portal by its own name ("Cổng Thông tin điện tử huyện Yên Khê")
_PARENT_ORGANISATION = re.compile(
    r"(?:Đảng bộ|[Tt]hông tin điện tử(?:[ ]+Đảng bộ)?)[ ]+(?P<level>quận|huyện|thị xã|thành phố)[ ]+"
    r"(?P<name>" + CAP + r"\w*(?:[ ]+(?!Đảng\b)" + CAP + r"\w*){0,2})"
)


def locality(meta: DocumentMeta, text: str) -> str | None:
    """The district or province a document comes from ("quận Hòa Bình"), when its header or issuer says."""
    lines = text[:2000].split("\n")
    head = "\n".join(recase(line).replace(" Ủy", " ủy") if is_caps(line) else line for line in lines)
    for pattern in (_LOCALITY, _PARENT_ORGANISATION):
        for source in (meta.issuing_body or "", head):
            m = pattern.search(source)
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
