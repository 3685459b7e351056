"""/donvi (the user's unit: its findings and open remedies; ``/donvi <name>`` sets it) and /hanchot.

Typed names are resolved to the canonical unit (accents, abbreviations and aliases allowed);
what is shown comes only from documents the user may read (see ``bot.services``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import keyboards, texts, unitview
from bot.access import reader_of
from bot.context import BotContext
from bot.delivery import answer_query, edit_query_text, is_private
from bot.services import Reader, UnitMatch
from bot.services import match_units as match_units  # re-exported: /nguoidung donvi uses it

MAX_BUTTONS = 60


async def set_unit(update: Update, context: BotContext) -> None:
    """``/donvi <name>`` sets the unit and shows it; ``/donvi`` alone shows the unit set, or the list to choose from."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    services, reader = context.services, reader_of(context, update)
    current = context.people.unit(user.id)
    query = " ".join(context.args or ()).strip()
    if not query:
        if current and services.findings is not None:
            await send_summary(context, message, current, reader)
        else:
            await send_choices(context, message, current, reader)
        return

    def resolve() -> tuple[list[str], UnitMatch]:
        viewer = services.viewer(reader)
        return services.unit_choices(viewer), services.resolve_unit(query, viewer)

    choices, match = await asyncio.to_thread(resolve)
    if match.unit is not None:
        context.people.set_unit(user.id, match.unit)
        lead = texts.unit_set(match.unit)
        if services.findings is None:
            await message.reply_text(lead)
        else:
            await send_summary(context, message, match.unit, reader, lead=lead)
    elif match.candidates:
        suggest = f"{texts.unit_unknown(query)}\n\n{texts.UNIT_SUGGEST}"
        head = suggest if match.suggested else texts.unit_ambiguous(query)
        await message.reply_text(head, reply_markup=_subset_keyboard(choices, match.candidates))
    elif choices:
        await message.reply_text(texts.unit_unknown(query))
    else:
        await message.reply_text(f"{texts.unit_not_found(query)}\n{texts.NO_UNITS}")


async def send_choices(context: BotContext, message: Message, current: str | None, reader: Reader) -> None:
    """The units to choose from, as buttons (the one set is ticked)."""
    services = context.services
    choices = await asyncio.to_thread(lambda: services.unit_choices(services.viewer(reader)))
    if not choices:
        await message.reply_text(f"{texts.unit_current(current)}\n{texts.NO_UNITS}")
        return
    keyboard = keyboards.units_keyboard(choices[:MAX_BUTTONS], current=current)
    await message.reply_text(f"{texts.unit_current(current)}\n{texts.UNIT_CHOOSE}", reply_markup=keyboard)


async def send_summary(
    context: BotContext, message: Message, unit: str, reader: Reader, *, lead: str | None = None
) -> None:
    """What the documents the user may read say about a unit, with the deadline and change-unit buttons."""
    services = context.services
    summary = await asyncio.to_thread(lambda: services.unit_summary(unit, services.viewer(reader)))
    keyboard = keyboards.unit_summary_keyboard(context.settings.due_within_days)
    if summary is None:
        parts = [(lead + "\n\n" if lead else "") + texts.UNIT_NO_FINDINGS.format(unit=texts.esc(unit))]
    else:
        parts = unitview.render_summary(summary, services.today(), lead=lead)
    for i, part in enumerate(parts):
        await message.reply_text(part, reply_markup=keyboard if i == len(parts) - 1 else None)


def _subset_keyboard(units: Sequence[str], subset: Sequence[str]) -> InlineKeyboardMarkup:
    index = {u: i for i, u in enumerate(units)}
    buttons = [
        [InlineKeyboardButton(u, callback_data=keyboards.Callback(keyboards.UNIT, str(index[u])).encode())]
        for u in subset[:MAX_BUTTONS]
        if u in index
    ]
    return InlineKeyboardMarkup(buttons)


async def choose_unit(update: Update, context: BotContext) -> None:
    """A unit button was pressed (or "clear", or "another unit")."""
    query, user = update.callback_query, update.effective_user
    cb = keyboards.Callback.decode(query.data if query else None)
    if query is None or user is None or cb is None:
        return
    reader = reader_of(context, update)
    if cb.key == "-":
        context.people.set_unit(user.id, None)
        await answer_query(query, texts.UNIT_CLEARED)
        await edit_query_text(query, texts.UNIT_CLEARED)
        return
    if cb.key == "l" and query.message is not None:
        await answer_query(query)
        await send_choices(context, query.message, context.people.unit(user.id), reader)  # type: ignore[arg-type]
        return
    services = context.services
    units = await asyncio.to_thread(lambda: services.unit_choices(services.viewer(reader)))
    if not cb.key.isdigit() or int(cb.key) >= len(units):
        await answer_query(query, texts.NO_UNITS, alert=True)
        return
    unit = units[int(cb.key)]
    context.people.set_unit(user.id, unit)
    await answer_query(query)
    await edit_query_text(query, texts.unit_set(unit))
    if services.findings is not None and query.message is not None:
        await send_summary(context, query.message, unit, reader)  # type: ignore[arg-type]


async def due(update: Update, context: BotContext) -> None:
    """``/hanchot [unit]``: remedies of the user's unit (or the one named) due within the window."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    query = " ".join(context.args or ()).strip()
    await send_due(context, message, user.id, reader_of(context, update), query)


async def due_button(update: Update, context: BotContext) -> None:
    """The deadline button under a /donvi summary: /hanchot for the unit set now."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    await answer_query(query)
    if query.message is not None:
        await send_due(context, query.message, user.id, reader_of(context, update), "")  # type: ignore[arg-type]


async def send_due(context: BotContext, message: Message, user_id: int, reader: Reader, query: str) -> None:
    """The /hanchot reply: due remedies, or plainly why there are none."""
    services = context.services
    quote = not is_private(message.chat)
    if services.findings is None:
        await message.reply_text(texts.DUE_DISABLED, do_quote=quote)
        return
    days = context.settings.due_within_days
    if query:
        match = await asyncio.to_thread(lambda: services.resolve_unit(query, services.viewer(reader)))
        if match.unit is None:
            await message.reply_text(texts.unit_unknown(query), do_quote=quote)
            return
        unit = match.unit
    else:
        unit = context.people.unit(user_id)  # type: ignore[assignment]
        if not unit:
            await message.reply_text(texts.DUE_NO_UNIT, do_quote=quote)
            return
    report = await asyncio.to_thread(lambda: services.due_report(unit, services.viewer(reader), days))
    for part in unitview.render_due(report, services.today()):
        await message.reply_text(part, do_quote=quote)
