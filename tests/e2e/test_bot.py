"""End-to-end: the real PTB Application, polling FakeTelegram, answering through an engine."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import time
from pathlib import Path
from typing import Any

import pytest

from bot import texts
from knowledge.models import Answer, Citation
from tests.e2e.conftest import ADMIN, GROUP, OTHER_USER, STRANGER, USER, BotFactory, Harness
from tests.fakes.engine import FakeEngine, seed_chunks

Q_DIACRITICS = "Đoàn kiểm tra Chương trình 01-CTr/QU đã kiểm tra những đảng ủy nào?"
Q_PLAIN = "doan kiem tra chuong trinh 01-CTr/QU da kiem tra nhung dang uy nao"
Q_UNANSWERABLE = "Giá vàng hôm nay bao nhiêu?"


def joined(calls: list[Any]) -> str:
    return "\n\n".join(c.text for c in calls)


async def test_start_greets_in_vietnamese_with_examples(bot: Harness) -> None:
    since = bot.fake.mark()
    bot.fake.private_message(USER, "/start")
    msg = await bot.first_message(USER, since=since)
    assert "Xin chào" in msg.text and "/donvi" in msg.text and "/tailieu" in msg.text
    examples = bot.engine.example_questions(3)
    assert examples and all(texts.esc(q) in msg.text for q in examples)  # drawn from the engine
    assert msg.params["parse_mode"] == "HTML"
    assert bot.fake.calls_of("setMyCommands")


async def test_help(bot: Harness) -> None:
    since = bot.fake.mark()
    bot.fake.private_message(USER, "/help")
    msg = await bot.first_message(USER, since=since)
    assert "Cách dùng" in msg.text and "/moi" in msg.text


async def test_question_with_diacritics_gets_cited_answer(bot: Harness) -> None:
    since = bot.fake.mark()
    calls = await bot.send(USER, Q_DIACRITICS)
    text = joined(calls)
    assert "phường Cự Khối" in text
    assert "<b>Nguồn:</b>" in text
    sources = text.split("<b>Nguồn:</b>")[1]
    assert re.search(r"^\[1\] <b>.*Kiểm tra việc thực hiện Chương trình 01-CTr/QU", sources, re.MULTILINE)
    assert "15/08/2017" in sources
    assert calls[-1].button_texts()[:3] == ["Nguồn", "👍", "👎"]
    # "typing…" was shown before the answer
    methods = [c.method for c in bot.fake.calls[since:]]
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    assert bot.fake.calls_of("sendChatAction")[0].params["action"] == "typing"


async def test_question_without_diacritics_finds_the_same_source(bot: Harness) -> None:
    with_marks = joined(await bot.send(USER, Q_DIACRITICS))
    without = joined(await bot.send(USER, Q_PLAIN))
    assert "01-CTr/QU" in without and "phường Cự Khối" in without
    assert re.findall(r"\[\d\] <b>[^<]+</b>", without) == re.findall(r"\[\d\] <b>[^<]+</b>", with_marks)


async def test_follow_up_passes_history_and_moi_clears_it(bot: Harness) -> None:
    await bot.send(USER, Q_DIACRITICS)
    follow = joined(await bot.send(USER, "Trưởng đoàn là ai?"))
    assert "Nguyễn Huy Thắng" in follow
    history = bot.engine.calls[-1].history
    assert [t.question for t in history] == [Q_DIACRITICS]
    assert history[0].doc_ids == (bot.engine.documents()[0].doc_id,)

    since = bot.fake.mark()
    bot.fake.private_message(USER, "/moi")
    assert "cuộc trò chuyện mới" in (await bot.first_message(USER, since=since)).text
    await bot.send(USER, Q_PLAIN)
    assert bot.engine.calls[-1].history == ()


async def test_sources_button_shows_quoted_passages(bot: Harness) -> None:
    calls = await bot.send(USER, Q_DIACRITICS)
    since = bot.fake.mark()
    bot.fake.press(calls[-1], "Nguồn", user_id=USER)
    await bot.fake.wait_for("answerCallbackQuery", since=since)
    quotes = await bot.first_message(USER, since=since)
    assert "Trích dẫn nguyên văn" in quotes.text
    assert "<blockquote>" in quotes.text and "Quyết định số 271-QĐ/QU" in quotes.text
    assert len(quotes.params.get("reply_markup") or {}) == 0


async def test_full_section_button(fake_bot: Harness) -> None:
    bot = fake_bot
    calls = await bot.send(USER, Q_DIACRITICS)
    since = bot.fake.mark()
    bot.fake.press(calls[-1], "Xem toàn văn mục", user_id=USER)
    section = await bot.first_message(USER, since=since)
    assert "Toàn văn mục" in section.text
    assert "Nguyễn Huy Thắng" in section.text  # the other passage of the same section


async def test_thumbs_up_is_recorded_once_per_user_and_shown(bot: Harness) -> None:
    calls = await bot.send(USER, Q_DIACRITICS)
    since = bot.fake.mark()
    bot.fake.press(calls[-1], "👍", user_id=USER)
    ack = await bot.fake.wait_for("answerCallbackQuery", since=since)
    assert "Cảm ơn" in ack.params["text"]
    edit = await bot.fake.wait_for("editMessageReplyMarkup", since=since)
    assert "👍 1" in [b["text"] for row in edit.params["reply_markup"]["inline_keyboard"] for b in row]
    [row] = bot.state.db.rows("SELECT answer_id, user_id, vote FROM votes")
    assert (row["user_id"], row["vote"]) == (USER, "up")
    since = bot.fake.mark()  # a second press changes the vote instead of adding one
    bot.fake.press(calls[-1], "👎", user_id=USER)
    ack = await bot.fake.wait_for("answerCallbackQuery", since=since)
    assert "Đã đổi" in ack.params["text"]
    edit = await bot.fake.wait_for("editMessageReplyMarkup", since=since)
    labels = [b["text"] for row in edit.params["reply_markup"]["inline_keyboard"] for b in row]
    assert "👍" in labels and "👎 1" in labels
    assert bot.state.audit.votes(row["answer_id"]) == (0, 1)
    [exchange] = bot.state.db.rows("SELECT question, citations FROM audit")
    assert exchange["question"] == Q_DIACRITICS and "01-CTr/QU" in exchange["citations"]


async def test_callback_data_is_short_ascii(bot: Harness) -> None:
    calls = await bot.send(USER, Q_DIACRITICS)
    for row in calls[-1].reply_markup["inline_keyboard"]:
        for button in row:
            data = button["callback_data"]
            assert data.isascii() and len(data.encode()) <= 64 and "Cự Khối" not in data


async def test_unit_then_question_about_my_unit(bot: Harness) -> None:
    since = bot.fake.mark()
    bot.fake.private_message(USER, "/donvi phuong cu khoi")
    confirm = await bot.first_message(USER, since=since)
    assert "Đã đặt đơn vị" in confirm.text and "phường Cự Khối" in confirm.text
    text = joined(await bot.send(USER, "Đơn vị tôi được kiểm tra vào thời gian nào?"))
    assert bot.engine.calls[-1].unit == "phường Cự Khối"
    assert "phường Cự Khối" in text and "02/8/2017" in text


async def test_unit_buttons(bot: Harness) -> None:
    since = bot.fake.mark()
    bot.fake.private_message(USER, "/donvi")
    menu = await bot.first_message(USER, since=since)
    assert "Tòa án nhân dân Quận" in menu.button_texts()
    since = bot.fake.mark()
    bot.fake.press(menu, "Tòa án nhân dân Quận", user_id=USER)
    edit = await bot.fake.wait_for("editMessageText", since=since)
    assert "Tòa án nhân dân Quận" in edit.text
    await bot.send(USER, Q_DIACRITICS)
    assert bot.engine.calls[-1].unit == "Tòa án nhân dân Quận"


async def test_unanswerable_question_is_declined_plainly(bot: Harness) -> None:
    calls = await bot.send(USER, Q_UNANSWERABLE)
    text = joined(calls)
    answer = bot.engine.answers[-1]
    assert answer.declined and texts.esc(answer.text.split("\n")[0]) in text
    assert "Nguồn" not in text and "Quyết định số 271" not in text
    assert "Nguồn" not in calls[-1].button_texts()


async def test_group_message_without_mention_is_ignored(bot: Harness) -> None:
    update = bot.fake.group_message(GROUP, USER, Q_DIACRITICS)
    await bot.fake.wait_consumed(update)
    await asyncio.sleep(0.2)  # a chance to (wrongly) answer
    assert not bot.fake.calls_of("sendMessage", GROUP)
    assert not bot.fake.calls_of("sendChatAction", GROUP)
    assert bot.engine.calls == []


async def test_group_mention_is_answered_without_the_mention(bot: Harness) -> None:
    since = bot.fake.mark()
    update = bot.fake.group_message(GROUP, USER, Q_DIACRITICS, mention=True)
    calls = await bot.reply(GROUP, since=since)
    assert "01-CTr/QU" in joined(calls)
    assert bot.engine.calls[-1].question == Q_DIACRITICS
    assert calls[0].params["reply_parameters"]["message_id"] == update["message"]["message_id"]


async def test_reply_to_the_bot_counts_as_mention(bot: Harness) -> None:
    since = bot.fake.mark()
    bot.fake.group_message(GROUP, USER, Q_DIACRITICS, mention=True)
    first = await bot.reply(GROUP, since=since)
    since = bot.fake.mark()
    bot.fake.group_message(GROUP, OTHER_USER, "Trưởng đoàn là ai?", reply_to=first[-1].params["_result"])
    text = joined(await bot.reply(GROUP, since=since))
    assert "Nguyễn Huy Thắng" in text
    assert [t.question for t in bot.engine.calls[-1].history] == [Q_DIACRITICS]


async def test_a_reply_to_an_earlier_answer_follows_that_answer_not_the_last(bot: Harness) -> None:
    """In a group others ask in between: a reply to one of the bot's answers continues that answer."""
    since = bot.fake.mark()
    bot.fake.group_message(GROUP, USER, Q_DIACRITICS, mention=True)
    first = await bot.reply(GROUP, since=since)
    since = bot.fake.mark()
    bot.fake.group_message(GROUP, OTHER_USER, Q_UNANSWERABLE, mention=True)
    await bot.reply(GROUP, since=since)
    since = bot.fake.mark()
    bot.fake.group_message(GROUP, USER, "còn phường Cự Khối thì sao?", reply_to=first[-1].params["_result"])
    await bot.reply(GROUP, since=since)
    assert [t.question for t in bot.engine.calls[-1].history] == [Q_DIACRITICS]


async def test_stranger_is_refused_once_with_their_id(bot: Harness) -> None:
    since = bot.fake.mark()
    bot.fake.private_message(STRANGER, Q_DIACRITICS)
    refusal = await bot.first_message(STRANGER, since=since)
    assert str(STRANGER) in refusal.text and "quản trị viên" in refusal.text
    assert "01-CTr/QU" not in refusal.text and refusal.reply_markup is None
    update = bot.fake.private_message(STRANGER, "/start")
    await bot.fake.wait_consumed(update)
    await asyncio.sleep(0.2)
    assert len(bot.fake.calls_of("sendMessage", STRANGER)) == 1  # one polite message, then silence
    assert bot.engine.calls == []


async def test_admin_is_answered_without_being_listed_as_user(bot: Harness) -> None:
    assert "01-CTr/QU" in joined(await bot.send(ADMIN, Q_DIACRITICS))


async def test_long_answer_split_on_paragraph_boundaries(make_bot: BotFactory) -> None:
    paragraphs = [f"Đoạn {i}: " + ("nội dung <quan trọng> & chi tiết " * 18).strip() + "." for i in range(14)]
    citation = Citation(1, seed_chunks()[0].chunk_id, seed_chunks()[0].doc_id, "01-CTr/QU",
                        "Kiểm tra <Chương trình>", "Kết quả", "2017-08-15", "…")
    long = Answer(text="\n\n".join(paragraphs), grounded=True, citations=(citation,))
    bot = await make_bot(FakeEngine(scripted={"toan van ket qua": long}))
    calls = await bot.send(USER, "Toàn văn kết quả?")
    assert len(calls) >= 2
    for c in calls:
        assert len(c.text) <= 4096 and texts.is_balanced(c.text)
    escaped = [texts.esc(p) for p in paragraphs]
    for p in escaped:  # every paragraph sits whole inside one message
        assert sum(p in c.text for c in calls) == 1
    assert calls[-1].reply_markup is not None and all(c.reply_markup is None for c in calls[:-1])
    assert "Kiểm tra &lt;Chương trình&gt;" in calls[-1].text


async def test_rate_limit_429_is_retried_and_reply_delivered(bot: Harness) -> None:
    bot.fake.fail("sendMessage", 1, status=429, retry_after=1)
    calls = await bot.send(USER, Q_DIACRITICS, timeout=8)
    assert "01-CTr/QU" in joined(calls)
    failed = [c for c in bot.fake.calls_of("sendMessage") if c.params.get("_error") == 429]
    assert len(failed) == 1 and failed[0].at < calls[-1].at


async def test_group_long_answer_links_to_private_chat(make_bot: BotFactory) -> None:
    paragraphs = [f"Phần {i}: " + "nội dung chi tiết của văn bản " * 12 for i in range(8)]
    long = Answer(text="\n\n".join(paragraphs), grounded=True, citations=(
        Citation(1, seed_chunks()[0].chunk_id, seed_chunks()[0].doc_id, "01-CTr/QU", "Tiêu đề", "Mục 1",
                 "2017-08-15", "…"),))
    bot = await make_bot(FakeEngine(scripted={"chi tiet": long}))
    member = 4004  # allowed only as a member of GROUP, not on the user allowlist
    since = bot.fake.mark()
    bot.fake.group_message(GROUP, member, "chi tiết", mention=True)
    [short] = await bot.reply(GROUP, since=since)
    assert len(short.text) < 2000 and "Phần 7" not in short.text
    url = next(b["url"] for row in short.reply_markup["inline_keyboard"] for b in row if "url" in b)
    m = re.fullmatch(r"https://t\.me/party_docs_bot\?start=(a_[A-Za-z0-9_-]+)", url)
    assert m
    full_calls = await bot.send(member, f"/start {m.group(1)}")
    full = joined(full_calls)
    assert all(p.strip() in full for p in paragraphs)
    since = bot.fake.mark()  # the buttons under the full answer work for them too
    bot.fake.press(full_calls[-1], "Nguồn", user_id=member)
    assert "Trích dẫn nguyên văn" in (await bot.first_message(member, since=since)).text
    since = bot.fake.mark()  # but a deep link is not a pass for anything else
    bot.fake.private_message(member, Q_DIACRITICS)
    assert str(member) in (await bot.first_message(member, since=since)).text
    since = bot.fake.mark()
    bot.fake.private_message(STRANGER, "/start a_forged123")
    assert str(STRANGER) in (await bot.first_message(STRANGER, since=since)).text


class PacedStreamEngine(FakeEngine):
    """Streams like an LLM: a pause between partials (a stream that ends before the first partial
    is shown is sent as one message, which is right, but not what this test is about)."""

    def stream(self, question: str, history: Any = (), unit: str | None = None, viewer: Any = None) -> Any:
        for item in super().stream(question, history, unit, viewer):
            time.sleep(0.03)
            yield item


async def test_streaming_edits_then_shows_validated_answer(make_bot: BotFactory) -> None:
    bot = await make_bot(PacedStreamEngine(), llm_streaming=True)
    since = bot.fake.mark()
    bot.fake.private_message(USER, Q_DIACRITICS)
    final = await bot.fake.wait_for("editMessageText", lambda c: c.reply_markup is not None, since=since)
    assert "<b>Nguồn:</b>" in final.text
    sent = bot.fake.calls_of("sendMessage", USER)
    assert len(sent) == 1 and sent[0].params["_result"]["message_id"] == int(final.params["message_id"])
    assert bot.engine.calls[-1].method == "stream"


async def test_internal_error_apologises_without_leaking(fake_bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    bot = fake_bot
    since = bot.fake.mark()
    with caplog.at_level(logging.ERROR):
        bot.fake.private_message(USER, "lỗi hệ thống")
        msg = await bot.first_message(USER, since=since)
    assert msg.text == texts.ERROR_GENERIC
    assert "/srv/secret" not in msg.text
    assert "internal failure" in caplog.text  # logged for the operator


async def test_knowledge_error_message_is_shown(fake_bot: Harness) -> None:
    bot = fake_bot
    since = bot.fake.mark()
    bot.fake.private_message(USER, "lỗi kiến thức")
    msg = await bot.first_message(USER, since=since)
    assert "Kho tài liệu đang được cập nhật" in msg.text


async def test_slow_answer_does_not_stall_other_users(make_bot: BotFactory) -> None:
    bot = await make_bot(FakeEngine(slow_questions={"cau hoi cham": 1.5}))
    since = bot.fake.mark()
    bot.fake.private_message(USER, "câu hỏi chậm")
    fast = await bot.send(OTHER_USER, Q_DIACRITICS, timeout=1.0)
    assert not bot.fake.calls_of("sendMessage", USER)  # the slow one is still thinking
    slow = await bot.reply(USER, since=since, timeout=5)
    assert slow[-1].at > fast[-1].at


async def test_per_user_rate_limit(make_bot: BotFactory) -> None:
    bot = await make_bot(user_rate_limit=2, user_rate_window_s=60)
    await bot.send(USER, Q_DIACRITICS)
    await bot.send(USER, Q_PLAIN)
    since = bot.fake.mark()
    bot.fake.private_message(USER, Q_DIACRITICS)
    msg = await bot.first_message(USER, since=since)
    assert "hỏi hơi nhanh" in msg.text and len(bot.engine.calls) == 2
    assert re.search(r"sau khoảng \d+ giây \(lúc \d\d:\d\d:\d\d\)", msg.text)
    assert "01-CTr/QU" in joined(await bot.send(OTHER_USER, Q_DIACRITICS))  # others unaffected


async def test_documents_listing(bot: Harness) -> None:
    since = bot.fake.mark()
    bot.fake.private_message(USER, "/tailieu")
    msg = await bot.first_message(USER, since=since)
    assert "Tài liệu hiện có (1)" in msg.text
    assert "Kiểm tra việc thực hiện Chương trình 01-CTr/QU" in msg.text and "(15/08/2017)" in msg.text


async def test_token_never_logged(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        await bot.send(USER, Q_DIACRITICS)
    assert bot.fake.token not in caplog.text
    assert bot.fake.token.split(":")[1] not in caplog.text


async def test_llm_stream_through_real_engine_throttles_edits(make_bot: BotFactory, tmp_path: Path,
                                                              real_engine: Any) -> None:
    """Real knowledge base + scripted streaming LLM: one message, throttled edits, validated final.

    (``real_engine`` is requested so this test skips, like the others, when the real KB is unavailable.)
    """
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings
    from tests.e2e.conftest import SEED_PATHS
    from tests.fakes.chat_model import ScriptedChatModel
    from tests.fakes.embedder import HashEmbeddings

    reply = ("Đoàn kiểm tra Chương trình 01-CTr/QU đã tiến hành kiểm tra 04 đảng ủy cơ sở gồm phường Sài Đồng, "
             "phường Cự Khối, Tòa án nhân dân Quận và CTCP Khí công nghiệp Việt Nam [1].")
    model = ScriptedChatModel(default=reply, chunk_delay_s=0.02)
    settings = KnowledgeSettings(data_dir=tmp_path / "kb", llm_provider="openai", llm_model="scripted")  # type: ignore[call-arg]
    services = build_services(settings, embeddings=HashEmbeddings(), chat_model=model)
    services.ingest.ingest_paths([next(p for p in SEED_PATHS if p.exists())])
    services.engine.findings = None  # the LLM path is under test; the findings records would answer this first
    bot = await make_bot(services.engine, llm_streaming=True, stream_edit_interval_s=0.25)

    since = bot.fake.mark()
    bot.fake.private_message(USER, Q_DIACRITICS)
    final = await bot.fake.wait_for("editMessageText", lambda c: c.reply_markup is not None, timeout=10, since=since)
    [first] = bot.fake.calls_of("sendMessage", USER)
    edits = bot.fake.calls_of("editMessageText", USER)
    assert len(edits) >= 2  # at least one partial edit, then the final answer
    assert all(int(e.params["message_id"]) == first.params["_result"]["message_id"] for e in edits)
    partial_times = [first.at] + [e.at for e in edits[:-1]]
    assert all(b - a >= 0.24 for a, b in itertools.pairwise(partial_times))  # about once per interval
    assert "<b>Nguồn:</b>" in final.text and "phường Cự Khối" in final.text
    assert model.calls and bot.engine.calls[-1].method == "stream"
