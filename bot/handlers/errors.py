"""The one global error handler: log first, then apologise (KnowledgeError text is user-safe)."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot import texts
from bot.context import BotContext
from knowledge.errors import KnowledgeError

_log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure, then tell the user something useful without leaking internals."""
    error = context.error
    if isinstance(error, KnowledgeError):
        _log.info("knowledge error shown to user: %s", error.english)
        text = texts.esc(error.message)
    else:
        _log.error("unhandled error while processing an update", exc_info=error)
        text = texts.ERROR_GENERIC
    if not isinstance(update, Update) or isinstance(error, Forbidden):
        return  # polling errors have no chat; a user who blocked the bot cannot be told
    if update.callback_query:
        with contextlib.suppress(TelegramError):  # it may have been answered already
            await update.callback_query.answer()
    try:
        if update.effective_chat:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError:
        _log.warning("could not deliver the apology for a failed update", exc_info=True)
