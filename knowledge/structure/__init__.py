"""Regulation-aware structure: document codes, metadata, named units and splitting."""

from __future__ import annotations

from knowledge.models import Chunk, DocumentMeta
from knowledge.structure.codes import parse_codes
from knowledge.structure.metadata import extract_metadata
from knowledge.structure.splitter import split_document
from knowledge.structure.units import find_units

__all__ = [
    "breadcrumb",
    "extract_metadata",
    "find_units",
    "parse_codes",
    "passage_text",
    "split_document",
]


def breadcrumb(meta: DocumentMeta, chunk: Chunk) -> str:
    """Where a passage sits: "294-QĐ/TW › Chương II › Điều 5 › Khoản 1" (title when no code)."""
    return " › ".join((meta.code or meta.title, *chunk.section_path))


def passage_text(meta: DocumentMeta, chunk: Chunk) -> str:
    """The text that gets embedded and indexed: the breadcrumb line, then the passage."""
    return f"{breadcrumb(meta, chunk)}\n{chunk.text}"
