"""👍 / 👎 buttons: one vote per user per answer (a second press changes it); the buttons show the counts."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest

from bot import keyboards, texts
from bot.context import BotContext
from bot.delivery import answer_query
from knowledge.state.audit import Vote

_log = logging.getLogger(__name__)


async def vote(update: Update, context: BotContext) -> None:
    """Record or change a vote on a stored answer, thank the user, update the counts on the buttons."""
    query = update.callback_query
    cb = keyboards.Callback.decode(query.data if query else None)
    if query is None or cb is None or cb.arg not in ("u", "d"):
        return
    stored = context.memory.answer(cb.key)
    if stored is None:
        await answer_query(query, texts.ANSWER_EXPIRED, alert=True)
        return
    choice: Vote = "up" if cb.arg == "u" else "down"
    previous = context.audit.vote(stored.answer_id, query.from_user.id, choice)
    await answer_query(query, texts.feedback_ack(choice, previous))
    markup = getattr(query.message, "reply_markup", None)  # None on an inaccessible (too old) message
    if previous == choice or markup is None:
        return
    try:
        await query.edit_message_reply_markup(
            keyboards.with_votes(markup, stored.answer_id, context.audit.votes(stored.answer_id))
        )
    except BadRequest as exc:  # two quick presses: the second edit changes nothing
        if "not modified" not in str(exc).lower():
            raise
