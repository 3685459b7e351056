"""/tailieu, and the "Nguồn" / "Xem toàn văn mục" buttons under an answer."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot import keyboards, texts
from bot.context import BotContext
from bot.delivery import answer_query, is_private
from knowledge.state.memory import StoredAnswer


async def list_documents(update: Update, context: BotContext) -> None:
    """Every ingested document: code, title, date (admins in private chat also get version buttons)."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    docs = await asyncio.to_thread(context.services.engine.documents)
    admin = (
        docs and user is not None and is_private(message.chat) and context.services.admin is not None
        and context.people.is_admin(user.id)
    )
    parts = texts.render_documents(docs)
    if not admin:
        for part in parts:
            await message.reply_text(part)
        return
    items = [(context.memory.doc_ref(d.doc_id), texts.doc_label(d.code, d.title, 40)) for d in docs]
    for part in parts:
        await message.reply_text(part)
    await message.reply_text(texts.DOCS_ADMIN_HINT, reply_markup=keyboards.documents_keyboard(items))


async def _stored(update: Update, context: BotContext) -> tuple[StoredAnswer, keyboards.Callback] | None:
    """The answer behind a button (the gate has checked it belongs to this user and chat)."""
    query = update.callback_query
    cb = keyboards.Callback.decode(query.data if query else None)
    if query is None or cb is None:
        return None
    stored = context.memory.answer(cb.key)
    if stored is None:
        await answer_query(query, texts.ANSWER_EXPIRED, alert=True)
        return None
    await answer_query(query)
    return stored, cb


async def show_sources(update: Update, context: BotContext) -> None:
    """The quoted passages behind each numbered source."""
    found = await _stored(update, context)
    if found is None or update.effective_chat is None:
        return
    stored, _ = found
    engine = context.services.engine
    ids = [c.chunk_id for c in stored.answer.citations]
    chunks = await asyncio.to_thread(lambda: [engine.chunk(i) for i in ids])
    for part in texts.render_quotes(stored.answer, chunks):
        await context.bot.send_message(update.effective_chat.id, part)


async def show_section(update: Update, context: BotContext) -> None:
    """The full section that holds a cited passage."""
    found = await _stored(update, context)
    if found is None or update.effective_chat is None:
        return
    stored, cb = found
    citation = next((c for c in stored.answer.citations if str(c.n) == cb.arg), None)
    if citation is None:
        parts = [texts.SECTION_MISSING]
    else:
        chunks = await asyncio.to_thread(context.services.engine.section, citation.chunk_id)
        parts = texts.render_section(citation, chunks)
    for part in parts:
        await context.bot.send_message(update.effective_chat.id, part)
