"""The ONNX engine: a sentence-transformers folder exported once to ONNX, fused and quantised.

``onnx_model_file`` returns the cached file for a model folder, building it on first use:
the transformer traced to ONNX (needs torch, once), its attention, layer norms and GELU fused
by onnxruntime's transformer optimizer (kept only if it reproduces the plain export), and for
``onnx-int8`` the int8 per-channel version. Tokenisation, pooling and normalisation follow the
folder's own configuration. Optimum is not needed (it pins transformers < 5).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embeddings.source import file_lock
from knowledge.errors import ModelUnavailableError

log = logging.getLogger(__name__)

_ONNX_OPSET = 17


def read_pipeline(folder: Path) -> tuple[str, bool, int]:
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


def pad_batch(encodings: Sequence[Any], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask of a batch, right-padded to its longest text."""
    width = max(len(e.ids) for e in encodings)
    ids = np.full((len(encodings), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(encodings), width), dtype=np.int64)
    for i, e in enumerate(encodings):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
    return ids, mask


def pool_tokens(hidden: np.ndarray, mask: np.ndarray, pooling: str, normalize: bool) -> np.ndarray:
    """One vector per text: mean over its tokens (or the first token), optionally L2-normalised."""
    if pooling == "cls":
        out = hidden[:, 0]
    else:
        m = mask[..., None].astype(np.float32)
        out = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    if normalize:
        out = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out.astype(np.float32)


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
        self.pooling, self.normalize, _ = read_pipeline(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str]) -> np.ndarray:
        ids, mask = pad_batch(self.tokenizer.encode_batch(texts), self.tokenizer.token_to_id("<pad>") or 0)
        feeds = {k: v for k, v in {"input_ids": ids, "attention_mask": mask}.items() if k in self.inputs}
        return pool_tokens(self.session.run(None, feeds)[0], mask, self.pooling, True)


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
    with file_lock(files.dir / ".export.lock"):
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
