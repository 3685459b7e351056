"""The unit registry: one canonical unit per real unit, with every name the documents and admins give it.

Built from the live extractions (units inspected, units with findings, units a programme gives
quotas) and the admin's edits. Two names are one unit when their normal keys agree: party
prefix dropped (Đảng ủy phường X = phường X), a company's legal form dropped, and a name cut
after its level word ("Tòa án nhân dân quận") completed with the document's own district
("quận Hòa Bình") — never with a guess, so two districts' courts stay two units.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from knowledge.unit_names import (
    Mention,
    find_mentions,
    key_variants,
    name_tokens,
    normal_key,
    remove_mentions,
    shortened_mentions,
    swap_mention,
    unit_key,
)


@dataclass(frozen=True)
class Unit:
    """A canonical unit and the names it goes by."""

    name: str
    aliases: tuple[str, ...]
    key: str


def _preferred(names: Sequence[str]) -> str:
    """The name to show: the fullest spelling, with its party prefix, not in capitals."""
    return max(names, key=lambda n: (not n.isupper(), len(name_tokens(n)), len(n)))


class UnitRegistry:
    """Canonical units and their aliases; resolves names and finds units mentioned in questions."""

    def __init__(self, names: Iterable[tuple[str, str | None]], edits: Sequence[tuple[str, str | None]] = ()) -> None:
        """``names``: (name as written, the document's locality); ``edits``: admin (alias, canonical or None)."""
        groups: dict[str, list[str]] = {}
        hidden = {unit_key(a) for a, c in edits if c is None}
        for name, loc in names:
            if not name or unit_key(name) in hidden:
                continue
            groups.setdefault(normal_key(name, loc), []).append(name)
        # admin edits: an alias joins (or merges its unit into) the canonical unit
        renamed: dict[str, str] = {}
        for alias, canonical in edits:
            if canonical is None:
                continue
            target = self._find_group(groups, canonical) or normal_key(canonical)
            groups.setdefault(target, [])
            if canonical not in groups[target]:
                groups[target].append(canonical)
            renamed[target] = canonical
            source = self._find_group(groups, alias)
            if source is not None and source != target:
                groups[target].extend(groups.pop(source))
            elif alias not in groups[target]:
                groups[target].append(alias)
        self._units: dict[str, Unit] = {}
        for key, members in groups.items():
            if not members:
                continue
            uniq = list(dict.fromkeys(members))
            name = renamed.get(key) or _preferred(uniq)
            self._units[name] = Unit(name, tuple(u for u in uniq if u != name), key)
        self._by_key: dict[str, str] = {}
        # full names first: a shortened alias of one unit ("… quận") must not take another unit's own name
        for full in (True, False):
            for unit in self._units.values():
                for n in (unit.name, *unit.aliases):
                    if (normal_key(n) == unit.key) == full:
                        self._by_key.setdefault(unit_key(n), unit.name)
                self._by_key.setdefault(unit.key, unit.name)
        self._variants = {
            u.name: tuple(dict.fromkeys(v for n in (u.name, *u.aliases) for v in key_variants(n)))
            for u in self._units.values()
        }
        self._add_bare_names()

    def _add_bare_names(self) -> None:
        """A ward or commune may be named without its level word ("Thanh Vân Hạ phải …"),
        unless another unit's name holds those words."""
        heads = (("phuong",), ("xa",), ("thi", "tran"))
        for name, variants in list(self._variants.items()):
            key = tuple(self._units[name].key.split())
            head = next((h for h in heads if key[: len(h)] == h), None)
            bare = key[len(head) :] if head else ()
            if len(bare) < 2:
                continue
            shared = any(
                _contains(v, bare) for other, vs in self._variants.items() if other != name for v in vs
            )
            if not shared:
                self._variants[name] = (*variants, bare)

    @staticmethod
    def _find_group(groups: dict[str, list[str]], name: str) -> str | None:
        key = unit_key(name)
        for g, members in groups.items():
            if g == normal_key(name) or any(unit_key(m) == key for m in members):
                return g
        return None

    def units(self) -> list[Unit]:
        """Every unit, by name."""
        return sorted(self._units.values(), key=lambda u: u.name)

    def get(self, name: str) -> Unit | None:
        return self._units.get(name)

    def canonical(self, name: str | None, locality: str | None = None) -> str | None:
        """The canonical unit a name (as written in a document) belongs to, if it is known."""
        if not name:
            return None
        return self._by_key.get(unit_key(name)) or self._by_key.get(normal_key(name, locality))

    def resolve(self, text: str) -> str | None:
        """The one unit a user means ("cu khoi", "ĐU P. Sài Đồng", "Tòa án nhân dân quận"), or None."""
        direct = self.canonical(text)
        if direct:
            return direct
        mentions = self.mentions(text)
        units = {m.unit for m in mentions}
        if len(units) == 1:
            return next(iter(units))
        toks = name_tokens(text)
        if not units and len(toks) >= 2:  # just the name: "cu khoi", "Tân Lập" (if only one unit ends so)
            ends = {
                u.name
                for u in self._units.values()
                for n in (u.name, *u.aliases)
                if name_tokens(n)[-len(toks) :] == toks
            }
            if len(ends) == 1:
                return next(iter(ends))
        return None

    def mentions(self, text: str) -> list[Mention]:
        """Units named in a text (accent-insensitive, abbreviations expanded, shortened names allowed)."""
        return find_mentions(text, self._variants)

    def named_in(self, question: str, directing: Callable[[str], bool] = lambda unit: False) -> list[Mention]:
        """Units a question names: as ``mentions``; when it names none but ``directing`` bodies
        ("… đoàn giám sát của UBKT"), also the one unit it names by a shortened name in the rest
        ("bệnh viện quận" for "Bệnh viện Đa khoa quận Hòa Phú")."""
        found = self.mentions(question)
        if any(not directing(m.unit) for m in found):
            return found
        fits = shortened_mentions(self.without_units(question), self._variants)
        return [*found, *fits] if len({m.unit for m in fits}) == 1 else found

    def without_units(self, text: str) -> str:
        """The text with every unit it names taken out."""
        return remove_mentions(text, self._variants)

    def swap(self, text: str, new: str) -> str | None:
        """The text with its first unit mention replaced by ``new`` ("còn phường B thì sao?" after a question on A)."""
        return swap_mention(text, self._variants, new)


def _contains(seq: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(seq[i : i + len(part)] == part for i in range(len(seq) - len(part) + 1))
