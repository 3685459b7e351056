"""Admin buttons under /tailieu: a document's versions, restore (confirmed), retire (confirmed)."""

from __future__ import annotations

import asyncio
import hashlib
import logging

from telegram import CallbackQuery, Update, User

from bot import keyboards, texts
from bot.context import BotContext
from bot.delivery import answer_query, edit_query_text
from knowledge.errors import KnowledgeError
from knowledge.models import VersionInfo
from knowledge.services.protocols import DocumentAdmin

_log = logging.getLogger(__name__)


def version_hash(version: str) -> str:
    """A short fixed-size stand-in for a version id in callback data."""
    return hashlib.blake2b(version.encode("utf-8"), digest_size=4).hexdigest()


def _label(doc_id: str, versions: list[VersionInfo]) -> str:
    top = next((v for v in versions if v.live), versions[0] if versions else None)
    return texts.doc_label(top.code, top.title, 80) if top else doc_id


async def _admin_request(
    update: Update, context: BotContext
) -> tuple[CallbackQuery, User, keyboards.Callback, str, DocumentAdmin] | None:
    """The button press, if an admin made it and the document reference is known."""
    query, user = update.callback_query, update.effective_user
    cb = keyboards.Callback.decode(query.data if query else None)
    admin = context.services.admin
    if query is None or user is None or cb is None or admin is None:
        return None
    if not context.people.is_admin(user.id):
        await answer_query(query, texts.ADMIN_ONLY, alert=True)
        return None
    doc_id = context.memory.doc_id(cb.key)
    if doc_id is None:
        await answer_query(query, texts.DOC_GONE, alert=True)
        return None
    await answer_query(query)
    return query, user, cb, doc_id, admin


async def show_versions(update: Update, context: BotContext) -> None:
    """Every kept version of a document, with restore buttons."""
    found = await _admin_request(update, context)
    if found is None:
        return
    query, _, cb, doc_id, admin = found
    versions = await asyncio.to_thread(admin.history, doc_id)
    kept = [(version_hash(v.version), v.version) for v in versions if not v.live]
    markup = keyboards.versions_keyboard(cb.key, kept, live=any(v.live for v in versions))
    text = texts.render_versions(_label(doc_id, versions), versions)
    if query.message is not None:
        await context.bot.send_message(query.message.chat.id, text, reply_markup=markup)


async def ask_restore(update: Update, context: BotContext) -> None:
    """Restore button: ask for confirmation first."""
    found = await _admin_request(update, context)
    if found is None:
        return
    query, _, cb, doc_id, admin = found
    versions = await asyncio.to_thread(admin.history, doc_id)
    version = next((v for v in versions if version_hash(v.version) == cb.arg), None)
    if version is None:
        await edit_query_text(query, texts.VERSION_GONE)
        return
    text = texts.RESTORE_CONFIRM.format(version=texts.esc(version.version), doc=texts.esc(_label(doc_id, versions)))
    await edit_query_text(query, text, keyboards.confirm_keyboard(keyboards.RESTORE, cb.key, cb.arg))


async def restore(update: Update, context: BotContext) -> None:
    """Confirmed: make that version live again."""
    found = await _admin_request(update, context)
    if found is None:
        return
    query, user, cb, doc_id, admin = found
    versions = await asyncio.to_thread(admin.history, doc_id)
    version = next((v for v in versions if version_hash(v.version) == cb.arg), None)
    if version is None:
        await edit_query_text(query, texts.VERSION_GONE)
        return
    await edit_query_text(query, texts.WORKING)
    try:
        result = await asyncio.to_thread(admin.restore, doc_id, version.version)
    except KnowledgeError as exc:
        await edit_query_text(query, "❌ " + texts.esc(exc.message))
        return
    await edit_query_text(query, texts.upload_result(result))
    context.audit.admin_action(user.id, "restore", f"{doc_id}@{version.version} ({result.status})")
    _log.info("admin %s restored %s@%s", user.id, doc_id, version.version)


async def ask_delete(update: Update, context: BotContext) -> None:
    """Retire button: ask for confirmation first."""
    found = await _admin_request(update, context)
    if found is None:
        return
    query, _, cb, doc_id, admin = found
    versions = await asyncio.to_thread(admin.history, doc_id)
    text = texts.DELETE_CONFIRM.format(doc=texts.esc(_label(doc_id, versions)))
    await edit_query_text(query, text, keyboards.confirm_keyboard(keyboards.DELETE, cb.key))


async def delete(update: Update, context: BotContext) -> None:
    """Confirmed: retire the document (its versions stay restorable)."""
    found = await _admin_request(update, context)
    if found is None:
        return
    query, user, cb, doc_id, admin = found
    versions = await asyncio.to_thread(admin.history, doc_id)
    label = texts.esc(_label(doc_id, versions))
    if not await asyncio.to_thread(admin.delete, doc_id):
        await edit_query_text(query, texts.DELETE_MISSING.format(doc=label))
        return
    markup = keyboards.documents_keyboard([(cb.key, _label(doc_id, versions))])
    await edit_query_text(query, texts.DELETED.format(doc=label), markup)
    context.audit.admin_action(user.id, "delete", doc_id)
    _log.info("admin %s retired %s", user.id, doc_id)


async def close(update: Update, context: BotContext) -> None:
    """Dismiss an admin dialog."""
    query = update.callback_query
    if query is not None:
        await answer_query(query)
        await edit_query_text(query, texts.CLOSED)
