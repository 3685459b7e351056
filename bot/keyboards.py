"""Inline keyboards and the short ASCII ``callback_data`` codec (at most 64 bytes).

Callback data never carries document text: only an action letter, a short answer id kept in
bot state, and a small argument, e.g. ``s:Ab3_x9Qk`` or ``f:Ab3_x9Qk:u``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from knowledge.models import Answer

MAX_CALLBACK_BYTES = 64
SOURCES = "s"  # show quoted passages
VOTE = "f"  # 👍/👎, arg "u" or "d"
SECTION = "x"  # full section of citation n, arg n
UNIT = "n"  # choose unit by index into engine.units(); arg "-" clears
DEEP_LINK_PREFIX = "a_"

_PART_RE = re.compile(r"^[A-Za-z0-9_\-]*$")


@dataclass(frozen=True)
class Callback:
    """A decoded button press."""

    action: str
    key: str = ""
    arg: str = ""

    def encode(self) -> str:
        """``action:key:arg`` as ASCII, at most 64 bytes."""
        for part in (self.action, self.key, self.arg):
            if not _PART_RE.match(part):
                raise ValueError(f"callback part {part!r} is not short ASCII")
        data = f"{self.action}:{self.key}:{self.arg}".rstrip(":")
        if len(data.encode("ascii")) > MAX_CALLBACK_BYTES:
            raise ValueError("callback_data longer than 64 bytes")
        return data

    @classmethod
    def decode(cls, data: str | None) -> Callback | None:
        """Parse callback data; ``None`` for anything we did not produce."""
        if not data or len(data) > MAX_CALLBACK_BYTES or not data.isascii():
            return None
        parts = data.split(":")
        if len(parts) > 3 or not all(_PART_RE.match(p) for p in parts):
            return None
        parts += [""] * (3 - len(parts))
        return cls(parts[0], parts[1], parts[2])


def pattern(action: str) -> str:
    """Regex for a CallbackQueryHandler matching one action."""
    return rf"^{re.escape(action)}(:|$)"


def answer_keyboard(answer_id: str, answer: Answer) -> InlineKeyboardMarkup | None:
    """Nguồn, 👍, 👎 and — when the top source sits in a named section — "Xem toàn văn mục"."""
    if answer.declined or not answer.citations:
        row = [
            InlineKeyboardButton(texts.BTN_UP, callback_data=Callback(VOTE, answer_id, "u").encode()),
            InlineKeyboardButton(texts.BTN_DOWN, callback_data=Callback(VOTE, answer_id, "d").encode()),
        ]
        return InlineKeyboardMarkup([row])
    rows = [
        [
            InlineKeyboardButton(texts.BTN_SOURCES, callback_data=Callback(SOURCES, answer_id).encode()),
            InlineKeyboardButton(texts.BTN_UP, callback_data=Callback(VOTE, answer_id, "u").encode()),
            InlineKeyboardButton(texts.BTN_DOWN, callback_data=Callback(VOTE, answer_id, "d").encode()),
        ]
    ]
    top = answer.citations[0]
    if top.section.strip():
        rows.append(
            [InlineKeyboardButton(texts.BTN_SECTION, callback_data=Callback(SECTION, answer_id, str(top.n)).encode())]
        )
    return InlineKeyboardMarkup(rows)


def deep_link(bot_username: str, answer_id: str) -> str:
    """``https://t.me/<bot>?start=a_<id>``: opens the private chat with the full answer."""
    return f"https://t.me/{bot_username}?start={DEEP_LINK_PREFIX}{answer_id}"


def read_more_keyboard(bot_username: str, answer_id: str) -> InlineKeyboardMarkup:
    """One URL button to read the full answer in private chat."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BTN_READ_MORE, url=deep_link(bot_username, answer_id))]]
    )


def answer_id_from_payload(payload: str) -> str | None:
    """The answer id inside a /start deep-link payload, if it is one of ours."""
    if payload.startswith(DEEP_LINK_PREFIX) and _PART_RE.match(payload):
        return payload[len(DEEP_LINK_PREFIX) :] or None
    return None


def units_keyboard(units: Sequence[str], *, current: str | None = None) -> InlineKeyboardMarkup:
    """One button per known unit (by index), plus "clear" when a unit is set."""
    rows = [
        [InlineKeyboardButton(("✅ " if u == current else "") + u, callback_data=Callback(UNIT, str(i)).encode())]
        for i, u in enumerate(units)
    ]
    if current:
        rows.append([InlineKeyboardButton(texts.BTN_CLEAR_UNIT, callback_data=Callback(UNIT, "-").encode())])
    return InlineKeyboardMarkup(rows)
