"""/start (with or without a deep-link payload), /help and /moi."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot import keyboards, texts
from bot.context import BotContext
from bot.delivery import deliver, is_private
from bot.handlers.ask import within_limit

EXAMPLES = 3


async def start(update: Update, context: BotContext) -> None:
    """Welcome with example questions, or re-send a full answer opened from a group deep link.

    The gate has already checked that this user may open that answer.
    """
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    answer_id = keyboards.answer_id_from_payload(context.args[0]) if context.args else None
    if answer_id and is_private(chat):
        stored = context.memory.answer(answer_id)
        if stored is None:
            await message.reply_text(texts.DEEP_LINK_MISSING)
        elif await within_limit(context, message):
            await deliver(context, chat, stored, full=True)
        return
    examples = await asyncio.to_thread(context.services.engine.example_questions, EXAMPLES)
    name = user.first_name if user else ""
    await message.reply_text(texts.welcome(name, context.bot.username, examples))


async def help_command(update: Update, context: BotContext) -> None:
    """Usage, commands and example questions (and the admin commands, for admins)."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    examples = await asyncio.to_thread(context.services.engine.example_questions, EXAMPLES)
    admin = user is not None and context.people.is_admin(user.id)
    await message.reply_text(texts.help_text(context.bot.username, examples, admin=admin))


async def new_conversation(update: Update, context: BotContext) -> None:
    """/moi: forget this chat's previous turns."""
    if update.effective_message is None or update.effective_chat is None:
        return
    context.memory.clear(update.effective_chat.id)
    await update.effective_message.reply_text(texts.NEW_CONVERSATION)
