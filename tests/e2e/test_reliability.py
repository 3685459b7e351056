"""No lost answers: Telegram faults, duplicate updates, non-text messages, edits, rate limits, stuck LLMs, load."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator, Sequence

from bot import texts
from knowledge.models import Answer, Citation, Turn
from knowledge.text import fold
from tests.e2e.conftest import GROUP, OTHER_USER, USER, BotFactory, Harness
from tests.e2e.test_bot import Q_DIACRITICS, Q_UNANSWERABLE, PacedStreamEngine, joined
from tests.fakes.engine import FakeEngine, seed_chunks
from tests.fakes.telegram_server import Call


class EchoEngine(FakeEngine):
    """Answers every question with its own text (so each answer can be matched to its question)."""

    def answer(self, question: str, history: Sequence[Turn] = (), unit: str | None = None) -> Answer:
        c = seed_chunks()[0]
        citation = Citation(1, c.chunk_id, c.doc_id, c.meta.code, c.meta.title, c.section, c.meta.issue_date, "…")
        return Answer(text=f"Trả lời: {question}", grounded=True, citations=(citation,))


class StuckEngine(FakeEngine):
    """Questions containing "treo" block (like an LLM call that hangs) until released or 30 s pass."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.stuck = 0
        self._count = threading.Lock()

    def _hang(self, question: str) -> None:
        if "treo" in fold(question):
            with self._count:
                self.stuck += 1
            self.release.wait(30)

    def answer(self, question: str, history: Sequence[Turn] = (), unit: str | None = None) -> Answer:
        self._hang(question)
        return super().answer(question, history, unit)

    def stream(self, question: str, history: Sequence[Turn] = (), unit: str | None = None) -> Iterator[str | Answer]:
        self._hang(question)
        for item in super().stream(question, history, unit):
            time.sleep(0.03)  # paced like an LLM, so partials are shown before the end
            yield item


def answers(bot: Harness, chat_id: int) -> list[Call]:
    """Every answer delivered to a chat (its last message carries the buttons)."""
    return [c for c in bot.fake.calls_of("sendMessage", chat_id) if "_error" not in c.params and c.reply_markup]


async def settle(bot: Harness, update: dict[str, object], seconds: float = 0.3) -> None:
    await bot.fake.wait_consumed(update)
    await asyncio.sleep(seconds)  # a chance to (wrongly) answer again


# --- Telegram faults -----------------------------------------------------------------------------


async def test_5xx_on_send_is_retried_and_answered_once(fake_bot: Harness) -> None:
    bot = fake_bot
    bot.fake.fail("sendMessage", 1, status=500)
    bot.fake.fail("sendMessage", 1, status=502)
    calls = await bot.send(USER, Q_DIACRITICS)
    assert "phường Cự Khối" in joined(calls)
    assert bot.fake.faults_injected("sendMessage") == 2
    assert len(answers(bot, USER)) == 1  # retried, never duplicated
    assert texts.ERROR_GENERIC not in joined(bot.fake.calls_of("sendMessage", USER))


async def test_timeout_on_send_is_retried(make_bot: BotFactory) -> None:
    bot = await make_bot(api_timeout_s=1.0)
    bot.fake.hang("sendMessage", 2.5)  # the request hangs past the client's timeout and is lost
    calls = await bot.send(USER, Q_DIACRITICS, timeout=8)
    assert "01-CTr/QU" in joined(calls)
    async with asyncio.timeout(4):  # the fake logs the hung request only when it finally drops it
        while bot.fake.faults_injected("sendMessage") < 1:
            await asyncio.sleep(0.05)
    assert len(answers(bot, USER)) == 1


async def test_5xx_on_edit_while_streaming_still_ends_with_the_answer(make_bot: BotFactory) -> None:
    bot = await make_bot(PacedStreamEngine(), llm_streaming=True)
    bot.fake.fail("editMessageText", 2, status=502)
    since = bot.fake.mark()
    bot.fake.private_message(USER, Q_DIACRITICS)
    final = await bot.fake.wait_for("editMessageText", lambda c: c.reply_markup is not None, since=since, timeout=8)
    assert "<b>Nguồn:</b>" in final.text
    assert bot.fake.faults_injected("editMessageText") == 2
    assert len(bot.fake.calls_of("sendMessage", USER)) == 1  # one message, edited into the answer


async def test_5xx_on_answer_callback_does_not_lose_the_sources(fake_bot: Harness) -> None:
    bot = fake_bot
    calls = await bot.send(USER, Q_DIACRITICS)
    bot.fake.fail("answerCallbackQuery", 1, status=500)
    since = bot.fake.mark()
    bot.fake.press(calls[-1], "Nguồn", user_id=USER)
    quotes = await bot.first_message(USER, since=since)
    assert "Trích dẫn nguyên văn" in quotes.text
    await bot.fake.wait_for("answerCallbackQuery", since=since)  # the retry stopped the spinner
    # Telegram keeps failing beyond every retry: the sources still arrive
    bot.fake.fail("answerCallbackQuery", bot.settings.send_retries + 1, status=500)
    since = bot.fake.mark()
    bot.fake.press(calls[-1], "Nguồn", user_id=USER)
    assert "Trích dẫn nguyên văn" in (await bot.first_message(USER, since=since, timeout=8)).text


async def test_duplicate_update_is_answered_once(fake_bot: Harness) -> None:
    bot = fake_bot
    update = bot.fake.private_message(USER, Q_DIACRITICS)
    await bot.reply(USER, since=0)
    bot.fake.redeliver(update)  # e.g. Telegram was not sure the first delivery arrived
    await settle(bot, update)
    assert len(answers(bot, USER)) == 1 and len(bot.engine.calls) == 1


async def test_every_question_gets_exactly_one_answer_despite_flaky_telegram(make_bot: BotFactory) -> None:
    bot = await make_bot(EchoEngine(), user_rate_limit=100, send_retries=8, send_backoff_s=0.01,
                         flood_overall_per_s=1000, allowed_user_ids=frozenset(range(7000, 7020)))
    bot.fake.flaky("sendMessage", 0.25, status=500, seed=7)
    bot.fake.flaky("answerCallbackQuery", 0.25, status=502, seed=8)
    asked = {}
    for user in range(7000, 7020):  # 20 users x 5 questions, all at once
        for i in range(5):
            q = f"Câu hỏi số {i} của người {user}"
            asked[q] = user
            bot.fake.private_message(user, q)

    def delivered() -> int:
        return sum(len(answers(bot, u)) for u in range(7000, 7020))

    async with asyncio.timeout(30):
        while delivered() < len(asked):
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    assert bot.fake.faults_injected("sendMessage") > 10  # the faults really happened
    for q, user in asked.items():
        texts_for_user = [c.text for c in answers(bot, user)]
        assert sum(f"Trả lời: {q}" in t for t in texts_for_user) == 1, q  # exactly one answer each
    assert delivered() == len(asked)


# --- what used to get no reply -------------------------------------------------------------------


async def test_non_text_messages_get_a_short_explanation(fake_bot: Harness) -> None:
    bot = fake_bot
    for kind, expected in (("sticker", "nhãn dán"), ("voice", "tin nhắn thoại"), ("location", "vị trí"),
                           ("contact", "danh bạ"), ("photo", "ảnh")):
        since = bot.fake.mark()
        bot.fake.media(USER, kind)
        msg = await bot.first_message(USER, since=since)
        assert "chỉ đọc được câu hỏi bằng chữ" in msg.text and expected in msg.text, kind
    assert bot.engine.calls == []


async def test_caption_is_a_question(fake_bot: Harness) -> None:
    bot = fake_bot
    since = bot.fake.mark()
    bot.fake.media(USER, "photo", caption=Q_DIACRITICS)
    [answer] = await bot.reply(USER, since=since)
    assert "phường Cự Khối" in answer.text and "phần chú thích" in answer.text
    assert bot.engine.calls[-1].question == Q_DIACRITICS
    since = bot.fake.mark()  # a non-admin's file with a caption: the caption is the question too
    bot.fake.document(USER, "anh-chup.pdf", b"%PDF-1.4", caption="Trưởng đoàn kiểm tra là ai?")
    assert "Nguyễn Huy Thắng" in joined(await bot.reply(USER, since=since))


async def test_group_media_only_when_addressed(fake_bot: Harness) -> None:
    bot = fake_bot
    update = bot.fake.media(USER, "sticker", chat_id=GROUP)
    await settle(bot, update)
    assert not bot.fake.calls_of("sendMessage", GROUP)
    since = bot.fake.mark()
    bot.fake.group_message(GROUP, USER, Q_DIACRITICS, mention=True)
    first = await bot.reply(GROUP, since=since)
    since = bot.fake.mark()
    bot.fake.media(USER, "voice", chat_id=GROUP, reply_to=first[-1].params["_result"])
    assert "tin nhắn thoại" in (await bot.first_message(GROUP, since=since)).text
    since = bot.fake.mark()
    bot.fake.media(USER, "photo", chat_id=GROUP, caption="Trưởng đoàn là ai?", mention=True)
    assert "Nguyễn Huy Thắng" in joined(await bot.reply(GROUP, since=since))


async def test_edited_question_is_answered_as_a_new_question(fake_bot: Harness) -> None:
    bot = fake_bot
    update = bot.fake.private_message(USER, Q_UNANSWERABLE)
    first = await bot.reply(USER, since=0)
    assert "không đề cập" in joined(first)
    since = bot.fake.mark()
    bot.fake.edit(update, Q_DIACRITICS)
    [again] = await bot.reply(USER, since=since)
    assert "sửa câu hỏi" in again.text and "phường Cự Khối" in again.text
    assert bot.engine.calls[-1].question == Q_DIACRITICS
    [row] = bot.state.db.rows("SELECT edited FROM audit WHERE question = ?", (Q_DIACRITICS,))
    assert row["edited"] == 1


async def test_unknown_command_is_explained(fake_bot: Harness) -> None:
    since = fake_bot.fake.mark()
    fake_bot.fake.private_message(USER, "/khongco")
    assert "/help" in (await fake_bot.first_message(USER, since=since)).text


# --- rate limit ----------------------------------------------------------------------------------


async def test_quick_questions_get_one_notice_that_says_when(make_bot: BotFactory) -> None:
    bot = await make_bot(user_rate_limit=6, user_rate_window_s=60)
    last = None
    for i in range(15):
        last = bot.fake.private_message(USER, f"{Q_DIACRITICS} ({i})")
    assert last is not None
    await bot.fake.wait_consumed(last)
    async with asyncio.timeout(5):
        while len(answers(bot, USER)) < 6:
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    sent = [c.text for c in bot.fake.calls_of("sendMessage", USER) if "_error" not in c.params]
    notices = [t for t in sent if "hỏi hơi nhanh" in t]
    assert len(answers(bot, USER)) == 6 and len(notices) == 1  # not 9 separate "please wait"
    assert re.search(r"sau khoảng (\d+) giây \(lúc \d\d:\d\d:\d\d\)", notices[0])
    assert len(bot.engine.calls) == 6


async def test_failed_answers_do_not_count_toward_the_limit(make_bot: BotFactory) -> None:
    bot = await make_bot(user_rate_limit=2, user_rate_window_s=60)
    for _ in range(2):
        since = bot.fake.mark()
        bot.fake.private_message(USER, "lỗi hệ thống")  # the engine fails: an apology, no answer
        assert (await bot.first_message(USER, since=since)).text == texts.ERROR_GENERIC
    await bot.send(USER, Q_DIACRITICS)
    await bot.send(USER, Q_DIACRITICS)  # both still within the limit of 2
    since = bot.fake.mark()
    bot.fake.private_message(USER, Q_DIACRITICS)
    assert "hỏi hơi nhanh" in (await bot.first_message(USER, since=since)).text


async def test_button_presses_count_toward_the_limit(make_bot: BotFactory) -> None:
    bot = await make_bot(user_rate_limit=3, user_rate_window_s=60)
    calls = await bot.send(USER, Q_DIACRITICS)
    for _ in range(2):
        since = bot.fake.mark()
        bot.fake.press(calls[-1], "Nguồn", user_id=USER)
        await bot.first_message(USER, since=since)
    since = bot.fake.mark()
    bot.fake.press(calls[-1], "Nguồn", user_id=USER)
    alert = await bot.fake.wait_for("answerCallbackQuery", since=since)
    assert "thao tác hơi nhanh" in alert.params["text"] and alert.params.get("show_alert") in (True, "true")
    await asyncio.sleep(0.2)
    assert not bot.fake.calls_of("sendMessage", USER)[len(calls) + 2:]


# --- a stuck LLM does not stall anybody else -----------------------------------------------------


async def test_stuck_llm_does_not_stall_other_users(make_bot: BotFactory) -> None:
    engine = StuckEngine()
    stuck_users = list(range(8000, 8008))  # more than asyncio's default thread pool on 2 cores
    bot = await make_bot(engine, allowed_user_ids=frozenset({USER, OTHER_USER, *stuck_users}))
    try:
        for u in stuck_users:
            bot.fake.private_message(u, "câu hỏi bị treo")
        async with asyncio.timeout(5):
            while engine.stuck < len(stuck_users):
                await asyncio.sleep(0.02)
        # meanwhile others are answered, in well under the 30 s the stuck calls may take
        assert "01-CTr/QU" in joined(await bot.send(USER, Q_DIACRITICS, timeout=3))
        assert "01-CTr/QU" in joined(await bot.send(OTHER_USER, Q_DIACRITICS, timeout=3))
        assert all(not answers(bot, u) for u in stuck_users)
    finally:
        engine.release.set()
    async with asyncio.timeout(5):
        while sum(len(answers(bot, u)) for u in stuck_users) < len(stuck_users):
            await asyncio.sleep(0.05)
    assert all(len(answers(bot, u)) == 1 for u in stuck_users)


async def test_stuck_streaming_llm_does_not_stall_other_users(make_bot: BotFactory) -> None:
    engine = StuckEngine()
    bot = await make_bot(engine, llm_streaming=True)
    try:
        bot.fake.private_message(OTHER_USER, "câu hỏi bị treo")
        async with asyncio.timeout(5):
            while engine.stuck < 1:
                await asyncio.sleep(0.02)
        since = bot.fake.mark()
        bot.fake.private_message(USER, Q_DIACRITICS)
        final = await bot.fake.wait_for("editMessageText", lambda c: c.reply_markup is not None, since=since,
                                        timeout=3)
        assert final.chat_id == USER and "<b>Nguồn:</b>" in final.text
    finally:
        engine.release.set()
