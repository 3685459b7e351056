"""Who may ask, who is admin, and whether a group message is addressed to the bot."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from telegram import Chat, Message, MessageEntity, Update
from telegram.ext import ApplicationHandlerStop

from bot import keyboards, texts
from bot.context import BotContext
from bot.settings import BotSettings

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessPolicy:
    """Allowlists. Secure by default: with empty lists only admins are answered."""

    admin_ids: frozenset[int] = frozenset()
    allowed_user_ids: frozenset[int] = frozenset()
    allowed_chat_ids: frozenset[int] = frozenset()

    @classmethod
    def from_settings(cls, settings: BotSettings) -> AccessPolicy:
        return cls(settings.admin_ids, settings.allowed_user_ids, settings.allowed_chat_ids)

    def is_admin(self, user_id: int | None) -> bool:
        """True for the configured admins."""
        return user_id is not None and user_id in self.admin_ids

    def may_ask(self, user_id: int | None, chat_id: int | None) -> bool:
        """Admins, allowed users (anywhere) and anyone inside an allowed chat may ask."""
        if user_id is None:
            return False
        return (
            user_id in self.admin_ids
            or user_id in self.allowed_user_ids
            or (chat_id is not None and chat_id in self.allowed_chat_ids)
        )


def is_private(chat: Chat | None) -> bool:
    return chat is not None and chat.type == Chat.PRIVATE


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


async def gate(update: object, context: BotContext) -> None:
    """Runs before every handler: drop what is not for us, refuse who may not ask.

    Group messages that do not address the bot are ignored silently. A user outside the
    allowlists receives one polite refusal with their user id (at most once per cooldown) and
    nothing else.
    """
    if not isinstance(update, Update) or not (update.message or update.callback_query):
        raise ApplicationHandlerStop
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        raise ApplicationHandlerStop
    if update.message and not addressed(update.message, context.bot.username, context.bot.id):
        raise ApplicationHandlerStop
    if context.policy.may_ask(user.id, chat.id) or _opens_known_answer(update, context):
        return
    _log.info("refused user %s in chat %s", user.id, chat.id)
    if update.callback_query:
        await update.callback_query.answer(texts.DENIED_SHORT.format(user_id=user.id), show_alert=True)
    elif update.message and context.state.should_notify_denied(user.id):
        await update.message.reply_text(texts.denied(user.id), do_quote=not is_private(chat))
    raise ApplicationHandlerStop


_DEEP_LINK_RE = re.compile(r"^/start(?:@\w+)?\s+(\S+)\s*$")


def _opens_known_answer(update: Update, context: BotContext) -> bool:
    """A deep link or button bound to an answer the bot gave in an allowed chat.

    Members of an allowed group are not on the user allowlist, yet "Đọc đầy đủ" sends them to
    the private chat. Answer ids are random and only ever shown where asking was allowed, so
    they grant access to that one answer (and its buttons), nothing else.
    """
    answer_id: str | None = None
    if update.message and update.message.text:
        m = _DEEP_LINK_RE.match(update.message.text)
        answer_id = keyboards.answer_id_from_payload(m.group(1)) if m else None
    elif update.callback_query:
        cb = keyboards.Callback.decode(update.callback_query.data)
        answer_id = cb.key if cb and cb.action in (keyboards.SOURCES, keyboards.SECTION, keyboards.VOTE) else None
    return answer_id is not None and answer_id != "" and context.state.answer(answer_id) is not None
