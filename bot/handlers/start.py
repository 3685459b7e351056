"""/start (with or without a deep-link payload), /help and /moi."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot import keyboards, texts
from bot.access import is_private
from bot.context import BotContext
from bot.handlers.ask import deliver

EXAMPLES = 3


async def start(update: Update, context: BotContext) -> None:
    """Welcome with example questions, or re-send a full answer opened from a group deep link."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    answer_id = keyboards.answer_id_from_payload(context.args[0]) if context.args else None
    if answer_id and is_private(chat):
        stored = context.state.answer(answer_id)
        if stored is None:
            await message.reply_text(texts.DEEP_LINK_MISSING)
        else:
            await deliver(context, chat, stored, full=True)
        return
    examples = await asyncio.to_thread(context.services.engine.example_questions, EXAMPLES)
    name = user.first_name if user else ""
    await message.reply_text(texts.welcome(name, context.bot.username, examples))


async def help_command(update: Update, context: BotContext) -> None:
    """Usage, commands and example questions."""
    if update.effective_message is None:
        return
    examples = await asyncio.to_thread(context.services.engine.example_questions, EXAMPLES)
    await update.effective_message.reply_text(texts.help_text(context.bot.username, examples))


async def new_conversation(update: Update, context: BotContext) -> None:
    """/moi: forget this chat's previous turns."""
    if update.effective_message is None or update.effective_chat is None:
        return
    context.state.clear(update.effective_chat.id)
    await update.effective_message.reply_text(texts.NEW_CONVERSATION)
