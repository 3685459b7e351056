"""Who may ask, and when a group message is addressed to the bot."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Chat, Message, MessageEntity, User

from bot.access import addressed, may_use_answer, startup_warning, strip_mention
from bot.ratelimit import UserRateLimiter
from bot.state import DeniedNotices
from knowledge.models import Answer
from knowledge.state import State

BOT = User(99, "Trợ lý", is_bot=True, username="party_docs_bot")
ALICE = User(1, "Alice", is_bot=False)
GROUP = Chat(-100, Chat.SUPERGROUP, title="Chi bộ")
PRIVATE = Chat(1, Chat.PRIVATE)
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def msg(text: str, chat: Chat = GROUP, *, entities: tuple[MessageEntity, ...] = (),
        reply_to: Message | None = None) -> Message:
    return Message(1, NOW, chat, from_user=ALICE, text=text, entities=entities, reply_to_message=reply_to)


def test_secure_by_default() -> None:
    people = State.open(":memory:").people
    people.seed()
    assert not people.may_ask(1, 1) and not people.is_admin(1) and not people.may_ask(None, 1)
    assert startup_warning(people) is not None and "nobody" in (startup_warning(people) or "")


def test_admins_users_and_chats() -> None:
    people = State.open(":memory:").people
    people.seed(admins={1})
    assert "only admins" in (startup_warning(people) or "")
    people.seed(admins={1}, users={2}, chats={-100})
    assert startup_warning(people) is None
    assert people.may_ask(1, 1) and people.is_admin(1)
    assert people.may_ask(2, 2) and people.may_ask(2, -555) and not people.is_admin(2)
    assert people.may_ask(3, -100) and not people.may_ask(3, 3) and not people.may_ask(3, -555)


def test_buttons_belong_to_their_answer() -> None:
    state = State.open(":memory:")
    state.people.seed(admins={1}, users={2, 3}, chats={-100})
    private = state.memory.remember(chat_id=2, user_id=2, question="q", answer=Answer("a", True), unit=None)
    group = state.memory.remember(chat_id=-100, user_id=2, question="q", answer=Answer("a", True), unit=None,
                                  chat_type="supergroup")
    people, memory = state.people, state.memory
    assert may_use_answer(private, 2, 2, people, memory)
    assert not may_use_answer(private, 3, 3, people, memory)  # another allowed user, their own chat
    assert not may_use_answer(private, 3, 2, people, memory)  # forged: claims the asker's chat
    assert may_use_answer(group, 9, -100, people, memory)  # any member of the allowed group
    assert not may_use_answer(group, 9, 9, people, memory)  # not in private without the link
    memory.grant(group.answer_id, 9)
    assert may_use_answer(group, 9, 9, people, memory)
    people.remove_chat(-100, by=1)
    assert not may_use_answer(group, 9, -100, people, memory)  # the group lost its access


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
    denied = DeniedNotices(600, clock=lambda: now[0])
    assert denied.should_notify(7)
    assert not denied.should_notify(7)
    assert denied.should_notify(8)
    now[0] = 601
    assert denied.should_notify(7)


def test_user_rate_limiter_window_one_notice_and_refund() -> None:
    now = [0.0]
    limiter = UserRateLimiter(2, 60, clock=lambda: now[0])
    assert limiter.check(1).allowed and limiter.check(1).allowed
    first = limiter.check(1)
    assert not first.allowed and first.wait_s == 60 and first.notify
    assert limiter.check(2).allowed
    now[0] = 30
    again = limiter.check(1)
    assert not again.allowed and again.wait_s == 30 and not again.notify  # one notice per blocked period
    now[0] = 60
    assert limiter.check(1).allowed
    limiter.refund(1)  # that answer failed: its slot comes back
    assert limiter.check(1).allowed and limiter.check(1).allowed
    blocked = limiter.check(1)
    assert not blocked.allowed and blocked.notify  # a new blocked period gets its own notice
