"""What the handlers need from outside Telegram, and the adapters that shape it for them.

Who reads what: a user's ``Viewer`` (the units and role that open restricted documents) is built
here from what admins granted, never from the unit a user picked with /donvi (anyone may pick
any unit). In a group everyone sees an answer, so group answers use public documents only.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from knowledge.access import PUBLIC, Viewer
from knowledge.findings.models import DueRemedy, UnitSummary
from knowledge.models import DocumentMeta
from knowledge.services.protocols import AnswerEngine, DocumentAdmin, FindingsQueries
from knowledge.state.people import People, ReaderRole
from knowledge.text import fold, tokens

# words every unit name shares: they say nothing about which unit a typed name means
_GENERIC = frozenset(
    "dang uy bo chi phuong xa thi tran quan huyen co so cong ty co phan tnhh nhan dan to chuc".split()
)


@dataclass(frozen=True)
class Reader:
    """What opens restricted documents to one user in one chat (resolved to a Viewer off the event loop)."""

    member_unit: str | None = None  # the unit an admin confirmed they belong to
    role: ReaderRole = "member"
    public_only: bool = False  # a group: whatever is answered there, every member reads

    @classmethod
    def of(cls, people: People, user_id: int, *, private: bool) -> Reader:
        """The reader a user is in this chat (in a group: public documents only)."""
        if not private:
            return cls(public_only=True)
        return cls(people.member_unit(user_id), people.reader_role(user_id))


@dataclass(frozen=True)
class UnitMatch:
    """What a typed unit name means: one unit, or candidates to choose from (none: unknown)."""

    unit: str | None
    candidates: tuple[str, ...] = ()
    suggested: bool = False  # the candidates are near misses, not units matching every typed word


@dataclass(frozen=True)
class DueReport:
    """What /hanchot shows: the remedies due soon and, when there are none, why."""

    unit: str
    known: bool  # the documents report findings or an inspection of this unit
    due: tuple[DueRemedy, ...]
    undated: int  # open remedies whose documents give no deadline
    later: DueRemedy | None  # the next dated remedy after the window, if any
    within_days: int
    overdue: int = 0  # remedies whose deadline has passed (the documents do not record completion)


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


def similar_units(query: str, units: Sequence[str], n: int = 6) -> list[str]:
    """Suggestions for a name that matched nothing: units sharing a distinctive word, then close spellings."""
    words = {w for w in tokens(query) if w not in _GENERIC}
    sharing = [u for u in units if words & set(tokens(u))]
    folded = {" ".join(fold(u).split()): u for u in units}
    close = [folded[f] for f in difflib.get_close_matches(" ".join(fold(query).split()), folded, n=n, cutoff=0.6)]
    return list(dict.fromkeys(sharing + close))[:n]


@dataclass
class BotServices:
    """Everything the handlers need from outside Telegram (the bot's memory is ``knowledge.state.State``).

    The methods below read the knowledge base (Chroma, the findings records): call them in a
    thread, never on the event loop.
    """

    engine: AnswerEngine
    admin: DocumentAdmin | None = None  # uploads (preview, then confirm) and versions; None disables them
    findings: FindingsQueries | None = None  # /donvi summaries, /hanchot, unit names; None: units from the engine
    llm_streaming: bool = False
    today: Callable[[], date] = date.today  # deadlines are counted from this day

    def viewer(self, reader: Reader) -> Viewer:
        """The Viewer to pass with this reader's questions and button presses."""
        if reader.public_only:
            return PUBLIC
        units = [reader.member_unit] if reader.member_unit else []
        if self.findings is not None:
            return self.findings.viewer(units, reader.role)
        return Viewer(tuple(units), reader.role)

    def documents(self, viewer: Viewer) -> list[DocumentMeta]:
        """The documents a viewer may know of, newest first (a restricted one's title alone can say too much)."""
        return [d for d in self.engine.documents() if viewer.may_read(d)]

    def unit_choices(self, viewer: Viewer) -> list[str]:
        """The units a user may pick: the units the findings records hold (inspected, given findings,
        remedies or quotas, the list /tendonvi shows); without findings records, the units the readable
        documents name. A body a rule document mentions ("đảng ủy Quốc hội") is no unit to pick."""
        if self.findings is not None:
            return list(self.findings.units(viewer))
        names: list[str] = []
        seen: set[str] = set()
        for doc in self.documents(viewer):
            for name in doc.units:
                if name not in seen:
                    seen.add(name)
                    names.append(name)
        return names

    def resolve_unit(self, text: str, viewer: Viewer) -> UnitMatch:
        """The unit a typed name means among those the viewer may know of, or candidates / suggestions."""
        choices = self.unit_choices(viewer)
        if self.findings is not None:
            canonical = self.findings.resolve_unit(text)
            if canonical in choices:
                return UnitMatch(canonical)
        found = match_units(text, choices)
        if len(found) == 1:
            return UnitMatch(found[0])
        if found:
            return UnitMatch(None, tuple(found))
        return UnitMatch(None, tuple(similar_units(text, choices)), suggested=True)

    def unit_summary(self, unit: str, viewer: Viewer) -> UnitSummary | None:
        """What the documents the viewer may read say about a unit (None without findings or for an unknown unit)."""
        if self.findings is None:
            return None
        return self.findings.unit_summary(unit, viewer)

    def due_report(self, unit: str, viewer: Viewer, within_days: int) -> DueReport:
        """Remedies of a unit due within ``within_days``, with what to say when there are none."""
        if self.findings is None:
            return DueReport(unit, False, (), 0, None, within_days)
        today = self.today()
        summary = self.findings.unit_summary(unit, viewer)
        if summary is None or not (summary.findings or summary.inspected_in):  # e.g. only given a programme quota
            return DueReport(summary.unit if summary else unit, False, (), 0, None, within_days)
        due = tuple(self.findings.due_remedies(summary.unit, within_days, viewer, today))
        undated = sum(1 for f in summary.open_remedies if f.finding.due is None)
        shown = {(d.finding.doc_id, d.finding.finding.seq) for d in due}
        later = next(
            (
                DueRemedy(f, f.finding.due, (date.fromisoformat(f.finding.due) - today).days)
                for f in summary.open_remedies
                if f.finding.due and (f.doc_id, f.finding.seq) not in shown and f.finding.due > today.isoformat()
            ),
            None,
        )
        overdue = sum(1 for f in summary.open_remedies if f.finding.due and f.finding.due < today.isoformat())
        return DueReport(summary.unit, True, due, undated, later, within_days, overdue)
