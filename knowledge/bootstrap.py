"""Composition of the knowledge services: settings → store, embeddings, retriever, engine."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from langchain_core.embeddings import Embeddings

from knowledge.ingest import IngestService
from knowledge.qa import QAService
from knowledge.retrieval import HybridRetriever
from knowledge.settings import KnowledgeSettings
from knowledge.store import KnowledgeStore


@dataclass
class Services:
    """Everything an entry point needs, built once."""

    settings: KnowledgeSettings
    embeddings: Embeddings
    store: KnowledgeStore
    retriever: HybridRetriever
    ingest: IngestService
    engine: QAService


def embedding_name(embeddings: Embeddings) -> str:
    """A stable name for the embedding model (recorded with the store)."""
    return str(getattr(embeddings, "name", type(embeddings).__name__))


class LazyEmbeddings(Embeddings):
    """Loads the configured model on first use, so listing or deleting never pays for it."""

    def __init__(self, settings: KnowledgeSettings) -> None:
        self.settings = settings
        self.name = settings.embedding_model
        self._model: Embeddings | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Embeddings:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from knowledge.embeddings import load_embeddings

                    self._model = load_embeddings(self.settings)
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)


def build_services(
    settings: KnowledgeSettings, *, embeddings: Embeddings | None = None, chat_model: Any | None = None
) -> Services:
    """Build the knowledge services; the real embedding model and LLM unless fakes are given."""
    if embeddings is None:
        embeddings = LazyEmbeddings(settings)
    store = KnowledgeStore.from_settings(settings, embedding_name(embeddings))
    retriever = HybridRetriever(store, embeddings)
    llm = None
    if chat_model is None and settings.llm_provider != "none":
        from knowledge.answer.llm import build_chat_model

        chat_model = build_chat_model(settings)
    if chat_model is not None:
        from knowledge.answer.llm import LLMComposer

        llm = LLMComposer(chat_model, settings.llm_timeout_s)
    engine = QAService(store, retriever, settings, llm=llm)
    return Services(settings, embeddings, store, retriever, IngestService(store, embeddings, settings), engine)
