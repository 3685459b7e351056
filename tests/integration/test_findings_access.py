"""Restricted documents: a member of one unit cannot reach another unit's restricted findings, however asked.

The conclusions notice (02) is restricted to Đảng ủy phường An Phú and the discipline notice (06)
to the two units it disciplines; everything else stays public. The checks go through QAService,
the way the bot asks: answers, streamed answers, follow-ups, the sources button (``chunk``), the
"whole section" button (``section``), retrieval itself, and the findings service the bot's
/donvi and /hanchot use.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge.access import Viewer
from knowledge.eval.harness import load_corpus
from knowledge.models import Answer, Turn
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "findings"
NOTICE = "02_thong-bao-ket-luan_per-unit"
DISCIPLINE = "06_quyet-dinh-ky-luat"
# Text found only in the restricted documents.
SECRETS = ("07/24 chi bộ", "mới đạt 81%", "24/24 chi bộ", "ngày 05 hằng tháng", "mới đạt 68%", "Phạm Văn Khải",
           "Hồ Thị Nga", "Lại Văn Tùng", "1,27 tỷ", "Cảnh cáo", "Phân xưởng Đúc")
PHRASINGS = [
    "Phường An Phú còn hạn chế gì?",
    "dang uy phuong an phu con han che gi",
    "ĐU P. An Phú phải khắc phục những gì, đến khi nào?",
    "Kết quả kiểm tra ở Tòa án nhân dân quận thế nào?",
    "Công ty Cơ khí Hòa Bình có ưu điểm gì?",
    "Những đơn vị nào có tỷ lệ đảng viên sử dụng Sổ tay đảng viên điện tử chưa đạt chỉ tiêu, mỗi nơi bao nhiêu?",
    "Đơn vị nào chưa tổ chức sinh hoạt chuyên đề?",
    "Đơn vị nào bị kỷ luật, hình thức gì?",
    "Đồng chí Phạm Văn Khải bị kỷ luật hình thức gì, vì sao?",
    "Kỳ họp thứ 9 của UBKT Quận ủy đã kỷ luật những đảng viên nào?",
    "Tỷ lệ đảng viên sử dụng Sổ tay đảng viên điện tử ở An Phú là bao nhiêu?",
    "Hai chi bộ nào của công ty không sinh hoạt định kỳ?",
    "thanh toán vượt khối lượng bao nhiêu tiền",
    "07/24 chi bộ",
]


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    s = build_services(KnowledgeSettings(data_dir=tmp_path_factory.mktemp("access") / "data"), embeddings=HashEmbeddings())
    s.ingest.ingest_documents(load_corpus(FIXTURES))
    assert s.findings.restrict(NOTICE, ["phường An Phú"]) == ("Đảng ủy phường An Phú",)
    s.findings.restrict(DISCIPLINE)  # the units it concerns
    return s


@pytest.fixture(scope="module")
def outsider(services) -> Viewer:
    return services.findings.viewer(["P. Tân Lập"])


def leaks(answer: Answer, question: str = "") -> list[str]:
    """Restricted text in what the user is shown (a name the user typed and the answer repeats is no leak)."""
    shown = " ".join([answer.text, *(c.quote for c in answer.citations), *answer.suggestions, *answer.notices])
    found = [s for s in SECRETS if s in shown and s not in question]
    found += [c.doc_id for c in answer.citations if c.doc_id in (NOTICE, DISCIPLINE)]
    return found


def test_restriction_is_stored_with_the_document(services) -> None:
    assert services.store.document(NOTICE).meta.restricted_units == ("Đảng ủy phường An Phú",)
    assert set(services.store.document(DISCIPLINE).meta.restricted_units) == {
        "Chi bộ Ban Quản lý dự án đầu tư xây dựng quận Hòa Bình", "Đảng ủy Công ty Cổ phần Cơ khí Hòa Bình",
    }


@pytest.mark.parametrize("question", PHRASINGS)
def test_no_phrasing_reaches_a_restricted_finding(services, outsider: Viewer, question: str) -> None:
    assert leaks(services.engine.answer(question, viewer=outsider), question) == []
    streamed = list(services.engine.stream(question, viewer=outsider))
    assert isinstance(streamed[-1], Answer) and leaks(streamed[-1], question) == []
    retrieval = services.engine.retrieve(question, viewer=outsider)
    assert {r.chunk.doc_id for r in retrieval.results}.isdisjoint({NOTICE, DISCIPLINE})


@pytest.mark.parametrize("question", PHRASINGS[:3])
def test_not_even_as_my_own_unit_or_in_a_follow_up(services, outsider: Viewer, question: str) -> None:
    mine = services.engine.answer("Đơn vị tôi còn hạn chế gì?", unit="phường An Phú", viewer=outsider)
    assert leaks(mine) == []
    history = [Turn("Đảng ủy phường Tân Lập còn hạn chế gì?", units=("Đảng ủy phường Tân Lập",))]
    for follow_up in ("còn phường An Phú thì sao?", "còn công ty cơ khí thì sao?", "thế còn kỷ luật thì sao?"):
        assert leaks(services.engine.answer(follow_up, history, viewer=outsider)) == []


def test_sources_and_whole_section_buttons_refuse_restricted_passages(services, outsider: Viewer) -> None:
    admin = Viewer.admin()
    restricted = [
        c for c in services.retriever.snapshot().chunks if c.doc_id in (NOTICE, DISCIPLINE)
    ]
    assert restricted
    for c in restricted:
        assert services.engine.chunk(c.chunk_id, viewer=outsider) is None
        assert services.engine.section(c.chunk_id, viewer=outsider) == []
        assert services.engine.chunk(c.chunk_id) is None  # no viewer: public documents only
        assert services.engine.chunk(c.chunk_id, viewer=admin) is not None
        assert services.engine.section(c.chunk_id, viewer=admin)


def test_donvi_and_hanchot_data_hide_restricted_findings(services, outsider: Viewer) -> None:
    summary = services.findings.unit_summary("phường An Phú", viewer=outsider)
    assert summary is not None
    assert {f.doc_id for f in summary.findings}.isdisjoint({NOTICE, DISCIPLINE})
    assert NOTICE not in {m.doc_id for m in summary.inspected_in}
    due = services.findings.due_remedies("phường An Phú", 30, viewer=outsider, today=date(2026, 6, 10))
    assert {r.finding.doc_id for r in due} == {"04_ke-hoach-khac-phuc_table"}  # the public remedy plan only


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        (Viewer(("Đảng ủy phường An Phú",)), True),
        (Viewer(role="district"), True),
        (Viewer.admin(), True),
        (Viewer(("phường Tân Lập",)), False),
        (None, False),
    ],
)
def test_members_of_the_unit_admins_and_district_readers_do_see_it(services, viewer: Viewer | None, sees: bool) -> None:
    answer = services.engine.answer("Phường An Phú còn hạn chế gì?", viewer=viewer)
    assert ("07/24 chi bộ" in answer.text) is sees
    assert (NOTICE in {c.doc_id for c in answer.citations}) is sees


def test_discipline_is_open_to_the_disciplined_units_only(services) -> None:
    company = services.findings.viewer(["Đảng ủy Công ty Cổ phần Cơ khí Hòa Bình"])
    answer = services.engine.answer("Đồng chí Lại Văn Tùng bị kỷ luật hình thức gì?", viewer=company)
    assert "Khiển trách" in answer.text and "Lại Văn Tùng" in answer.text
    other = services.findings.viewer(["phường An Phú"])
    question = "Đồng chí Lại Văn Tùng bị kỷ luật hình thức gì?"
    refused = services.engine.answer(question, viewer=other)
    assert refused.declined and leaks(refused, question) == [] and "Khiển trách" not in refused.text


def test_making_it_public_again(services, outsider: Viewer) -> None:
    services.findings.unrestrict(NOTICE)
    try:
        assert "07/24 chi bộ" in services.engine.answer("Phường An Phú còn hạn chế gì?", viewer=outsider).text
    finally:
        services.findings.restrict(NOTICE, ["phường An Phú"])
    assert "07/24 chi bộ" not in services.engine.answer("Phường An Phú còn hạn chế gì?", viewer=outsider).text


def test_units_named_only_in_restricted_documents_are_not_listed_to_outsiders(services, outsider: Viewer) -> None:
    everyone = set(services.findings.units())
    theirs = set(services.findings.units(outsider))
    assert "Chi bộ Ban Quản lý dự án đầu tư xây dựng quận Hòa Bình" in everyone - theirs  # disciplined, restricted
    assert "Đảng ủy phường An Phú" in theirs  # also named in public documents
    assert set(services.findings.units(Viewer.admin())) == everyone
    examples = " ".join(services.engine.example_questions(10))
    assert "112-TB/QU" not in examples and "52-TB/UBKTQU" not in examples and "Ban Quản lý dự án" not in examples
