"""Composition of the knowledge services: settings → store, embeddings, retriever, engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.embeddings import Embeddings

from knowledge.embeddings.model import LazyEmbeddings, embedding_name
from knowledge.findings.service import FindingsService
from knowledge.findings.store import FindingsStore
from knowledge.search.retrieval import HybridRetriever
from knowledge.services.admin import AdminService
from knowledge.services.answering import QAService
from knowledge.services.ingest import IngestService
from knowledge.settings import KnowledgeSettings
from knowledge.store.chroma import KnowledgeStore


@dataclass
class Services:
    """Everything an entry point needs, built once."""

    settings: KnowledgeSettings
    embeddings: Embeddings
    store: KnowledgeStore
    retriever: HybridRetriever
    ingest: IngestService
    engine: QAService
    admin: AdminService
    findings: FindingsService | None = None


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
    findings = FindingsService(store, retriever, FindingsStore.in_data_dir(settings.data_dir))
    engine = QAService(store, retriever, settings, llm=llm, findings=findings)
    ingest = IngestService(store, embeddings, settings)
    ingest.before_live.append(findings.before_live)
    return Services(settings, embeddings, store, retriever, ingest, engine, AdminService(ingest), findings)
