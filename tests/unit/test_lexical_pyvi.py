"""Our pyvi_segment gives exactly pyvi's own segmentation, without loading scikit-learn."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyvi import ViTokenizer

from knowledge.search.lexical import pyvi_segment, word_tokens
from knowledge.search.segmenter import crf_model_bytes, pyvi_models_dir, syllables

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "knowledge" / "data" / "samples"

TRICKY = [
    "",
    "   ",
    "\n",
    " \t\n\r\u00a0 ",
    "Đoàn kiểm tra gồm những ai?",
    "doan kiem tra gom nhung ai",
    "dang vien sinh hoat chi bo dinh ky, ky luat canh cao",
    "ỦY BAN KIỂM TRA TRUNG ƯƠNG thi hành kỷ luật đảng viên.",
    "CHI BỘ sinh hoạt Định Kỳ; ĐẢNG ỦY xã",
    "Quy định số 294-QĐ/TW ngày 26/5/2025 ... về thi hành Điều lệ Đảng ==> xem Điều 9.",
    "theo Chương trình 01-CTr/QU, Kế hoạch 15-KH/TU và Luật 33/2024/QH15 (24-QĐi/TW)",
    "Tp. Hà Nội, ThS. Nguyễn Văn A, email: a.b@hanoi.gov.vn, http://dangcongsan.vn/x",
    "Mr. Nam, Mrs. Lan, Ms. Hoa, Dr. Hùng; TP.HCM, UBND. Q.Long Biên",
    "-a@b.c x_y@z.vn. https://a.vn/b?c=1&d=đ, ftp://x",
    "liên hệ: nguyễnvăn.a@x.vn hoặc đ@c.d, a@b, @vn",
    "1.234,5 triệu đồng; 12.000 đảng viên; Mục 1.2.3.; 1_000; 2025-11-19; 15h30",
    "a -> b >> c ==> d ... e .... f -- g",
    "Hoà và hòa; Thuỷ và thủy",
    "Đ\u0309ang vi\u00ea\u0300n",  # decomposed (NFD) marks
    "Đảng viên 👍🇻🇳 ✅ — “trích dẫn” «x» • ① ¼ ２０２５ ٣",
    "Σ ΑΣ ǅ Ǆ ß İ ﬁ \u200b zero\u200bwidth",
    "\n\nChi bộ\n\nsinh hoạt\r\nđịnh kỳ\n",
]


def test_same_output_as_pyvi_on_tricky_strings() -> None:
    for text in TRICKY:
        assert syllables(text) == ViTokenizer.ViTokenizer.sylabelize(text)[1], repr(text)
        assert pyvi_segment(text) == ViTokenizer.tokenize(text), repr(text)


def test_same_output_as_pyvi_on_the_bundled_documents() -> None:
    lines = [
        line
        for path in sorted(SAMPLES.glob("*"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(lines) > 500
    for line in lines[::3]:  # every third line of four real documents
        assert pyvi_segment(line) == ViTokenizer.tokenize(line), line


@pytest.mark.shared
def test_same_output_as_pyvi_on_the_whole_corpus(corpus_dir: Path) -> None:
    paths = sorted([*corpus_dir.glob("*.txt"), *corpus_dir.glob("*.md")])
    assert paths
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for start in range(0, len(lines), 40):  # every line, 40 at a time with their line breaks
            block = "".join(lines[start : start + 40])
            assert pyvi_segment(block) == ViTokenizer.tokenize(block), f"{path.name}, line {start + 1}"


_PIECES = st.sampled_from(
    [
        "Chi", "bộ", "sinh", "hoạt", "ĐẢNG", "Ủy", "ban", "kiểm", "tra", "doan", "kiem", "TP", "Tp", "ThS",
        "Mr", "Mrs", "Dr", "UBND", "Đ", "01", "1", "234", "2025", "a", "b", "x", "vn", "http", "👍",
        ".", ",", "_", "-", "/", "@", ":", "=", ">", "?", "(", ")", "…", "“", " ", " ", "  ", "\n", "\t",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_same_output_as_pyvi_on_generated_text(text: str) -> None:
    assert syllables(text) == ViTokenizer.ViTokenizer.sylabelize(text)[1]
    assert pyvi_segment(text) == ViTokenizer.tokenize(text)


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()[-1]


def test_segmenting_in_a_fresh_process_loads_no_scikit_learn() -> None:
    code = (
        "import sys\n"
        "from knowledge.search.lexical import pyvi_segment\n"
        "out = pyvi_segment('Chi bộ sinh hoạt định kỳ')\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'sklearn_crfsuite', 'scipy'))\n"
        "print(repr((out, heavy)))\n"
    )
    assert _run(code) == repr(("Chi_bộ sinh_hoạt định_kỳ", []))


def test_threads_racing_at_start_load_the_model_once() -> None:
    code = (
        "import threading\n"
        "from knowledge.search import segmenter as s\n"
        "from knowledge.search.lexical import pyvi_segment\n"
        "loads = []\n"
        "real = s.Segmenter.from_pyvi\n"
        "s.Segmenter.from_pyvi = classmethod(lambda cls: loads.append(1) or real())\n"
        "gate = threading.Barrier(8)\n"
        "outs = []\n"
        "def work():\n"
        "    gate.wait()\n"
        "    outs.append(pyvi_segment('Đảng viên sinh hoạt tại chi bộ nơi cư trú'))\n"
        "threads = [threading.Thread(target=work) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(repr((len(loads), sorted(set(outs)), len(outs))))\n"
    )
    expected = ViTokenizer.tokenize("Đảng viên sinh hoạt tại chi bộ nơi cư trú")
    assert _run(code) == repr((1, [expected], 8))


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("ran",))


def test_the_model_pickle_reader_refuses_anything_but_pyvi_model() -> None:
    with pytest.raises(pickle.UnpicklingError):
        crf_model_bytes(pickle.dumps(_Payload(), protocol=2))
    with pytest.raises(pickle.UnpicklingError):
        crf_model_bytes(pickle.dumps({"modelfile": None}, protocol=2))
    assert crf_model_bytes((pyvi_models_dir() / "pyvi3.pkl").read_bytes()).startswith(b"lCRF")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Đoàn kiểm tra Quận ủy", ["đoàn", "kiểm_tra", "quận_ủy"]), ("theo 01-CTr/QU.", ["theo", "1-ctr/qu"])],
)
def test_word_tokens_keep_codes_whole(text: str, expected: list[str]) -> None:
    assert word_tokens(text) == expected
