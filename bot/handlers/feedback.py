"""👍 / 👎 buttons -> FeedbackLog."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot import keyboards, texts
from bot.context import BotContext


async def vote(update: Update, context: BotContext) -> None:
    """Record a vote on a stored answer and thank the user."""
    query = update.callback_query
    cb = keyboards.Callback.decode(query.data if query else None)
    if query is None or cb is None or cb.arg not in ("u", "d"):
        return
    stored = context.state.answer(cb.key)
    if stored is None:
        await query.answer(texts.ANSWER_EXPIRED, show_alert=True)
        return
    chat_id = update.effective_chat.id if update.effective_chat else stored.chat_id
    await asyncio.to_thread(
        context.services.feedback.record,
        chat=chat_id,
        user=query.from_user.id,
        question=stored.question,
        answer=stored.answer.text,
        vote="up" if cb.arg == "u" else "down",
        citations=tuple(c.chunk_id for c in stored.answer.citations),
    )
    await query.answer(texts.FEEDBACK_UP if cb.arg == "u" else texts.FEEDBACK_DOWN)
