"""The check every admin command starts with."""

from __future__ import annotations

from telegram import Message, Update, User

from bot import texts
from bot.context import BotContext
from bot.delivery import is_private


async def from_admin(update: Update, context: BotContext, *, private: bool) -> tuple[Message, User] | None:
    """The message and its sender, if an admin sent it (in private chat when ``private``);
    otherwise the sender is told why not and None is returned."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    if not context.people.is_admin(user.id):
        await message.reply_text(texts.ADMIN_ONLY, do_quote=not is_private(message.chat))
        return None
    if private and not is_private(message.chat):  # what it shows names people: never into a group
        await message.reply_text(texts.PRIVATE_ONLY, do_quote=True)
        return None
    return message, user
