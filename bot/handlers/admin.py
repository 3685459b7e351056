"""Admin uploads: a document sent in private chat is previewed; nothing is written before a button.

The preview says what the document is and what adding it would do (new, identical to a stored
one, same code / file name / nearly the same text as a stored one). Buttons: add, replace (one
per stored match, naming it), cancel. A preview belongs to the admin who sent the file, is
handled once (a second press finds it gone) and expires.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import PurePath

from telegram import Update

from bot import keyboards, texts
from bot.context import BotContext
from bot.delivery import answer_query, edit_query_text, edit_text, is_private
from bot.handlers.ask import ask_caption
from knowledge.errors import KnowledgeError

_log = logging.getLogger(__name__)
SUPPORTED = frozenset({".pdf", ".docx", ".txt", ".html", ".htm", ".md"})
DEFAULT_PREVIEW_TTL_S = 30 * 60.0  # when the knowledge layer does not say
_CODE_RE = re.compile(r"^\s*\d{1,5}\s*[-–]\s*[A-Za-zĐđ]{1,6}\s*/\s*[A-Za-zĐđ0-9-]{1,20}\s*$")


def caption_code(caption: str | None) -> str | None:
    """A caption that is just a document code (``02-HD/BTCTU``) sets the code, as ``--code`` does."""
    return caption.strip() if caption and _CODE_RE.match(caption) else None


async def document(update: Update, context: BotContext) -> None:
    """A file: admins in private chat get a preview; anyone else an explanation (or their caption answered)."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or message.document is None:
        return
    if not context.people.is_admin(user.id):
        if message.caption:
            await ask_caption(update, context)
        elif is_private(chat):
            await message.reply_text(texts.UPLOAD_NOT_ADMIN)
        else:
            await message.reply_text(texts.only_text("document"), do_quote=True)
        return
    if not is_private(chat):
        await message.reply_text(texts.UPLOAD_IN_GROUP, do_quote=True)
        return
    admin = context.services.admin
    if admin is None:
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
    progress = await message.reply_text(texts.upload_working(name))
    data = bytes(await (await doc.get_file()).download_as_bytearray())
    try:
        preview = await asyncio.to_thread(admin.preview_bytes, name, data, code=caption_code(message.caption))
    except KnowledgeError as exc:
        await edit_text(progress, "❌ " + texts.esc(exc.message))
        return
    pending = context.memory.add_preview(
        token=preview.token,
        admin_id=user.id,
        chat_id=chat.id,
        file_name=name,
        targets=[m.doc_id for m in preview.replaceable],
        identical=preview.identical.doc_id if preview.identical else None,
        expires_at=preview.expires_at or time.time() + DEFAULT_PREVIEW_TTL_S,
    )
    labels = [texts.doc_label(m.code, m.title, 40) for m in preview.replaceable]
    keyboard = keyboards.preview_keyboard(pending.ref, labels, can_add=preview.identical is None)
    await edit_text(progress, texts.render_preview(preview), keyboard)
    context.audit.admin_action(user.id, "preview", f"{name} -> {preview.doc_id}")


async def decide(update: Update, context: BotContext) -> None:
    """A preview button: add, replace a stored match, or cancel."""
    query, user = update.callback_query, update.effective_user
    cb = keyboards.Callback.decode(query.data if query else None)
    admin = context.services.admin
    if query is None or user is None or cb is None or admin is None:
        return
    if not context.people.is_admin(user.id):
        await answer_query(query, texts.ADMIN_ONLY, alert=True)
        return
    pending = context.memory.preview(cb.key)
    if pending is None:
        await answer_query(query, texts.PREVIEW_GONE, alert=True)
        return
    if pending.admin_id != user.id:
        await answer_query(query, texts.NOT_YOUR_PREVIEW, alert=True)
        return
    name = texts.esc(pending.file_name)
    if cb.arg == "c" or pending.expired(time.time()):
        if not context.memory.claim_preview(pending.ref):
            await answer_query(query, texts.PREVIEW_GONE, alert=True)
            return
        await answer_query(query)
        await asyncio.to_thread(admin.cancel, pending.token)
        expired = cb.arg != "c"
        await edit_query_text(query, (texts.PREVIEW_EXPIRED if expired else texts.PREVIEW_CANCELLED).format(name=name))
        context.audit.admin_action(user.id, "expired" if expired else "cancel", pending.file_name)
        return
    if cb.arg == "a":
        action, target = "add", None
    elif re.fullmatch(r"r\d{1,2}", cb.arg) and int(cb.arg[1:]) < len(pending.targets):
        action, target = "replace", pending.targets[int(cb.arg[1:])]
    else:
        await answer_query(query, texts.PREVIEW_GONE, alert=True)
        return
    if not context.memory.claim_preview(pending.ref):  # a second press while the first is saving
        await answer_query(query, texts.PREVIEW_GONE, alert=True)
        return
    await answer_query(query)
    await edit_query_text(query, texts.PREVIEW_SAVING.format(name=name))
    try:
        result = await asyncio.to_thread(admin.confirm, pending.token, action, target)  # type: ignore[arg-type]
    except KnowledgeError as exc:
        await edit_query_text(query, "❌ " + texts.esc(exc.message))
        return
    await edit_query_text(query, texts.upload_result(result))
    context.audit.admin_action(user.id, action, f"{pending.file_name} -> {result.doc_id} ({result.status})")
    _log.info("admin %s: %s %s -> %s (%s)", user.id, action, pending.file_name, result.doc_id, result.status)
