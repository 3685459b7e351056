"""/nguoidung: admins manage who may ask, who is admin, which groups are allowed, users' units."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update

from bot import texts
from bot.context import BotContext
from bot.delivery import is_private
from bot.handlers.guards import from_admin
from knowledge.access import Viewer
from knowledge.text import fold

_log = logging.getLogger(__name__)

# subcommand (folded, spaces removed) -> canonical name; English aliases for convenience
ALIASES = {
    "them": "them", "add": "them", "cho": "them",
    "xoa": "xoa", "remove": "xoa", "bo": "xoa",
    "quantri": "quantri", "admin": "quantri",
    "boquantri": "boquantri", "unadmin": "boquantri",
    "nhom": "nhom", "group": "nhom",
    "xoanhom": "xoanhom", "ungroup": "xoanhom",
    "donvi": "donvi", "unit": "donvi",
    "capquan": "capquan", "district": "capquan",
    "bocapquan": "bocapquan", "undistrict": "bocapquan",
}
CLEAR_UNIT = frozenset({"-", "bo", "xoa", "none"})


def _int(value: str) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        return None


def _replied_user(message: Message) -> tuple[int, str] | None:
    reply = message.reply_to_message
    if reply is None or reply.from_user is None or reply.from_user.is_bot:
        return None
    return reply.from_user.id, reply.from_user.full_name


async def manage(update: Update, context: BotContext) -> None:
    """List people (private chat), or apply one change.

    Changes: them/xoa (may ask), quantri/boquantri (admin), capquan/bocapquan (district reader),
    nhom/xoanhom (groups), donvi (unit and membership).
    """
    found = await from_admin(update, context, private=False)  # listing is private-only, below
    if found is None:
        return
    message, user = found
    quote = not is_private(message.chat)
    args = list(context.args or ())
    command = ALIASES.get(fold(args[0]).replace(" ", "")) if args else None
    if command is None:
        if not is_private(message.chat):
            await message.reply_text(texts.PRIVATE_ONLY, do_quote=quote)
            return
        for part in texts.render_people(context.people.people(), context.people.chats()):
            await message.reply_text(part)
        return
    rest = args[1:]
    people = context.people
    if command in ("nhom", "xoanhom"):
        chat_id = _int(rest[0]) if rest else (message.chat.id if not is_private(message.chat) else None)
        if chat_id is None or chat_id >= 0:
            await message.reply_text(texts.PEOPLE_NEED_GROUP_ID if not rest else texts.PEOPLE_BAD_ID.format(
                value=texts.esc(rest[0])), do_quote=quote)
            return
        title = message.chat.title if chat_id == message.chat.id else None
        if command == "nhom":
            outcome = people.allow_chat(chat_id, by=user.id, title=title)
        else:
            outcome = people.remove_chat(chat_id, by=user.id)
        await _done(context, message, user.id, command, chat_id, outcome)
        return
    replied = _replied_user(message)
    target = _int(rest[0]) if rest else None
    if target is not None:
        rest = rest[1:]
    elif replied is not None:
        target = replied[0]
    if target is None or target <= 0:
        bad = rest[0] if rest else ""
        await message.reply_text(texts.PEOPLE_BAD_ID.format(value=texts.esc(bad)) + "\n\n" + texts.PEOPLE_USAGE,
                                 do_quote=quote)
        return
    name = " ".join(rest).strip() or (replied[1] if replied and replied[0] == target else None)
    if command == "them":
        outcome = people.allow_user(target, by=user.id, name=name)
    elif command == "xoa":
        outcome = people.remove_user(target, by=user.id)
    elif command == "quantri":
        outcome = people.make_admin(target, by=user.id, name=name)
    elif command == "boquantri":
        outcome = people.remove_admin(target, by=user.id)
    elif command == "capquan":
        outcome = people.make_district(target, by=user.id, name=name)
    elif command == "bocapquan":
        outcome = people.remove_district(target, by=user.id)
    else:
        await _assign_unit(context, message, user.id, target, " ".join(rest).strip())
        return
    await _done(context, message, user.id, command, target, outcome)


async def _done(context: BotContext, message: Message, admin_id: int, command: str, target: int, outcome: str) -> None:
    if outcome == "done":
        context.audit.admin_action(admin_id, f"nguoidung {command}", str(target))
        _log.info("admin %s: /nguoidung %s %s", admin_id, command, target)
    await message.reply_text(texts.people_outcome(command, target, outcome), do_quote=not is_private(message.chat))


async def _assign_unit(context: BotContext, message: Message, admin_id: int, target: int, query: str) -> None:
    """The user's unit AND their membership of it: an admin's word opens the unit's restricted documents."""
    quote = not is_private(message.chat)
    if fold(query) in CLEAR_UNIT:
        context.people.set_unit(target, None, by=admin_id)
        context.people.set_member_unit(target, None, by=admin_id)
        context.audit.admin_action(admin_id, "nguoidung donvi", f"{target}: -")
        await message.reply_text(texts.PEOPLE_UNIT_CLEARED.format(id=target), do_quote=quote)
        return
    services = context.services
    match = await asyncio.to_thread(services.resolve_unit, query, Viewer.admin())
    if match.unit is None:
        text = texts.unit_not_found(query)
        if match.candidates:
            text = (texts.unit_ambiguous(query) if not match.suggested else text + "\n" + texts.UNIT_SUGGEST) + "\n" + \
                "\n".join(f"• {texts.esc(u)}" for u in match.candidates[:20])
        await message.reply_text(text, do_quote=quote)
        return
    context.people.set_unit(target, match.unit, by=admin_id)
    context.people.set_member_unit(target, match.unit, by=admin_id)
    context.audit.admin_action(admin_id, "nguoidung donvi", f"{target}: {match.unit}")
    await message.reply_text(texts.PEOPLE_UNIT_SET.format(unit=texts.esc(match.unit), id=target), do_quote=quote)
