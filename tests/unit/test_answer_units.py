"""Extractive answers quote whole units: lists with their items, clauses with their points."""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.answer.composition import MAX_ANSWER_CHARS, enumerates
from knowledge.answer.extractive import Composed, NotAnswered, compose_extractive
from knowledge.answer.features import GATE_FEATURES
from knowledge.answer.model import AnswerModel, LinearModel
from knowledge.answer.parts import asks_attribute
from knowledge.answer.units import Scorer, placed_sentences
from knowledge.documents.outline import Outline
from knowledge.models import DocumentMeta, ScoredChunk, StoredChunk
from knowledge.question.focus import analyze_focus, signature
from knowledge.question.frame import Reader, read_question
from knowledge.question.glossary import Glossary
from knowledge.question.thesaurus import Thesaurus


def analyze(question: str, *, glossary: Glossary, known_units: list[str]):
    return read_question(question, Reader(glossary, Thesaurus([]), known_units))


# the shipped unit model chooses what to quote; the gate always lets it answer (these tests are
# about what is quoted: their passages carry no retrieval scores for the gate to read)
MODEL = replace(AnswerModel.load(), gate=LinearModel.uniform(GATE_FEATURES, {}, bias=10.0))
READER = Reader(Glossary.load(), Thesaurus.load())


def _compose(question: str, passages, outline_of, *, similarity=None, claim: bool = False):
    frame = read_question(question, READER)
    focus = replace(frame.focus, claim=True) if claim else frame.focus
    return compose_extractive(frame, focus, passages, outline_of, lambda term: 1.0, MODEL, similarity=similarity)


LEAD_IN_END = re.compile(r"(?::|như sau|sau đây)\s*\[\d+\]\s*$")


def _doc(doc_id: str, *chunk_texts: str) -> list[StoredChunk]:
    meta = DocumentMeta(doc_id=doc_id, title=f"Tài liệu {doc_id}")
    return [StoredChunk(f"{doc_id}::v::{i:05d}", doc_id, i, text, "", (), meta) for i, text in enumerate(chunk_texts)]


def _answer(question: str, docs: dict[str, list[StoredChunk]], ranked: list[str]) -> Composed | NotAnswered:
    outlines = {doc_id: Outline.build(chunks) for doc_id, chunks in docs.items()}
    by_id = {c.chunk_id: c for chunks in docs.values() for c in chunks}
    passages = [ScoredChunk(by_id[cid], 1.0 / (n + 1)) for n, cid in enumerate(ranked)]
    return _compose(question, passages, outlines.__getitem__)


CHARTER = _doc(
    "dieule",
    "Điều 2.\nĐảng viên có nhiệm vụ :\n1. Tuyệt đối trung thành với mục đích lý tưởng cách mạng của Đảng.",
    "2. Không ngừng học tập, rèn luyện, nâng cao trình độ kiến thức.",
    "3. Liên hệ chặt chẽ với nhân dân, tôn trọng quyền làm chủ của nhân dân.",
    "4. Tham gia xây dựng, bảo vệ đường lối; sinh hoạt đảng và đóng đảng phí đúng quy định.\nĐiều 3.\nĐảng viên có quyền :\n1. Được thông tin và thảo luận các vấn đề.",
)


def test_a_lead_in_brings_every_item_even_from_the_next_chunks() -> None:
    answer = _answer("Đảng viên có những nhiệm vụ gì?", {"dieule": CHARTER}, [CHARTER[0].chunk_id])
    assert isinstance(answer, Composed)
    text = answer.text
    for item in ("Tuyệt đối trung thành", "Không ngừng học tập", "Liên hệ chặt chẽ", "đóng đảng phí"):
        assert item in text
    assert text.index("Tuyệt đối") < text.index("Không ngừng") < text.index("Liên hệ") < text.index("đóng đảng phí")
    assert "Đảng viên có quyền" not in text  # the next article is not part of the list
    assert not any(LEAD_IN_END.search(line) for line in text.splitlines())


def test_an_unrelated_sentence_of_the_same_passage_is_left_out() -> None:
    doc = _doc(
        "hd",
        "1. Chi bộ họp định kỳ mỗi tháng một lần vào ngày đầu tháng.\n"
        "2. Hình thức kỷ luật đảng viên chính thức gồm khiển trách, cảnh cáo, cách chức, khai trừ.",
    )
    answer = _answer("Hình thức kỷ luật đảng viên chính thức gồm những gì?", {"hd": doc}, [doc[0].chunk_id])
    assert isinstance(answer, Composed)
    assert "khiển trách, cảnh cáo, cách chức, khai trừ" in answer.text
    assert "Chi bộ họp" not in answer.text


def test_each_sub_question_gets_its_clause() -> None:
    doc = _doc(
        "dieu39",
        "7. Đảng viên không đồng ý với quyết định kỷ luật thì trong vòng một tháng có quyền khiếu nại với cấp trên.\n"
        "8. Khi nhận khiếu nại kỷ luật, chậm nhất ba tháng cấp trên phải xem xét, giải quyết, trả lời.\n"
        "9. Trong khi chờ giải quyết khiếu nại, đảng viên phải chấp hành nghiêm chỉnh quyết định kỷ luật.\n"
        "10. Việc phát thẻ đảng viên do Ban Tổ chức Trung ương hướng dẫn.",
    )
    answer = _answer(
        "Đảng viên không đồng ý với quyết định kỷ luật thì được khiếu nại trong bao lâu, cấp trên phải giải quyết "
        "trong bao lâu, và trong khi chờ có phải chấp hành kỷ luật không?",
        {"dieu39": doc},
        [doc[0].chunk_id],
    )
    assert isinstance(answer, Composed)
    for fact in ("trong vòng một tháng", "chậm nhất ba tháng", "chấp hành nghiêm chỉnh"):
        assert fact in answer.text
    assert "phát thẻ" not in answer.text


def test_a_question_for_a_percentage_is_never_answered_directly_when_no_passage_gives_one() -> None:
    """Whatever the gate says, a question asking for a percentage gets at most the closest provision."""
    doc = _doc("qd", "Danh sách bầu cử cấp ủy do đại hội thảo luận và biểu quyết thông qua theo quy chế bầu cử.")
    answer = _answer(
        "Số dư trong danh sách bầu cử cấp ủy tối thiểu bằng bao nhiêu phần trăm?", {"qd": doc}, [doc[0].chunk_id]
    )
    assert isinstance(answer, Composed) and answer.closest and answer.decision is not None
    assert answer.decision.reason == "kind_missing"
    assert answer.text.startswith("Tài liệu không nêu trực tiếp")


def test_accented_questions_do_not_match_other_words_with_the_same_letters() -> None:
    military = signature("Quân ủy Trung ương lãnh đạo tuyệt đối, trực tiếp về mọi mặt đối với Quân đội.")
    district = next(t for t in analyze_focus("Bí thư Quận ủy có nhiệm vụ gì?").terms if t.key == "quận_ủy")
    assert not military.covers(district)  # "Quận ủy" is not "Quân ủy"
    typed_bare = next(
        t for t in analyze_focus("bi thu quan uy co nhieu vu gi", accented=False).terms if t.key == "quan_uy"
    )
    assert military.covers(typed_bare)  # without marks the user may mean either


def test_a_long_list_is_trimmed_for_a_phone_and_keeps_its_order() -> None:
    items = "\n".join(f"- Sổ loại {i}: " + "ghi chép đầy đủ thông tin của đảng viên " * 12 for i in range(1, 16))
    doc = _doc("so", "Hệ thống sổ sách quản lý đảng viên gồm các loại sau:\n" + items)
    answer = _answer("Hệ thống sổ sách quản lý đảng viên gồm những loại sổ nào?", {"so": doc}, [doc[0].chunk_id])
    assert isinstance(answer, Composed)
    assert len(answer.text) <= MAX_ANSWER_CHARS + 100  # the budget, plus bullets and citation marks
    assert "…" in answer.text
    assert answer.text.index("Sổ loại 1:") < answer.text.index("Sổ loại 2:")


def test_a_list_written_inside_one_line_is_recognised() -> None:
    assert enumerates("Được vận dụng trong các trường hợp: (1) ốm đau; (2) đi xa; (3) thai sản.")
    assert enumerates("gồm: a) sổ đảng viên, b) sổ nghị quyết, c) sổ thu đảng phí")
    assert enumerates("các trường hợp: 1) ốm; 2) đi xa; 3) nghỉ chờ hưu")
    assert not enumerates("theo điểm a) khoản 1 và (2) của Điều 5")  # references, not a list
    assert not enumerates("theo (1) và (3) nêu trên")  # not counting on


def test_a_long_section_keeps_whole_the_line_that_lists_what_is_asked() -> None:
    filler = (
        "Chi bộ xem xét, đề nghị cấp ủy cơ sở quyết định cho đảng viên miễn sinh hoạt đảng và lập danh sách theo dõi. "
    )
    cases = "; ".join(
        f"({i}) Đảng viên thuộc trường hợp thứ {i} được miễn sinh hoạt đảng theo quy định" for i in range(1, 6)
    )
    doc = _doc(
        "mien",
        "2. Miễn công tác và sinh hoạt đảng\n"
        + "\n".join(f"- Đảng viên miễn sinh hoạt đảng, bước {i}: " + filler * 4 for i in range(1, 5))
        + f"\n- Được miễn sinh hoạt đảng trong các trường hợp: {cases}.\n"
        + "\n".join(f"- Hồ sơ của đảng viên miễn sinh hoạt đảng, phần {i}: " + filler * 4 for i in range(1, 4)),
    )
    answer = _answer("Những đảng viên nào được miễn sinh hoạt đảng?", {"mien": doc}, [doc[0].chunk_id])
    assert isinstance(answer, Composed)
    assert "…" in answer.text  # the section does not fit whole
    assert "(5) Đảng viên thuộc trường hợp thứ 5" in answer.text  # the list line does, to its last item


def test_the_embedding_model_breaks_ties_between_units_that_share_words() -> None:
    doc = _doc(
        "bc",
        "1. Kết quả kiểm tra cho thấy chi bộ đã họp định kỳ và kiểm tra đảng viên đúng quy định.\n"
        "2. Qua kiểm tra còn tình trạng chi bộ chưa kiểm điểm đảng viên và chưa báo cáo đúng quy định.",
    )
    outline = Outline.build(doc)
    question = "Tình hình chi bộ khi kiểm tra đảng viên thế nào?"
    passages = [ScoredChunk(doc[0], 1.0)]

    def prefers_second(texts):
        return [0.95 if "tình trạng" in t else 0.80 for t in texts]

    plain = _compose(question, passages, lambda _: outline)
    by_meaning = _compose(question, passages, lambda _: outline, similarity=prefers_second)
    assert isinstance(by_meaning, Composed) and isinstance(plain, Composed)
    assert plain.text.lstrip("• ").startswith("1. Kết quả kiểm tra")  # shared words alone: a tie, the document's order
    assert by_meaning.text.lstrip("• ").startswith("2. Qua kiểm tra còn tình trạng")  # the model's similarity decides


def test_a_claim_to_confirm_is_answered_by_the_clause_that_states_it_in_other_words() -> None:
    doc = _doc(
        "luat",
        "Điều 17. Kiểm soát hoạt động quá cảnh\n"
        "1. Hoạt động nhập khẩu chất ma túy phải được cơ quan có thẩm quyền cho phép.\n"
        "2. Hoạt động quá cảnh chất ma túy phải theo đúng hành trình; tổ chức thực hiện việc quá cảnh "
        "chịu sự kiểm soát của cơ quan Hải quan.",
    )
    outline = Outline.build(doc)
    passages = [ScoredChunk(doc[0], 1.0)]
    as_claim = _compose(
        "Cơ quan Hải quan có trách nhiệm kiểm soát hoạt động quá cảnh chất ma túy",
        passages,
        lambda _: outline,
        claim=True,
    )
    assert isinstance(as_claim, Composed) and "chịu sự kiểm soát của cơ quan Hải quan" in as_claim.text
    # asked as "what are its duties?", the clause never speaks of duties: it covers that
    # sub-question by half only (a signal the gate weighs), though it is what is quoted
    question = "Cơ quan Hải quan có trách nhiệm gì trong kiểm soát quá cảnh chất ma túy?"
    asked = _answer(question, {"luat": doc}, [doc[0].chunk_id])
    as_claim_again = _answer(
        "Cơ quan Hải quan kiểm soát hoạt động quá cảnh chất ma túy", {"luat": doc}, [doc[0].chunk_id]
    )
    assert isinstance(asked, Composed) and isinstance(as_claim_again, Composed)
    assert asked.selection.coverage < as_claim_again.selection.coverage


def test_yes_no_questions_confirm_rather_than_ask_for_an_attribute() -> None:
    assert asks_attribute("UVTV quận ủy có nhiệm vụ gì", "UVTV quận ủy có nhiệm vụ gì?")
    assert asks_attribute("Trách nhiệm của cấp ủy trong quản lý hồ sơ", "Trách nhiệm của cấp ủy trong quản lý hồ sơ")
    assert not asks_attribute("Đảng viên dự bị có quyền biểu quyết", "Đảng viên dự bị có quyền biểu quyết không?")
    assert not asks_attribute("Hải quan có trách nhiệm kiểm soát quá cảnh", "…", claim=True)


def test_a_tail_asking_to_confirm_is_dropped_from_the_search_and_remembered() -> None:
    query = analyze(
        "Cơ quan Hải quan có trách nhiệm kiểm soát quá cảnh, đúng hay sai?", glossary=Glossary(), known_units=[]
    )
    assert query.claim and "sai" not in query.text
    assert not analyze("Cơ quan Hải quan có trách nhiệm gì?", glossary=Glossary(), known_units=[]).claim


def test_a_line_under_one_case_brings_the_other_cases_of_a_short_list() -> None:
    """The one sentence that repeats the question's words sits under case b); the cases are asked for."""
    doc = _doc(
        "hd",
        "10.2.2. Chuyển sinh hoạt đảng tạm thời\n"
        "Việc chuyển sinh hoạt đảng tạm thời được thực hiện đối với các trường hợp sau:\n"
        "a) Ở trong nước\n"
        "Đảng viên đi công tác, học tập ở trong nước từ 3 tháng đến dưới 12 tháng, sau đó trở về đơn vị cũ.\n"
        "b) Ra ngoài nước\n"
        "Đảng viên đi công tác ở nước ngoài từ 3 tháng đến dưới 12 tháng thì Đảng ủy Bộ Ngoại giao hướng dẫn "
        "thủ tục chuyển sinh hoạt đảng tạm thời.\n"
        "10.3. Quản lý đảng viên đi lao động ở nước ngoài\n"
        "Đảng viên đi lao động ở nước ngoài do chi bộ quản lý.",
    )
    answer = _answer("Thủ tục chuyển sinh hoạt đảng tạm thời?", {"hd": doc}, [doc[0].chunk_id])
    assert isinstance(answer, Composed)
    assert "a) Ở trong nước" in answer.text and "b) Ra ngoài nước" in answer.text
    assert answer.text.index("a) Ở trong nước") < answer.text.index("b) Ra ngoài nước")
    assert "lao động ở nước ngoài do chi bộ" not in answer.text


READMISSION = _doc(
    "quydinh",
    "3.5. Về kết nạp lại người vào Đảng.\n"
    "3.5.1. Người được xét kết nạp lại phải có đủ các điều kiện sau:\n"
    "a) Có đủ điều kiện và tiêu chuẩn của người vào Đảng theo quy định tại Điều 1 Điều lệ Đảng.\n"
    "b) Ít nhất là 36 tháng kể từ khi ra khỏi Đảng.\n"
    "c) Phải được đảng ủy cơ sở xem xét.",
    "3.6. Về đảng viên dự bị.\nĐảng viên dự bị được giới thiệu chuyển sinh hoạt đảng.",
)


def test_a_duration_in_an_item_is_read_with_its_lead_in() -> None:
    """The duration sits in item b), the words asked ("xét kết nạp lại") in the lead-in above it:
    the block gives what is asked, so it is a direct answer, not the closest provisions."""
    for question in (
        "Sau bao lâu thì được xét kết nạp lại?",
        "dang vien bi khai tru bao lau duoc ket nap lai",
        "sau bao lau thi duoc xet ket nap lai",  # every word asked is in the lead-in: the item completes it
    ):
        composed = _answer(question, {"quydinh": READMISSION}, ["quydinh::v::00000"])
        assert isinstance(composed, Composed)
        assert not composed.closest and "36 tháng" in composed.text, question


HUY_HIEU = _doc(
    "huyhieu",
    "Điều 5. Trường hợp chưa xét tặng\nĐảng viên đang bị thi hành kỷ luật thì chưa xét tặng Huy hiệu Đảng; sau 12 "
    "tháng kể từ ngày có quyết định kỷ luật, nếu tiến bộ thì được xét tặng.",
)


def test_the_figures_of_a_case_do_not_make_it_a_question_the_documents_do_not_cover() -> None:
    """A case told with its dates and ages: no document holds "12/10/1986" or "63", and that is no
    reason to decline; the words of the rule are all there."""
    words = {"tuổi", "đảng", "huy", "hiệu", "kỷ", "luật", "xét", "tặng", "đồng", "chí"}

    def known(term) -> bool:
        return all(s in words for alt in term.alternatives[:1] for w in alt for s in w.split("_"))

    frame = read_question(
        "Đồng chí vào Đảng ngày 12/10/1986, 63 tuổi, bị kỷ luật ngày 03/01/2026 thì đến 19/5/2026 có được xét "
        "tặng Huy hiệu không?",
        READER,
    )
    outline = Outline.build(HUY_HIEU)
    passages = [ScoredChunk(c, 1.0 / (n + 1)) for n, c in enumerate(HUY_HIEU)]
    composed = compose_extractive(frame, frame.focus, passages, {"huyhieu": outline}.__getitem__, lambda t: 1.0, MODEL,
                                  known=known)
    assert isinstance(composed, Composed), composed



def test_an_item_reads_as_the_end_of_its_lead_in() -> None:
    """The words of "Người được xét kết nạp lại phải có đủ các điều kiện sau:" are item b)'s own
    when its sentence is weighed (the headings above it stay context)."""
    outline = Outline.build(READMISSION)
    scorer = Scorer(read_question("sau bao lau thi duoc xet ket nap lai", READER).focus, lambda term: 1.0)
    readings = {s: r for s, r, _ in placed_sentences(scorer, outline, 0, len(outline.lines))}
    item = next(s for s in readings if "36 tháng" in s)
    assert readings[item].startswith("3.5.1. Người được xét kết nạp lại") and readings[item].endswith(item)
    heading = next(s for s in readings if s.startswith("3.5.1."))
    assert readings[heading] == heading  # a heading is not under a lead-in


def test_the_off_topic_floor_holds_only_for_the_embedding_model_it_was_learned_with() -> None:
    shipped = AnswerModel.load()
    assert shipped.thresholds.off_topic > 0 and shipped.thresholds.embedding
    assert shipped.for_embedding(shipped.thresholds.embedding).thresholds.off_topic == shipped.thresholds.off_topic
    assert shipped.for_embedding("another-model").thresholds.off_topic == 0.0
    reloaded = AnswerModel.from_json(shipped.to_json())
    assert reloaded.thresholds == shipped.thresholds
    unset = replace(shipped, thresholds=replace(shipped.thresholds, off_topic=0.0))
    assert unset.for_embedding("another-model") is unset


def test_the_off_topic_floor_lies_under_every_answerable_tune_question() -> None:
    from types import SimpleNamespace

    from knowledge.eval.train import OFF_TOPIC_MARGIN, off_topic_floor

    def row(cosine: float, unanswerable: bool) -> SimpleNamespace:
        return SimpleNamespace(top_cosine=cosine, question=SimpleNamespace(unanswerable=unanswerable))

    rows = [row(0.91, False), row(0.86, False), row(0.80, True), row(0.0, False)]
    assert off_topic_floor(rows) == round(0.86 - OFF_TOPIC_MARGIN, 4)  # 0: no dense leg; unanswerable ones ignored
    assert off_topic_floor([row(0.0, False)]) == 0.0




def test_one_word_no_document_holds_does_not_decline_a_question_by_itself() -> None:
    from knowledge.answer.gate import decide
    from knowledge.answer.units import Selection
    from knowledge.question.frame import Reader, read_question
    from knowledge.question.glossary import Glossary
    from knowledge.question.thesaurus import Thesaurus

    reader = Reader(Glossary.load(), Thesaurus.load(), [])

    def reason(question: str, unknown: set[str]) -> str:
        frame = read_question(question, reader)
        scorer = Scorer(frame.focus, lambda t: 6.0 if t.key in unknown else 1.0)
        selection = Selection((), 1.0, frozenset(), 0.5, probabilities=(0.5,), best_features={"union": 0.5})
        return decide(frame, selection, [], scorer, AnswerModel.load(), lambda t: t.key not in unknown).reason

    # "mốc" is in no document and, as the rarest word, outweighs the rest: still the asker's own word
    assert reason("Đảng viên dự bị bao lâu, tính mốc từ ngày nào?", {"mốc"}) != "not_covered"
    assert reason("Thời tiết Hà Nội ngày mai thế nào?", {"thời_tiết", "ngày_mai"}) == "not_covered"
