"""Admin reports: /thongke (statistics), /danhgia (answers marked 👎), /xuat (the audit log as CSV)."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

from telegram import Update

from bot import texts
from bot.context import BotContext
from bot.handlers.guards import from_admin

_log = logging.getLogger(__name__)
STATS_DAYS = 7
DOWNVOTED_SHOWN = 10


def _passages(context: BotContext, doc_ids: list[str]) -> int | None:
    admin = context.services.admin
    if admin is None:
        return None
    try:
        return sum(v.chunks for d in doc_ids for v in admin.history(d) if v.live)
    except Exception:  # noqa: BLE001  # a statistic is not worth failing the whole report
        _log.warning("could not count passages", exc_info=True)
        return None


async def stats(update: Update, context: BotContext) -> None:
    """Documents, passages, questions per day, declined questions, votes."""
    found = await from_admin(update, context, private=True)
    if found is None:
        return
    message = found[0]
    docs = await asyncio.to_thread(context.services.engine.documents)
    passages = await asyncio.to_thread(_passages, context, [d.doc_id for d in docs])
    report = await asyncio.to_thread(context.audit.stats, STATS_DAYS)
    await message.reply_text(texts.render_stats(report, len(docs), passages))


async def downvoted(update: Update, context: BotContext) -> None:
    """The latest answers someone marked 👎, for review."""
    found = await from_admin(update, context, private=True)
    if found is None:
        return
    message = found[0]
    items = await asyncio.to_thread(context.audit.downvoted, DOWNVOTED_SHOWN)
    for part in texts.render_downvoted(items):
        await message.reply_text(part)


async def export(update: Update, context: BotContext) -> None:
    """The audit log as CSV documents: questions and answers, then admin actions (``/xuat 30``: the
    last 30 days only)."""
    found = await from_admin(update, context, private=True)
    if found is None:
        return
    message = found[0]
    days = next((int(a) for a in context.args or () if a.isdigit() and int(a) > 0), None)
    since = time.time() - days * 86400 if days else None
    data, count = await asyncio.to_thread(lambda: context.audit.export_bytes(since=since))
    actions, done = await asyncio.to_thread(lambda: context.audit.export_admin_bytes(since=since))
    if count == 0 and done == 0:
        await message.reply_text(texts.EXPORT_EMPTY)
        return
    stamp = f"{datetime.now(texts.VN_TZ):%Y%m%d-%H%M}"
    if count:
        await context.bot.send_document(
            message.chat.id, document=data, filename=f"nhat-ky-hoi-dap_{stamp}.csv",
            caption=texts.EXPORT_CAPTION.format(count=count),
        )
    if done:
        await context.bot.send_document(
            message.chat.id, document=actions, filename=f"nhat-ky-quan-tri_{stamp}.csv",
            caption=texts.EXPORT_ADMIN_CAPTION.format(count=done),
        )
    if update.effective_user:
        context.audit.admin_action(update.effective_user.id, "export", f"{count} exchanges, {done} admin actions")
