"""Sending answers and small replies: splitting, group short versions, safe edits and query answers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

from bot import keyboards, texts
from bot.context import BotContext
from knowledge.state.memory import StoredAnswer

_log = logging.getLogger(__name__)
TYPING_REFRESH_S = 4.5  # Telegram shows "typing…" for about 5 s


def is_private(chat: Chat | None) -> bool:
    return chat is not None and chat.type == Chat.PRIVATE


def quote(chat: Chat, message: Message | None) -> ReplyParameters | None:
    """Quote the question in groups (where several people talk), never in private chats.

    ``allow_sending_without_reply``: a question deleted meanwhile must not lose its answer.
    """
    if message is None or is_private(chat):
        return None
    return ReplyParameters(message.message_id, allow_sending_without_reply=True)


async def deliver(
    context: BotContext,
    chat: Chat,
    stored: StoredAnswer,
    *,
    reply_to: Message | None = None,
    edit: Message | None = None,
    full: bool = False,
    note: str | None = None,
) -> None:
    """Send (or finish editing) an answer; long answers in groups become a short version + link."""
    answer = stored.answer
    votes = context.audit.votes(stored.answer_id)
    keyboard = keyboards.answer_keyboard(stored.answer_id, answer, votes=votes)
    limit = context.settings.group_long_answer_chars
    if not full and not is_private(chat) and texts.is_long(answer, limit) and context.bot.username:
        parts = [texts.render_short_answer(answer, limit)]
        more = keyboards.read_more_keyboard(context.bot.username, stored.answer_id)
        keyboard = InlineKeyboardMarkup(tuple(more.inline_keyboard) + tuple(keyboard.inline_keyboard))
    else:
        parts = texts.render_answer(answer)
    if note:
        parts = texts.with_note(note, parts)
    reply = quote(chat, reply_to)
    for i, part in enumerate(parts):
        markup = keyboard if i == len(parts) - 1 else None
        if i == 0 and edit is not None:
            await edit_text(edit, part, markup)
            sent: Message | None = edit
        else:
            sent = await context.bot.send_message(chat.id, part, reply_markup=markup, reply_parameters=reply)
        if isinstance(sent, Message):  # a reply to any part of it is a follow-up of this answer
            context.memory.mark_sent(chat.id, sent.message_id, stored.answer_id)
        reply = None  # only the first message quotes the question


async def edit_text(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit a message; an identical edit (e.g. a retried one that had arrived) is not an error."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def answer_query(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Stop the button's spinner. Failing to (after retries) never stops the real work."""
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as exc:  # too old, already answered, or Telegram kept failing
        _log.info("could not answer callback query: %s", exc)


@contextlib.asynccontextmanager
async def typing(context: BotContext, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" now and keep it alive until the block ends."""

    async def refresh() -> None:
        while True:
            await asyncio.sleep(TYPING_REFRESH_S)
            with contextlib.suppress(TelegramError):
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)

    with contextlib.suppress(TelegramError):  # the indicator is a nicety, never a failure
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    task = asyncio.create_task(refresh())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def edit_query_text(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the message a button sits on (an identical edit is not an error)."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def edit_query_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Change only the buttons of the message a button sits on (an identical edit is not an error)."""
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
