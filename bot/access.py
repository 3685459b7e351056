"""Who may ask, whom a button or a link belongs to, and whether a group message is for the bot.

Roles live in SQLite (``knowledge.state.people``); this module applies them to updates. The
gate runs before every handler: it drops re-delivered updates and group chatter not addressed
to the bot, refuses strangers, and checks that an answer's buttons and "Đọc đầy đủ" link are
used only by the people that answer was given to.
"""

from __future__ import annotations

import logging
import re

from telegram import CallbackQuery, Chat, ChatMember, Message, MessageEntity, Update, User
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import keyboards, texts
from bot.context import BotContext
from bot.delivery import answer_query, is_private
from knowledge.state.memory import Conversations, StoredAnswer
from knowledge.state.people import People

_log = logging.getLogger(__name__)
_DEEP_LINK_RE = re.compile(r"^/start(?:@\w+)?\s+(\S+)\s*$")
_MEMBER = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER})


def _mention_re(bot_username: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@])@{re.escape(bot_username)}\b", re.IGNORECASE)


def is_command_for_us(message: Message, bot_username: str) -> bool:
    """``/cmd`` or ``/cmd@ourbot`` at the start of the message (not ``/cmd@otherbot``)."""
    text = message.text or message.caption or ""
    m = re.match(r"^/[A-Za-z0-9_]+(?:@([A-Za-z0-9_]+))?", text)
    if m is None:
        return False
    return m.group(1) is None or m.group(1).lower() == bot_username.lower()


def mentions_bot(message: Message, bot_username: str, bot_id: int) -> bool:
    """An @mention of the bot (entity or plain text) or a text mention of its user."""
    text = message.text or message.caption or ""
    for entity in (*message.entities, *message.caption_entities):
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
    return bool(bot_username) and bool(_mention_re(bot_username).search(text))


def replies_to_bot(message: Message, bot_id: int) -> bool:
    reply = message.reply_to_message
    return reply is not None and reply.from_user is not None and reply.from_user.id == bot_id


def addressed(message: Message, bot_username: str, bot_id: int) -> bool:
    """Private chats always; in groups a mention, a reply to the bot, or a command for us."""
    if is_private(message.chat):
        return True
    return (
        replies_to_bot(message, bot_id)
        or mentions_bot(message, bot_username, bot_id)
        or is_command_for_us(message, bot_username)
    )


def strip_mention(text: str, bot_username: str) -> str:
    """The question without ``@botname`` (and the punctuation that glued it to the text)."""
    if not bot_username:
        return text.strip()
    stripped = _mention_re(bot_username).sub(" ", text)
    stripped = re.sub(r"^[\s,:;.\-–]+", "", stripped)
    return re.sub(r"\s{2,}", " ", stripped).strip()


def may_use_answer(stored: StoredAnswer, user_id: int, chat_id: int, people: People, memory: Conversations) -> bool:
    """Whether this user, in this chat, may press this answer's buttons.

    In the chat it was given in: the asker (private chat), or anyone who may ask in that group.
    Elsewhere: only in the private chat of someone who opened it through its "Đọc đầy đủ" link.
    """
    if chat_id == stored.chat_id:
        return user_id == stored.user_id if stored.private else people.may_ask(user_id, chat_id)
    return chat_id == user_id and memory.granted(stored.answer_id, user_id)


async def _is_member(context: BotContext, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        _log.info("could not check membership of %s in %s: %s", user_id, chat_id, exc)
        return False
    restricted_member = member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False))
    return member.status in _MEMBER or restricted_member


async def _refuse(update: Update, context: BotContext, user: User, chat: Chat) -> None:
    _log.info("refused user %s in chat %s", user.id, chat.id)
    if update.callback_query:
        await answer_query(update.callback_query, texts.DENIED_SHORT.format(user_id=user.id), alert=True)
    elif update.effective_message and context.denied.should_notify(user.id):
        await update.effective_message.reply_text(texts.denied(user.id), do_quote=not is_private(chat))
    raise ApplicationHandlerStop


async def _answer_button(
    update: Update, context: BotContext, query: CallbackQuery, key: str, user: User, chat: Chat
) -> None:
    """An answer's button: the answer must belong to this user and chat; the press counts toward the limit."""
    stored = context.memory.answer(key)
    if stored is None:
        if context.people.may_ask(user.id, chat.id):
            return  # the handler says the answer is too old
        await _refuse(update, context, user, chat)
        return
    if not may_use_answer(stored, user.id, chat.id, context.people, context.memory):
        _log.warning("refused a button of answer %s from user %s in chat %s", stored.answer_id, user.id, chat.id)
        await answer_query(query, texts.NOT_YOUR_BUTTON, alert=True)
        raise ApplicationHandlerStop
    verdict = context.limiter.check(user.id)
    if not verdict.allowed:
        await answer_query(query, texts.rate_limited_short(verdict.wait_s), alert=True)
        raise ApplicationHandlerStop


async def _deep_link(update: Update, context: BotContext, answer_id: str, user: User, chat: Chat) -> None:
    """``/start a_<id>``: the asker, someone it was granted to, or a member of the group it was given in."""
    stored = context.memory.answer(answer_id)
    if stored is not None and (stored.user_id == user.id or context.memory.granted(answer_id, user.id)):
        context.memory.grant(answer_id, user.id)  # its buttons now work in this private chat too
        return
    if (
        stored is not None
        and not stored.private
        and context.people.may_ask(user.id, stored.chat_id)
        and await _is_member(context, stored.chat_id, user.id)
    ):
        context.memory.grant(answer_id, user.id)
        return
    if context.people.may_ask(user.id, chat.id):
        if stored is None:
            return  # the handler says the answer is gone
        await update.effective_message.reply_text(texts.NOT_YOUR_LINK)  # type: ignore[union-attr]
        raise ApplicationHandlerStop
    await _refuse(update, context, user, chat)


async def gate(update: object, context: BotContext) -> None:
    """Runs before every handler: drop what is not for us, refuse who may not ask.

    Re-delivered updates (same update_id) are dropped, so every question is answered once.
    Group messages that do not address the bot are ignored silently. A user outside the
    allowlists receives one polite refusal with their user id (at most once per cooldown) and
    nothing else.
    """
    if not isinstance(update, Update):
        raise ApplicationHandlerStop
    message, query = update.message or update.edited_message, update.callback_query
    user, chat = update.effective_user, update.effective_chat
    if (message is None and query is None) or user is None or chat is None or user.is_bot:
        raise ApplicationHandlerStop
    if not context.memory.first_delivery(update.update_id):
        _log.info("update %s delivered again: ignored", update.update_id)
        raise ApplicationHandlerStop
    if message is not None and not addressed(message, context.bot.username, context.bot.id):
        raise ApplicationHandlerStop
    if query is not None:
        cb = keyboards.Callback.decode(query.data)
        if cb is not None and cb.action in keyboards.ANSWER_ACTIONS:
            await _answer_button(update, context, query, cb.key, user, chat)
            return
    elif message is not None and is_private(chat) and message.text:
        m = _DEEP_LINK_RE.match(message.text)
        answer_id = keyboards.answer_id_from_payload(m.group(1)) if m else None
        if answer_id:
            await _deep_link(update, context, answer_id, user, chat)
            return
    if not context.people.may_ask(user.id, chat.id):
        await _refuse(update, context, user, chat)
    if query is not None and (cb := keyboards.Callback.decode(query.data)) is not None and cb.action == keyboards.UNIT:
        verdict = context.limiter.check(user.id)  # a unit button press counts like any other
        if not verdict.allowed:
            await answer_query(query, texts.rate_limited_short(verdict.wait_s), alert=True)
            raise ApplicationHandlerStop


def startup_warning(people: People) -> str | None:
    """A log line when nobody, or nobody but the admins, can use the bot."""
    everyone = people.people()
    if not everyone and not people.chats():
        return (
            "nobody can use the bot: BOT_ADMIN_IDS, BOT_ALLOWED_USER_IDS and BOT_ALLOWED_CHAT_IDS are empty "
            "and no one was added from Telegram. Set BOT_ADMIN_IDS to your user id and restart."
        )
    if not any(p.role == "user" for p in everyone) and not people.chats():
        return (
            "only admins can use the bot: no allowed users or groups yet. Add them from Telegram "
            "(/nguoidung them <id>, /nguoidung nhom) or with BOT_ALLOWED_USER_IDS / BOT_ALLOWED_CHAT_IDS."
        )
    return None
