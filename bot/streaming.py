"""LLM mode: run ``engine.stream`` on an engine thread and show its partial answer, edited at most
once per interval; the final, validated Answer replaces it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from telegram import Message

from bot import texts
from bot.context import BotContext
from bot.delivery import edit_text, quote
from bot.services import Reader
from knowledge.models import Answer, Turn


@dataclass
class _Failed:
    error: BaseException


_DONE = object()


async def stream_answer(
    context: BotContext, message: Message, question: str, history: Sequence[Turn], unit: str | None, reader: Reader
) -> tuple[Answer, Message | None]:
    """The final Answer, and the message that shows the partial text (to be edited into the answer)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    services = context.services

    def produce() -> None:
        try:
            viewer = services.viewer(reader)
            items: Iterator[str | Answer] = iter(services.engine.stream(question, history, unit, viewer=viewer))
            for item in items:
                loop.call_soon_threadsafe(queue.put_nowait, item)
        except BaseException as exc:  # noqa: BLE001  # handed to the event loop, re-raised there
            loop.call_soon_threadsafe(queue.put_nowait, _Failed(exc))
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _DONE)

    producer = loop.run_in_executor(context.engine_pool, produce)
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
            # the interval runs from the moment Telegram took the last request, so a slow request
            # never lets two edits follow closer than the interval
            if shown is None:
                shown = await context.bot.send_message(
                    message.chat.id, text, reply_parameters=quote(message.chat, message)
                )
                shown_text, last_edit = text, time.monotonic()
            elif time.monotonic() - last_edit >= interval and text != shown_text:
                await edit_text(shown, text)
                shown_text, last_edit = text, time.monotonic()
    finally:
        await producer
    if final is None:
        raise RuntimeError("engine.stream ended without a final Answer")
    return final, shown
