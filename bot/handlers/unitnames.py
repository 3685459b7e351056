"""/tendonvi: admins edit the unit registry (another name for a unit, a new name, a name that is no unit).

The registry is built from the documents; these edits are kept in the findings records and
apply at once to /donvi, /hanchot and the answers.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot import texts
from bot.context import BotContext
from bot.delivery import is_private
from bot.handlers.guards import from_admin
from knowledge.access import Viewer
from knowledge.errors import KnowledgeError
from knowledge.text import fold

_log = logging.getLogger(__name__)
# subcommand (folded) -> canonical name; English aliases for convenience
SUBCOMMANDS = {
    "them": "them", "add": "them",
    "doiten": "doiten", "rename": "doiten",
    "xoa": "xoa", "remove": "xoa",
    "an": "an", "hide": "an",
}


async def unit_names(update: Update, context: BotContext) -> None:
    """``/tendonvi`` lists units and their other names; ``them|doiten|xoa|an …`` edits them (admins)."""
    found = await from_admin(update, context, private=False)  # listing is private-only, below
    if found is None:
        return
    message, user = found
    quote = not is_private(message.chat)
    findings = context.services.findings
    if findings is None:
        await message.reply_text(texts.DUE_DISABLED, do_quote=quote)
        return
    args = list(context.args or ())
    command = SUBCOMMANDS.get(fold(args[0])) if args else None
    if command is None:
        if not is_private(message.chat):
            await message.reply_text(texts.PRIVATE_ONLY, do_quote=quote)
            return
        listing = await asyncio.to_thread(lambda: [(u, findings.aliases(u)) for u in findings.units()])
        for part in texts.render_unit_names(listing):
            await message.reply_text(part)
        return
    rest = " ".join(args[1:]).strip()
    left, sep, right = (p.strip() for p in rest.partition("="))
    if command in ("them", "doiten") and not (sep and left and right) or command in ("xoa", "an") and not rest:
        await message.reply_text(texts.UNIT_NAMES_USAGE, do_quote=quote)
        return
    try:
        reply = await asyncio.to_thread(_apply, context, command, left if sep else rest, right)
    except KnowledgeError as exc:
        reply = "❌ " + texts.esc(exc.message)
    else:
        context.audit.admin_action(user.id, f"tendonvi {command}", rest)
        _log.info("admin %s: /tendonvi %s %s", user.id, command, rest)
    await message.reply_text(reply, do_quote=quote)


def _apply(context: BotContext, command: str, name: str, other: str) -> str:
    """Make one registry edit; the reply to show (runs in a thread: it reads the records)."""
    services, findings = context.services, context.services.findings
    assert findings is not None
    if command in ("xoa", "an"):
        if command == "an":
            findings.hide_name(name)
            return texts.UNIT_NAME_HIDDEN.format(name=texts.esc(name))
        found = findings.remove_alias(name)
        return (texts.UNIT_ALIAS_REMOVED if found else texts.UNIT_ALIAS_MISSING).format(name=texts.esc(name))
    match = services.resolve_unit(name, Viewer.admin())
    if match.unit is None:  # never create a unit from a typo
        names = "\n".join(f"• {texts.esc(u)}" for u in match.candidates[:10])
        return texts.unit_unknown(name) + (f"\n\n{texts.UNIT_SUGGEST}\n{names}" if names else "")
    if command == "them":
        unit = findings.add_alias(match.unit, other)
        return texts.UNIT_ALIAS_ADDED.format(alias=texts.esc(other), unit=texts.esc(unit))
    unit = findings.rename_unit(match.unit, other)
    return texts.UNIT_RENAMED.format(old=texts.esc(match.unit), unit=texts.esc(unit))
