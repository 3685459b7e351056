"""The one user-displayable exception base and the cases a user or admin can act on."""

from __future__ import annotations


class KnowledgeError(Exception):
    """An error whose message is safe and useful to show to a user (Vietnamese first)."""

    def __init__(self, message: str, *, english: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.english = english or message

    def __str__(self) -> str:
        return self.message


class UnsupportedFormatError(KnowledgeError):
    """The file type is not one we can read."""


class EmptyDocumentError(KnowledgeError):
    """The file holds no usable text."""


class CorruptDocumentError(KnowledgeError):
    """The file cannot be parsed (damaged, encrypted, wrong contents)."""


class DocumentTooLargeError(KnowledgeError):
    """The file is larger than the configured limit."""


class EncodingError(KnowledgeError):
    """The text file is in an encoding we cannot decode reliably."""


class OCRUnavailableError(KnowledgeError):
    """A scanned PDF needs OCR but Tesseract's Vietnamese model is not installed."""


class ModelUnavailableError(KnowledgeError):
    """The configured embedding model cannot be loaded offline."""


class StoreError(KnowledgeError):
    """The vector store refused an operation."""


class NotFoundError(KnowledgeError):
    """A document or chunk id does not exist in the knowledge base."""
