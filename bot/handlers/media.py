"""Messages that are not text: a short Vietnamese explanation instead of silence; unknown commands."""

from __future__ import annotations

from telegram import Message, Update

from bot import texts
from bot.context import BotContext
from bot.delivery import is_private
from bot.handlers.ask import within_limit

# checked in this order: a venue is also a location, an animation also a document
_KINDS = ("sticker", "voice", "audio", "video_note", "video", "animation", "photo", "venue", "location",
          "contact", "poll", "dice", "story", "game", "document")


def kind_of(message: Message) -> str:
    """What the message carries instead of text (``"other"`` when we cannot tell)."""
    return next((k for k in _KINDS if getattr(message, k, None)), "other")


async def not_text(update: Update, context: BotContext) -> None:
    """A sticker, voice message, location, photo without caption…: say we read only text."""
    message = update.effective_message
    if message is None or not await within_limit(context, message):  # a notice each could be a flood
        return
    await message.reply_text(texts.only_text(kind_of(message)), do_quote=not is_private(message.chat))


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have."""
    message = update.effective_message
    if message is not None and await within_limit(context, message):
        await message.reply_text(texts.UNKNOWN_COMMAND, do_quote=not is_private(message.chat))
