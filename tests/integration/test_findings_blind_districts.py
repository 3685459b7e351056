"""The two districts written blind (tests/fixtures/findings_hoaphu, findings_ninhgiang), indexed
together with the fake embedder: a unit named by a shortened name, a directing body named beside
it, and a programme that is not stored but quoted by a review."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.eval.harness import load_corpus
from knowledge.services.compose import build_services
from knowledge.settings import KnowledgeSettings
from tests.fakes.embedder import HashEmbeddings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _indexed(tmp_path_factory, *districts: str):
    """Services over the named blind districts' documents, indexed together with the fake embedder."""
    s = build_services(
        KnowledgeSettings(data_dir=tmp_path_factory.mktemp(districts[0]) / "data"), embeddings=HashEmbeddings()
    )
    s.ingest.ingest_documents([d for name in districts for d in load_corpus(FIXTURES / f"findings_{name}" / "docs")])
    return s


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    return _indexed(tmp_path_factory, "hoaphu", "ninhgiang")


def test_a_unit_named_by_a_shortened_name_beside_the_body_that_inspected_it(services) -> None:
    a = services.engine.answer("bệnh viện quận bị BTV Quận ủy chỉ ra những khuyết điểm gì?")
    assert not a.declined and "12 danh mục vật tư y tế tiêu hao" in a.text
    b = services.engine.answer("Chi bộ THPT Nguyễn Trãi phải khắc phục những gì sau giám sát của UBKT, thời hạn ra sao?")
    assert not b.declined and "01 cuộc kiểm tra đảng viên trong học kỳ II" in b.text


def test_a_programme_not_stored_is_answered_from_the_review_that_quotes_it(services) -> None:
    a = services.engine.answer("Theo báo cáo sơ kết, Chương trình 09 đặt ra những chỉ tiêu chủ yếu nào?")
    assert not a.declined and "ít nhất 01 mô hình" in a.text


@pytest.fixture(scope="module")
def khauvai(tmp_path_factory):
    return _indexed(tmp_path_factory, "khauvai")


def test_a_count_the_records_do_not_give_is_the_closest_content_under_a_caveat(khauvai, services) -> None:
    given = khauvai.engine.answer("Chi bộ Đồn Biên phòng Khau Vai phân công bao nhiêu đảng viên phụ trách hộ gia đình?")
    assert not given.closest and not given.declined and "21 đảng viên" in given.text
    people = khauvai.engine.answer(
        "Đơn vị nào chưa hoàn thành phiếu bổ sung hồ sơ đảng viên năm 2025, mỗi nơi còn bao nhiêu người?"
    )
    assert not people.closest and "11 và 4 đảng viên" in people.text  # "bao nhiêu người": members are people
    money = services.engine.answer(
        "Công ty Môi trường đô thị Hòa Phú đang nợ bảo hiểm xã hội của người lao động tổng cộng bao nhiêu tiền?"
    )
    assert money.closest and "không nêu số tiền" in money.text


def test_a_member_asked_about_when_only_the_organisation_was_disciplined(khauvai) -> None:
    a = khauvai.engine.answer("Đồng chí Bí thư Đảng ủy xã Na Khiêm bị kỷ luật cá nhân hình thức gì?")
    assert a.closest and "không nêu kỷ luật cá nhân" in a.text and "KHIỂN TRÁCH" in a.text
    b = khauvai.engine.answer("Đảng ủy xã Na Khiêm bị kỷ luật hình thức gì?")
    assert not b.closest and "KHIỂN TRÁCH" in b.text
    assert "Huyện ủy Khau Vai" in b.text and "Huyện ủy Khau " + "quyết" not in b.text  # the decider's whole name


def test_the_number_and_date_of_a_decision_only_proposed_are_not_given(services) -> None:
    proposed = services.engine.answer(
        "đ/c Lương Văn Hậu đã bị BTV Thị ủy kỷ luật cảnh cáo theo quyết định số mấy, ngày nào?"
    )
    assert proposed.closest and "không nêu số và ngày của quyết định kỷ luật" in proposed.text
    assert "Lương Văn Hậu" in proposed.text
    decided = services.engine.answer("Đồng chí Trịnh Thị Mai Phương bị kỷ luật theo quyết định số mấy?")
    assert not decided.closest and "124-QĐ/UBKTTU" in decided.text  # "Thị" of her name is no "thì"


@pytest.fixture(scope="module")
def tanlac(tmp_path_factory):
    return _indexed(tmp_path_factory, "tanlac")


def test_a_unit_stated_by_abbreviation_and_a_member_by_given_name(tanlac) -> None:
    mine = tanlac.engine.answer(
        "Đơn vị tôi là chi bộ HTX Quyết Thắng, kết luận kiểm tra của BTV yêu cầu chúng tôi phải làm gì?"
    )
    assert not mine.declined and "thu hồi số tiền 96.500.000 đồng" in mine.text
    why = tanlac.engine.answer("Vì sao đ/c Toản PCT UBND xã Đồng Tâm bị kỷ luật cảnh cáo?")
    assert not why.declined and "Lương Văn Toản" in why.text
    assert "đã ký 9 văn bản giao 9 thửa đất" in why.text  # the violations, read from the decision's annex
    assert why.text.count("Thi hành kỷ luật bằng hình thức CẢNH CÁO") == 1  # one line per decision


def test_a_decisions_own_number_and_date_answer_which_decision(tanlac) -> None:
    decided = tanlac.engine.answer("đ/c Lương Văn Toản bị kỷ luật hình thức gì, theo QĐ số mấy ngày nào?")
    assert not decided.closest and "Quyết định số 128-QĐ/UBKTHU ngày 03/12/2026" in decided.text
    proposed = tanlac.engine.answer("Đ/c Vi Thị Hường bị kỷ luật khiển trách theo quyết định số mấy, ngày nào?")
    assert proposed.closest and "không nêu số và ngày của quyết định kỷ luật" in proposed.text


def test_another_school_level_of_the_same_place_is_another_unit(tanlac) -> None:
    other = tanlac.engine.answer("Kết quả giám sát CB Trường THPT Tân Lạc năm 2026 thế nào, phải khắc phục gì?")
    assert other.declined and "Trung học phổ thông Tân Lạc" in other.text
    same = tanlac.engine.answer("CB trường THCS Tân Lạc bị UBKT huyện ủy giám sát chỉ ra những hạn chế gì?")
    assert not same.declined and "04 đảng viên kê khai tài sản, thu nhập năm 2025 chưa đầy đủ" in same.text


def test_which_units_an_inspection_covered_and_which_did_not_report(tanlac) -> None:
    covered = tanlac.engine.answer(
        "Đợt giám sát chuyên đề sinh hoạt chi bộ, đảng phí, kê khai tài sản năm 2026 gồm những đơn vị nào?"
    )
    assert not covered.declined and "ĐU xã Thanh Sơn, ĐU xã Phú Cường, CB Trường THCS Tân Lạc" in covered.text
    late = tanlac.engine.answer("nhung don vi nao chua gui bao cao ket qua khac phuc ve ubkt huyen uy")
    assert "ĐU xã Phú Cường, CB TTYT huyện và CB HTX dịch vụ nông nghiệp" in late.text
    assert "Giao Ủy ban Kiểm tra Huyện ủy" not in late.text  # the body reports go to is not the subject
