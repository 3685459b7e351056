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
# answer buttons: key = answer id
SOURCES = "s"  # show quoted passages
VOTE = "f"  # 👍/👎, arg "u" or "d"
SECTION = "x"  # full section of citation n, arg n
ANSWER_ACTIONS = frozenset({SOURCES, VOTE, SECTION})
UNIT = "n"  # choose unit by index into BotServices.unit_choices(); key "-" clears, "l" shows the list
DUE = "h"  # /hanchot for the unit the user has set when pressed
# admin buttons
PREVIEW = "p"  # key = preview ref, arg "a" add, "rN" replace target N ("A", "RN": restricted), "c" cancel,
# "t" / "u": show the buttons for a restricted / public upload
VERSIONS = "v"  # key = document ref: list its versions
RESTORE_ASK = "k"  # key = document ref, arg = version hash: ask for confirmation
RESTORE = "K"  # the same, confirmed
DELETE_ASK = "g"  # key = document ref: ask for confirmation
DELETE = "G"  # confirmed
CLOSE = "q"  # an admin dialog is dismissed
ADMIN_ACTIONS = frozenset({PREVIEW, VERSIONS, RESTORE_ASK, RESTORE, DELETE_ASK, DELETE, CLOSE})
DEEP_LINK_PREFIX = "a_"
MAX_DOC_BUTTONS = 50

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


def _vote_buttons(answer_id: str, votes: tuple[int, int]) -> list[InlineKeyboardButton]:
    up, down = Callback(VOTE, answer_id, "u").encode(), Callback(VOTE, answer_id, "d").encode()
    return [
        InlineKeyboardButton(texts.vote_label(texts.BTN_UP, votes[0]), callback_data=up),
        InlineKeyboardButton(texts.vote_label(texts.BTN_DOWN, votes[1]), callback_data=down),
    ]


def answer_keyboard(answer_id: str, answer: Answer, *, votes: tuple[int, int] = (0, 0)) -> InlineKeyboardMarkup:
    """Nguồn, 👍, 👎 (with their counts) and — when the top source sits in a named section — "Xem toàn văn mục"."""
    if answer.declined or not answer.citations:
        return InlineKeyboardMarkup([_vote_buttons(answer_id, votes)])
    rows = [
        [
            InlineKeyboardButton(texts.BTN_SOURCES, callback_data=Callback(SOURCES, answer_id).encode()),
            *_vote_buttons(answer_id, votes),
        ]
    ]
    top = answer.citations[0]
    if top.section.strip():
        rows.append(
            [InlineKeyboardButton(texts.BTN_SECTION, callback_data=Callback(SECTION, answer_id, str(top.n)).encode())]
        )
    return InlineKeyboardMarkup(rows)


def with_votes(markup: InlineKeyboardMarkup, answer_id: str, votes: tuple[int, int]) -> InlineKeyboardMarkup:
    """The same keyboard with the 👍/👎 labels showing the new counts (other buttons untouched)."""
    labels = {Callback(VOTE, answer_id, "u").encode(): texts.vote_label(texts.BTN_UP, votes[0]),
              Callback(VOTE, answer_id, "d").encode(): texts.vote_label(texts.BTN_DOWN, votes[1])}
    rows = []
    for row in markup.inline_keyboard:
        rows.append([
            InlineKeyboardButton(labels[b.callback_data], callback_data=b.callback_data)
            if isinstance(b.callback_data, str) and b.callback_data in labels else b
            for b in row
        ])
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


def unit_summary_keyboard(within_days: int) -> InlineKeyboardMarkup:
    """Under a /donvi summary: the remedies due soon, and another unit."""
    return InlineKeyboardMarkup(
        [[button(texts.BTN_DUE.format(days=within_days), DUE)], [button(texts.BTN_CHANGE_UNIT, UNIT, "l")]]
    )


def button(text: str, action: str, key: str = "", arg: str = "") -> InlineKeyboardButton:
    """One callback button (label clipped to a readable length)."""
    label = text if len(text) <= 60 else text[:59] + "…"
    return InlineKeyboardButton(label, callback_data=Callback(action, key, arg).encode())


def preview_keyboard(
    ref: str, replace_labels: Sequence[str], *, can_add: bool, restricted: bool | None = None
) -> InlineKeyboardMarkup:
    """One "replace X" per stored document the upload re-issues (first: that is what a re-issue is
    for), add (unless identical), the public/restricted switch, cancel.

    ``restricted``: None when the upload cannot be restricted (it names no unit, or is already
    stored); otherwise whether add/replace will write it restricted to the units it concerns.
    """
    lock = texts.BTN_RESTRICTED_MARK if restricted else ""
    a, r = ("A", "R") if restricted else ("a", "r")
    rows = [
        [button(texts.btn_replace(label) + lock, PREVIEW, ref, f"{r}{i}")] for i, label in enumerate(replace_labels)
    ]
    if can_add:
        rows.append([button(texts.BTN_ADD + lock, PREVIEW, ref, a)])
    if restricted is not None and (can_add or replace_labels):
        switch = texts.BTN_MAKE_PUBLIC if restricted else texts.BTN_MAKE_RESTRICTED
        rows.append([button(switch, PREVIEW, ref, "u" if restricted else "t")])
    rows.append([button(texts.BTN_CANCEL if can_add or replace_labels else texts.BTN_CLOSE, PREVIEW, ref, "c")])
    return InlineKeyboardMarkup(rows)


def documents_keyboard(items: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One "versions" button per document: items are (document ref, label)."""
    shown = items[:MAX_DOC_BUTTONS]
    return InlineKeyboardMarkup([[button(texts.btn_history(label), VERSIONS, ref)] for ref, label in shown])


def versions_keyboard(ref: str, versions: Sequence[tuple[str, str]], *, live: bool) -> InlineKeyboardMarkup:
    """"Restore" per kept version (items are (version hash, label)), "retire" when a version is live."""
    rows = [[button(texts.btn_restore(label), RESTORE_ASK, ref, vh)] for vh, label in versions]
    if live:
        rows.append([button(texts.BTN_DELETE, DELETE_ASK, ref)])
    rows.append([button(texts.BTN_CLOSE, CLOSE)])
    return InlineKeyboardMarkup(rows)


def confirm_keyboard(action: str, ref: str, arg: str = "") -> InlineKeyboardMarkup:
    """Confirm / cancel for a restore or a retirement."""
    return InlineKeyboardMarkup([[button(texts.BTN_CONFIRM, action, ref, arg), button(texts.BTN_CANCEL, CLOSE)]])
