"""Questions: any text message (or a mention in a group) -> engine -> cited HTML answer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass

from telegram import Chat, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

from bot import keyboards, texts
from bot.access import is_private, strip_mention
from bot.context import BotContext
from bot.state import StoredAnswer
from knowledge.models import Answer, Turn

_log = logging.getLogger(__name__)
TYPING_REFRESH_S = 4.5  # Telegram shows "typing…" for about 5 s


async def ask(update: Update, context: BotContext) -> None:
    """Answer the text of a message addressed to the bot."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or not message.text:
        return
    question = strip_mention(message.text, context.bot.username)
    if not question:
        await message.reply_text(texts.EMPTY_QUESTION, do_quote=not is_private(chat))
        return
    wait = context.limiter.check(user.id)
    if wait > 0:
        await message.reply_text(texts.rate_limited(wait), do_quote=not is_private(chat))
        return
    await answer_question(context, message, question)


async def answer_question(context: BotContext, message: Message, question: str) -> StoredAnswer:
    """Ask the engine (streaming when an LLM is configured), remember the turn, send the reply."""
    chat, user_id = message.chat, message.from_user.id if message.from_user else 0
    state, engine = context.state, context.services.engine
    unit, history = state.unit(user_id), state.history(chat.id)
    streamed: Message | None = None
    async with typing(context, chat.id):
        if context.services.llm_streaming:
            answer, streamed = await _stream(context, message, question, history, unit)
        else:
            answer = await asyncio.to_thread(engine.answer, question, history, unit)
    stored = state.remember(chat_id=chat.id, user_id=user_id, question=question, answer=answer, unit=unit)
    await deliver(context, chat, stored, reply_to=message, edit=streamed)
    return stored


async def deliver(
    context: BotContext,
    chat: Chat,
    stored: StoredAnswer,
    *,
    reply_to: Message | None = None,
    edit: Message | None = None,
    full: bool = False,
) -> None:
    """Send (or finish editing) an answer; long answers in groups become a short version + link."""
    answer = stored.answer
    keyboard = keyboards.answer_keyboard(stored.answer_id, answer)
    limit = context.settings.group_long_answer_chars
    if not full and not is_private(chat) and texts.is_long(answer, limit) and context.bot.username:
        parts = [texts.render_short_answer(answer, limit)]
        more = keyboards.read_more_keyboard(context.bot.username, stored.answer_id)
        keyboard = InlineKeyboardMarkup(tuple(more.inline_keyboard) + tuple(keyboard.inline_keyboard if keyboard else ()))
    else:
        parts = texts.render_answer(answer)
    quote = None if is_private(chat) or reply_to is None else ReplyParameters(reply_to.message_id)
    for i, part in enumerate(parts):
        markup = keyboard if i == len(parts) - 1 else None
        if i == 0 and edit is not None:
            await _edit(edit, part, markup)
        else:
            await context.bot.send_message(chat.id, part, reply_markup=markup, reply_parameters=quote)
        quote = None  # only the first message quotes the question


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:  # an identical edit is not an error for us
        if "not modified" not in str(exc).lower():
            raise


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


@dataclass
class _Failed:
    error: BaseException


_DONE = object()


async def _stream(
    context: BotContext, message: Message, question: str, history: Sequence[Turn], unit: str | None
) -> tuple[Answer, Message | None]:
    """Consume engine.stream in a thread; show partials, editing at most once per interval."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    engine = context.services.engine

    def produce() -> None:
        try:
            items: Iterator[str | Answer] = iter(engine.stream(question, history, unit))
            for item in items:
                loop.call_soon_threadsafe(queue.put_nowait, item)
        except BaseException as exc:  # noqa: BLE001  # handed to the event loop, re-raised there
            loop.call_soon_threadsafe(queue.put_nowait, _Failed(exc))
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _DONE)

    producer = asyncio.ensure_future(asyncio.to_thread(produce))
    interval = context.settings.stream_edit_interval_s
    shown: Message | None = None
    shown_text = ""
    last_edit = 0.0
    final: Answer | None = None
    try:
        done = False
        while not done:
            batch = [await queue.get()]
            while not queue.empty():  # skip stale partials: only the newest is worth showing
                batch.append(queue.get_nowait())
            partial: str | None = None
            for item in batch:
                if item is _DONE:
                    done = True
                elif isinstance(item, _Failed):
                    raise item.error
                elif isinstance(item, Answer):
                    final = item
                elif isinstance(item, str):
                    partial = item
            if partial is None or final is not None:
                continue
            text = texts.render_partial(partial)
            now = time.monotonic()
            if shown is None:
                quote = None if is_private(message.chat) else ReplyParameters(message.message_id)
                shown = await context.bot.send_message(message.chat.id, text, reply_parameters=quote)
                shown_text, last_edit = text, now
            elif now - last_edit >= interval and text != shown_text:
                await _edit(shown, text)
                shown_text, last_edit = text, now
    finally:
        await producer
    if final is None:
        raise RuntimeError("engine.stream ended without a final Answer")
    return final, shown
