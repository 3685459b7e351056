"""Who may ask, and when a group message is addressed to the bot."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Chat, Message, MessageEntity, User

from bot.access import AccessPolicy, addressed, strip_mention
from bot.ratelimit import UserRateLimiter
from bot.state import BotState
from knowledge.models import Answer

BOT = User(99, "Trợ lý", is_bot=True, username="party_docs_bot")
ALICE = User(1, "Alice", is_bot=False)
GROUP = Chat(-100, Chat.SUPERGROUP, title="Chi bộ")
PRIVATE = Chat(1, Chat.PRIVATE)
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def msg(text: str, chat: Chat = GROUP, *, entities: tuple[MessageEntity, ...] = (),
        reply_to: Message | None = None) -> Message:
    return Message(1, NOW, chat, from_user=ALICE, text=text, entities=entities, reply_to_message=reply_to)


def test_secure_by_default() -> None:
    policy = AccessPolicy()
    assert not policy.may_ask(1, 1) and not policy.is_admin(1) and not policy.may_ask(None, 1)


def test_admins_users_and_chats() -> None:
    policy = AccessPolicy(admin_ids=frozenset({1}), allowed_user_ids=frozenset({2}),
                          allowed_chat_ids=frozenset({-100}))
    assert policy.may_ask(1, 1) and policy.is_admin(1)
    assert policy.may_ask(2, 2) and policy.may_ask(2, -555) and not policy.is_admin(2)
    assert policy.may_ask(3, -100) and not policy.may_ask(3, 3) and not policy.may_ask(3, -555)


def test_private_messages_are_always_addressed() -> None:
    assert addressed(msg("xin chào", PRIVATE), "party_docs_bot", BOT.id)


def test_group_needs_mention_reply_or_command() -> None:
    assert not addressed(msg("câu hỏi"), "party_docs_bot", BOT.id)
    mention = MessageEntity(MessageEntity.MENTION, 0, 15)
    assert addressed(msg("@party_docs_bot câu hỏi", entities=(mention,)), "party_docs_bot", BOT.id)
    assert addressed(msg("hỏi @Party_Docs_Bot nhé"), "party_docs_bot", BOT.id)  # case-insensitive
    assert not addressed(msg("hỏi @party_docs_bot_fan nhé"), "party_docs_bot", BOT.id)
    assert not addressed(msg("email a@party_docs_bot"), "party_docs_bot", BOT.id)
    bot_msg = Message(5, NOW, GROUP, from_user=BOT, text="trả lời")
    assert addressed(msg("thế còn?", reply_to=bot_msg), "party_docs_bot", BOT.id)
    other_msg = Message(6, NOW, GROUP, from_user=ALICE, text="x")
    assert not addressed(msg("đồng ý", reply_to=other_msg), "party_docs_bot", BOT.id)
    assert addressed(msg("/tailieu"), "party_docs_bot", BOT.id)
    assert addressed(msg("/tailieu@party_docs_bot"), "party_docs_bot", BOT.id)
    assert not addressed(msg("/start@other_bot"), "party_docs_bot", BOT.id)
    text_mention = MessageEntity(MessageEntity.TEXT_MENTION, 0, 6, user=BOT)
    assert addressed(msg("Trợ lý ơi, hỏi", entities=(text_mention,)), "party_docs_bot", BOT.id)


def test_strip_mention() -> None:
    assert strip_mention("@party_docs_bot Ai là trưởng đoàn?", "party_docs_bot") == "Ai là trưởng đoàn?"
    assert strip_mention("@Party_Docs_Bot, ai là trưởng đoàn?", "party_docs_bot") == "ai là trưởng đoàn?"
    assert strip_mention("Ai là trưởng đoàn @party_docs_bot", "party_docs_bot") == "Ai là trưởng đoàn"
    assert strip_mention("@party_docs_bot", "party_docs_bot") == ""
    assert strip_mention("hỏi @party_docs_bot_fan", "party_docs_bot") == "hỏi @party_docs_bot_fan"


def test_refusal_notice_once_per_cooldown() -> None:
    now = [0.0]
    state = BotState(denied_cooldown_s=600, clock=lambda: now[0])
    assert state.should_notify_denied(7)
    assert not state.should_notify_denied(7)
    assert state.should_notify_denied(8)
    now[0] = 601
    assert state.should_notify_denied(7)


def test_user_rate_limiter_window() -> None:
    now = [0.0]
    limiter = UserRateLimiter(2, 60, clock=lambda: now[0])
    assert limiter.check(1) == 0 and limiter.check(1) == 0
    assert limiter.check(1) == 60
    assert limiter.check(2) == 0
    now[0] = 30
    assert limiter.check(1) == 30
    now[0] = 60
    assert limiter.check(1) == 0


def test_state_history_is_bounded_and_per_chat() -> None:
    state = BotState(history_turns=2, answers_kept=3)
    ids = [state.remember(chat_id=1, user_id=1, question=f"q{i}", answer=Answer(f"a{i}", True), unit=None).answer_id
           for i in range(4)]
    assert [t.question for t in state.history(1)] == ["q2", "q3"]
    assert state.history(2) == ()
    assert state.answer(ids[0]) is None and state.answer(ids[3]) is not None  # oldest answers forgotten
    state.clear(1)
    assert state.history(1) == ()
    assert all(len(i) <= 12 and i.isascii() for i in ids)
