"""Admins send a document (pdf/docx/txt/html/md) to the bot; it is ingested on the spot."""

from __future__ import annotations

import asyncio
from pathlib import PurePath

from telegram import Update

from bot import texts
from bot.context import BotContext

SUPPORTED = frozenset({".pdf", ".docx", ".txt", ".html", ".htm", ".md"})


async def upload(update: Update, context: BotContext) -> None:
    """Ingest an uploaded document (admins only) and report the outcome."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.document is None:
        return
    if not context.policy.is_admin(user.id):
        await message.reply_text(texts.UPLOAD_NOT_ADMIN)
        return
    ingest = context.services.ingest
    if ingest is None:
        await message.reply_text(texts.UPLOAD_DISABLED)
        return
    doc = message.document
    name = PurePath(doc.file_name or "tai-lieu.txt").name
    ext = PurePath(name).suffix.lower()
    if ext not in SUPPORTED:
        await message.reply_text(texts.upload_unsupported(ext))
        return
    limit_mb = context.settings.max_upload_mb
    if doc.file_size and doc.file_size > limit_mb * 1_048_576:
        await message.reply_text(texts.upload_too_large(doc.file_size, limit_mb))
        return
    await message.reply_text(texts.upload_working(name))
    file = await doc.get_file()
    data = bytes(await file.download_as_bytearray())
    result = await asyncio.to_thread(ingest.ingest_bytes, name, data)
    await message.reply_text(texts.upload_result(result))
