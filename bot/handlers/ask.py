"""Questions: a text message, an edited question, or a caption -> engine -> cited HTML answer."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Message, Update

from bot import texts
from bot.access import strip_mention
from bot.context import BotContext
from bot.delivery import deliver, is_private, typing
from bot.services import Reader
from bot.streaming import stream_answer
from knowledge.models import Turn
from knowledge.state.memory import StoredAnswer

_log = logging.getLogger(__name__)


async def ask(update: Update, context: BotContext) -> None:
    """Answer the text of a message addressed to the bot."""
    message = update.effective_message
    if message is not None and message.text:
        await question(context, message, message.text)


async def ask_edited(update: Update, context: BotContext) -> None:
    """An edited question is answered again, as a new question, and says so."""
    message = update.effective_message
    text = message.text or message.caption if message else None
    if message is not None and text:
        await question(context, message, text, note=texts.EDITED_NOTE, edited=True)


async def ask_caption(update: Update, context: BotContext) -> None:
    """A photo, video or file with a caption: the caption is the question."""
    message = update.effective_message
    if message is not None and message.caption:
        await question(context, message, message.caption, note=texts.CAPTION_NOTE)


async def question(
    context: BotContext, message: Message, text: str, *, note: str | None = None, edited: bool = False
) -> None:
    """Strip the mention, apply the user's rate limit, answer."""
    q = strip_mention(text, context.bot.username)
    if not q:
        await message.reply_text(texts.EMPTY_QUESTION, do_quote=not is_private(message.chat))
        return
    if await within_limit(context, message):
        await answer_question(context, message, q, note=note, edited=edited)


async def within_limit(context: BotContext, message: Message) -> bool:
    """Count this message toward the user's limit; over it, ONE notice per blocked period."""
    user_id = message.from_user.id if message.from_user else message.chat.id
    verdict = context.limiter.check(user_id)
    if verdict.allowed:
        return True
    if verdict.notify:
        await message.reply_text(texts.rate_limited(verdict.wait_s, time.time()), do_quote=not is_private(message.chat))
    return False


def conversation(context: BotContext, message: Message) -> tuple[Turn, ...]:
    """The turns a question follows: a reply to one of the bot's answers follows that answer
    (in a group, where others talk in between); any other message, the chat's last turns."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id:
        stored = context.memory.answered_in(message.chat.id, replied.message_id)
        if stored is not None:
            return (context.memory.turn_of(stored),)
    return context.memory.history(message.chat.id)


async def answer_question(
    context: BotContext, message: Message, q: str, *, note: str | None = None, edited: bool = False
) -> StoredAnswer:
    """Ask the engine (streaming when an LLM is configured), remember and log the turn, send the reply.

    An answer that fails (engine error, or Telegram failing beyond the retries) gives the user's
    rate-limit slot back and is marked undelivered in the audit log.
    """
    chat, user = message.chat, message.from_user
    user_id = user.id if user else chat.id
    engine = context.services.engine
    streamed: Message | None = None
    try:
        unit, history = context.people.unit(user_id), conversation(context, message)
        reader = Reader.of(context.people, user_id, private=is_private(chat))
        async with typing(context, chat.id):
            if context.services.llm_streaming:
                answer, streamed = await stream_answer(context, message, q, history, unit, reader)
            else:
                loop = asyncio.get_running_loop()
                answer = await loop.run_in_executor(
                    context.engine_pool,
                    lambda: engine.answer(q, history, unit, viewer=context.services.viewer(reader)),
                )
        stored = context.memory.remember(
            chat_id=chat.id, user_id=user_id, question=q, answer=answer, unit=unit, chat_type=chat.type
        )
        context.audit.record(
            user_id=user_id, user_name=user.full_name if user else None, chat_id=chat.id, chat_type=chat.type,
            question=q, answer=answer, answer_id=stored.answer_id, edited=edited,
        )
    except BaseException:
        context.limiter.refund(user_id)
        raise
    try:
        await deliver(context, chat, stored, reply_to=message, edit=streamed, note=note)
    except BaseException:
        context.limiter.refund(user_id)
        context.audit.mark_undelivered(stored.answer_id)
        _log.warning("answer %s to user %s could not be delivered", stored.answer_id, user_id)
        raise
    return stored
