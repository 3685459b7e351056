"""/donvi: the user's unit (ward, court, company, party cell…), matched accent-insensitively."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import keyboards, texts
from bot.context import BotContext
from bot.delivery import answer_query, edit_query_text
from knowledge.text import fold, tokens

MAX_BUTTONS = 60


def match_units(query: str, units: Sequence[str]) -> list[str]:
    """Units matching the query: an exact folded match wins, else every unit containing its words."""
    q = " ".join(fold(query).split())
    if not q:
        return []
    exact = [u for u in units if " ".join(fold(u).split()) == q]
    if exact:
        return exact[:1]
    words = tokens(query)
    return [u for u in units if q in fold(u) or (words and set(words) <= set(tokens(u)))]


async def set_unit(update: Update, context: BotContext) -> None:
    """``/donvi <name>`` sets the unit; ``/donvi`` alone shows the known units as buttons."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    units = await asyncio.to_thread(context.services.engine.units)
    current = context.people.unit(user.id)
    query = " ".join(context.args or ()).strip()
    if not query:
        if not units:
            await message.reply_text(f"{texts.unit_current(current)}\n{texts.NO_UNITS}")
            return
        keyboard = keyboards.units_keyboard(units[:MAX_BUTTONS], current=current)
        await message.reply_text(f"{texts.unit_current(current)}\n{texts.UNIT_CHOOSE}", reply_markup=keyboard)
        return
    found = match_units(query, units)
    if len(found) == 1:
        context.people.set_unit(user.id, found[0])
        await message.reply_text(texts.unit_set(found[0]))
    elif found:
        await message.reply_text(texts.unit_ambiguous(query), reply_markup=_subset_keyboard(units, found))
    elif units:
        await message.reply_text(
            f"{texts.unit_not_found(query)}\n{texts.UNIT_CHOOSE}",
            reply_markup=keyboards.units_keyboard(units[:MAX_BUTTONS], current=current),
        )
    else:
        await message.reply_text(f"{texts.unit_not_found(query)}\n{texts.NO_UNITS}")


def _subset_keyboard(units: Sequence[str], subset: Sequence[str]) -> InlineKeyboardMarkup:
    index = {u: i for i, u in enumerate(units)}
    buttons = [
        [InlineKeyboardButton(u, callback_data=keyboards.Callback(keyboards.UNIT, str(index[u])).encode())]
        for u in subset[:MAX_BUTTONS]
    ]
    return InlineKeyboardMarkup(buttons)


async def choose_unit(update: Update, context: BotContext) -> None:
    """A unit button was pressed."""
    query, user = update.callback_query, update.effective_user
    cb = keyboards.Callback.decode(query.data if query else None)
    if query is None or user is None or cb is None:
        return
    if cb.key == "-":
        context.people.set_unit(user.id, None)
        await answer_query(query, texts.UNIT_CLEARED)
        await edit_query_text(query, texts.UNIT_CLEARED)
        return
    units = await asyncio.to_thread(context.services.engine.units)
    if not cb.key.isdigit() or int(cb.key) >= len(units):
        await answer_query(query, texts.NO_UNITS, alert=True)
        return
    unit = units[int(cb.key)]
    context.people.set_unit(user.id, unit)
    await answer_query(query)
    await edit_query_text(query, texts.unit_set(unit))
