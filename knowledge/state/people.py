"""People: who may ask, who is admin, which groups are allowed, and each user's unit.

The configured lists (environment) seed the table; after that admins change it from Telegram.
Configured admins are pinned: they stay admins whatever the table says, so nobody can lock the
operator out. A user or group removed from Telegram stays removed after a restart even when the
environment still lists them (the row is kept as ``removed`` rather than deleted).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from knowledge.state.db import StateDB

Role = Literal["admin", "user"]
Outcome = Literal["done", "unchanged", "pinned"]
ReaderRole = Literal["admin", "district", "member"]  # who may read restricted documents (knowledge.access)


@dataclass(frozen=True)
class Person:
    """A user on the list: admin or allowed user, with the unit assigned to them."""

    user_id: int
    role: Role
    name: str | None = None
    unit: str | None = None
    pinned: bool = False  # a configured admin (BOT_ADMIN_IDS): cannot be removed from Telegram
    member_of: str | None = None  # the unit an admin confirmed they belong to (opens its restricted documents)
    district: bool = False  # a district reader: reads every unit's restricted documents


@dataclass(frozen=True)
class AllowedChat:
    """A group whose members may ask there."""

    chat_id: int
    title: str | None = None


class People:
    """Roles, allowed groups and units, stored in SQLite."""

    def __init__(self, db: StateDB, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self._clock = clock
        self.pinned_admins: frozenset[int] = frozenset()

    def seed(self, *, admins: Iterable[int] = (), users: Iterable[int] = (), chats: Iterable[int] = ()) -> None:
        """Apply the configured lists: admins are pinned, users and chats are added unless removed before."""
        self.pinned_admins = frozenset(admins)
        now = self._clock()
        with self.db.tx() as conn:  # pinned admins live only in memory: dropping one from the list demotes them
            for uid in users:
                conn.execute(
                    "INSERT OR IGNORE INTO people (user_id, role, source, updated_at) VALUES (?, 'user', 'env', ?)",
                    (uid, now),
                )
            for cid in chats:
                conn.execute(
                    "INSERT OR IGNORE INTO chats (chat_id, allowed, source, updated_at) VALUES (?, 1, 'env', ?)",
                    (cid, now),
                )

    # questions ------------------------------------------------------------------------------
    def role(self, user_id: int | None) -> Role | None:
        """'admin', 'user' or None (not on the list)."""
        if user_id is None:
            return None
        if user_id in self.pinned_admins:
            return "admin"
        row = self.db.row("SELECT role FROM people WHERE user_id = ?", (user_id,))
        return row["role"] if row is not None and row["role"] != "removed" else None

    def is_admin(self, user_id: int | None) -> bool:
        """True for admins (configured or made admin from Telegram)."""
        return self.role(user_id) == "admin"

    def chat_allowed(self, chat_id: int | None) -> bool:
        """True when everyone in this chat may ask there."""
        if chat_id is None:
            return False
        row = self.db.row("SELECT allowed FROM chats WHERE chat_id = ?", (chat_id,))
        return bool(row and row["allowed"])

    def may_ask(self, user_id: int | None, chat_id: int | None) -> bool:
        """Admins and allowed users anywhere; anyone inside an allowed chat."""
        if user_id is None:
            return False
        return self.role(user_id) is not None or (chat_id != user_id and self.chat_allowed(chat_id))

    def people(self) -> list[Person]:
        """Everyone on the list, admins first, then by id."""
        rows = self.db.rows(
            "SELECT p.user_id, p.role, p.name, u.unit, m.unit AS member_of, d.user_id IS NOT NULL AS district "
            "FROM people p LEFT JOIN units u USING (user_id) LEFT JOIN members m USING (user_id) "
            "LEFT JOIN district_readers d USING (user_id) WHERE p.role != 'removed'"
        )
        found = {
            r["user_id"]: Person(
                r["user_id"], r["role"], r["name"], r["unit"], member_of=r["member_of"], district=bool(r["district"])
            )
            for r in rows
        }
        for uid in self.pinned_admins:
            p = found.get(uid, Person(uid, "admin"))
            found[uid] = Person(uid, "admin", p.name, p.unit, True, p.member_of, p.district)
        return sorted(found.values(), key=lambda p: (p.role != "admin", p.user_id))

    def chats(self) -> list[AllowedChat]:
        """Every allowed group."""
        rows = self.db.rows("SELECT chat_id, title FROM chats WHERE allowed = 1 ORDER BY chat_id")
        return [AllowedChat(r["chat_id"], r["title"]) for r in rows]

    # changes --------------------------------------------------------------------------------
    def allow_user(self, user_id: int, *, by: int | None, name: str | None = None) -> Outcome:
        """Let a user ask anywhere (an admin stays admin)."""
        if self.role(user_id) is not None:
            if name:
                self.db.execute("UPDATE people SET name = ? WHERE user_id = ?", (name, user_id))
            return "unchanged"
        self._set_role(user_id, "user", by, name)
        return "done"

    def remove_user(self, user_id: int, *, by: int | None) -> Outcome:
        """Take away a user's (or an admin's) access; configured admins cannot be removed."""
        if user_id in self.pinned_admins:
            return "pinned"
        if self.role(user_id) is None:
            return "unchanged"
        self._set_role(user_id, "removed", by, None)
        with self.db.tx() as conn:  # access to restricted documents is granted again explicitly, if ever
            conn.execute("DELETE FROM members WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM district_readers WHERE user_id = ?", (user_id,))
        return "done"

    def make_admin(self, user_id: int, *, by: int | None, name: str | None = None) -> Outcome:
        """Make a user an admin (adding them to the list if needed)."""
        if self.is_admin(user_id):
            return "unchanged"
        self._set_role(user_id, "admin", by, name)
        return "done"

    def remove_admin(self, user_id: int, *, by: int | None) -> Outcome:
        """An admin becomes an ordinary allowed user; configured admins cannot be demoted."""
        if user_id in self.pinned_admins:
            return "pinned"
        if not self.is_admin(user_id):
            return "unchanged"
        self._set_role(user_id, "user", by, None)
        return "done"

    def allow_chat(self, chat_id: int, *, by: int | None, title: str | None = None) -> Outcome:
        """Let everyone in a group ask there."""
        if self.chat_allowed(chat_id):
            return "unchanged"
        self.db.execute(
            "INSERT INTO chats (chat_id, allowed, title, updated_by, updated_at) VALUES (?, 1, ?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET allowed = 1, title = COALESCE(excluded.title, title), "
            "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (chat_id, title, by, self._clock()),
        )
        return "done"

    def remove_chat(self, chat_id: int, *, by: int | None) -> Outcome:
        """Stop answering in a group (kept as 'removed' so the environment does not re-add it)."""
        if not self.chat_allowed(chat_id):
            return "unchanged"
        self.db.execute(
            "UPDATE chats SET allowed = 0, updated_by = ?, updated_at = ? WHERE chat_id = ?",
            (by, self._clock(), chat_id),
        )
        return "done"

    def _set_role(self, user_id: int, role: str, by: int | None, name: str | None) -> None:
        self.db.execute(
            "INSERT INTO people (user_id, role, name, updated_by, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, name = COALESCE(excluded.name, name), "
            "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (user_id, role, name, by, self._clock()),
        )

    # units ----------------------------------------------------------------------------------
    def unit(self, user_id: int) -> str | None:
        """The unit a user chose (or an admin assigned), if any."""
        row = self.db.row("SELECT unit FROM units WHERE user_id = ?", (user_id,))
        return row["unit"] if row is not None else None

    def set_unit(self, user_id: int, unit: str | None, *, by: int | None = None) -> None:
        """Set or clear a user's unit."""
        if unit:
            self.db.execute(
                "INSERT INTO units (user_id, unit, updated_by, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET unit = excluded.unit, updated_by = excluded.updated_by, "
                "updated_at = excluded.updated_at",
                (user_id, unit, by if by is not None else user_id, self._clock()),
            )
        else:
            self.db.execute("DELETE FROM units WHERE user_id = ?", (user_id,))

    # reading restricted documents -----------------------------------------------------------
    def member_unit(self, user_id: int) -> str | None:
        """The unit an admin confirmed this user belongs to (a unit chosen with /donvi is not enough)."""
        row = self.db.row("SELECT unit FROM members WHERE user_id = ?", (user_id,))
        return row["unit"] if row is not None else None

    def set_member_unit(self, user_id: int, unit: str | None, *, by: int | None) -> None:
        """Admin: record (or clear) the unit whose restricted documents this user may read."""
        if unit:
            self.db.execute(
                "INSERT INTO members (user_id, unit, updated_by, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET unit = excluded.unit, updated_by = excluded.updated_by, "
                "updated_at = excluded.updated_at",
                (user_id, unit, by, self._clock()),
            )
        else:
            self.db.execute("DELETE FROM members WHERE user_id = ?", (user_id,))

    def is_district(self, user_id: int | None) -> bool:
        """True for a district reader who may still ask."""
        if user_id is None or self.role(user_id) is None:
            return False
        return self.db.row("SELECT 1 FROM district_readers WHERE user_id = ?", (user_id,)) is not None

    def make_district(self, user_id: int, *, by: int | None, name: str | None = None) -> Outcome:
        """Let a user read every unit's restricted documents (adding them to the list if needed)."""
        if self.is_admin(user_id) or self.is_district(user_id):
            return "unchanged"  # an admin already reads everything
        if self.role(user_id) is None:
            self._set_role(user_id, "user", by, name)
        self.db.execute(
            "INSERT INTO district_readers (user_id, updated_by, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (user_id, by, self._clock()),
        )
        return "done"

    def remove_district(self, user_id: int, *, by: int | None) -> Outcome:
        """A district reader becomes an ordinary user (they still may ask)."""
        return "done" if self.db.execute("DELETE FROM district_readers WHERE user_id = ?", (user_id,)) else "unchanged"

    def reader_role(self, user_id: int) -> ReaderRole:
        """How this user reads restricted documents: as an admin, a district reader or a unit member."""
        if self.is_admin(user_id):
            return "admin"
        return "district" if self.is_district(user_id) else "member"
