"""The bot's SQLite memory: roles, units, history, answers, previews, audit, votes — across reopenings."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from knowledge.models import Answer, Citation
from knowledge.state import State

CIT = Citation(1, "doc::00001", "doc", "01-CTr/QU", "Kiểm tra", "Mục I", "2017-08-15", "trích")
ANSWER = Answer(text="Theo 01-CTr/QU, đoàn đã kiểm tra 04 đảng ủy [1]", grounded=True, citations=(CIT,),
                notices=("cũ",), rewritten_question="Đoàn kiểm tra những đảng ủy nào?")


class Clock:
    def __init__(self, t: float = 1_750_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def open_state(path: Path, clock: Clock | None = None, **kw: int) -> State:
    return State.open(path / "state.sqlite3", clock=clock, **kw)


def test_roles_survive_reopening_and_env_seeds_do_not_undo_removals(tmp_path: Path) -> None:
    s = open_state(tmp_path)
    s.people.seed(admins={1}, users={2, 3}, chats={-100})
    assert s.people.is_admin(1) and s.people.may_ask(2, 2) and s.people.may_ask(9, -100)
    assert not s.people.may_ask(9, 9) and not s.people.may_ask(None, -100)
    assert s.people.remove_user(3, by=1) == "done"
    assert s.people.allow_user(4, by=1, name="Lan") == "done"
    assert s.people.make_admin(2, by=1) == "done"
    assert s.people.remove_chat(-100, by=1) == "done"
    assert s.people.remove_user(1, by=2) == "pinned" and s.people.remove_admin(1, by=2) == "pinned"
    s.people.set_unit(4, "phường Cự Khối", by=1)
    s.close()

    s = open_state(tmp_path)
    s.people.seed(admins={1}, users={2, 3}, chats={-100})  # the same environment on restart
    assert not s.people.may_ask(3, 3)  # removed in Telegram stays removed
    assert not s.people.may_ask(9, -100)
    assert s.people.is_admin(2) and s.people.may_ask(4, 4) and s.people.unit(4) == "phường Cự Khối"
    listed = {p.user_id: p for p in s.people.people()}
    assert listed[1].pinned and listed[4].name == "Lan" and 3 not in listed
    s.people.seed(admins=set(), users=set())  # dropping an admin from the environment demotes them
    assert not s.people.is_admin(1)


def test_history_is_bounded_and_survives_reopening(tmp_path: Path) -> None:
    s = open_state(tmp_path, history_turns=2)
    for i in range(4):
        s.memory.remember(chat_id=5, user_id=5, question=f"q{i}", answer=Answer(text=f"a{i}", grounded=True), unit=None)
    s.close()
    s = open_state(tmp_path, history_turns=2)
    assert [t.question for t in s.memory.history(5)] == ["q2", "q3"]
    assert s.memory.history(6) == ()
    s.memory.clear(5)
    assert s.memory.history(5) == ()


def test_answers_round_trip_and_are_bounded(tmp_path: Path) -> None:
    s = open_state(tmp_path, answers_kept=10)
    first = s.memory.remember(chat_id=-100, user_id=7, question="q", answer=ANSWER, unit="phường Cự Khối",
                              chat_type="supergroup")
    back = s.memory.answer(first.answer_id)
    assert back is not None and back.answer == ANSWER and back.unit == "phường Cự Khối" and not back.private
    assert s.memory.history(-100)[0].question == ANSWER.rewritten_question  # the standalone form
    s.memory.grant(first.answer_id, 42)
    assert s.memory.granted(first.answer_id, 42) and not s.memory.granted(first.answer_id, 43)
    for i in range(10):
        s.memory.remember(chat_id=1, user_id=1, question=f"{i}", answer=ANSWER, unit=None)
    assert s.memory.answer(first.answer_id) is None  # the oldest is forgotten, its grants with it
    assert not s.memory.granted(first.answer_id, 42)


def test_previews_are_claimed_once(tmp_path: Path) -> None:
    s = open_state(tmp_path)
    p = s.memory.add_preview(token="tok", admin_id=1, chat_id=1, file_name="x.txt", targets=("a", "b"),
                             identical=None, expires_at=2e9)
    assert s.memory.preview(p.ref) == p
    assert s.memory.claim_preview(p.ref) and not s.memory.claim_preview(p.ref)
    assert s.memory.preview(p.ref) is None


def test_duplicate_updates_are_recognised(tmp_path: Path) -> None:
    s = open_state(tmp_path)
    assert s.memory.first_delivery(100) and not s.memory.first_delivery(100)
    s.close()
    assert not open_state(tmp_path).memory.first_delivery(100)  # also after a restart


def test_doc_refs_are_short_and_stable(tmp_path: Path) -> None:
    s = open_state(tmp_path)
    doc = "294-QD-TW_2025-05-26_thi-hanh-dieu-le-dang_phien-ban-rat-dai-cho-callback-data"
    ref = s.memory.doc_ref(doc)
    assert len(ref) <= 12 and ref == s.memory.doc_ref(doc) and s.memory.doc_id(ref) == doc


def test_votes_one_per_user_and_audit_export(tmp_path: Path) -> None:
    clock = Clock()
    s = open_state(tmp_path, clock)
    stored = s.memory.remember(chat_id=5, user_id=5, question="Hỏi, có \"dấu\"?", answer=ANSWER, unit=None)
    s.audit.record(user_id=5, user_name="Lan", chat_id=5, chat_type="private", question=stored.question,
                   answer=ANSWER, answer_id=stored.answer_id)
    declined = Answer(text="Không có", grounded=False, declined=True)
    clock.t += 86400
    s.audit.record(user_id=6, user_name=None, chat_id=-100, chat_type="supergroup", question="giá vàng",
                   answer=declined, answer_id="other")
    assert s.audit.vote(stored.answer_id, 5, "up") is None
    assert s.audit.vote(stored.answer_id, 5, "down") == "up"  # changed, not added
    assert s.audit.vote(stored.answer_id, 6, "down") is None
    assert s.audit.votes(stored.answer_id) == (0, 2) and s.audit.vote_of(stored.answer_id, 5) == "down"
    with pytest.raises(ValueError):
        s.audit.vote(stored.answer_id, 5, "meh")  # type: ignore[arg-type]

    [bad] = s.audit.downvoted()
    assert bad.question == stored.question and bad.down == 2 and bad.citations == ("01-CTr/QU › Mục I",)

    data, n = s.audit.export_bytes()
    assert n == 2 and data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["question"] == "Hỏi, có \"dấu\"?" and rows[0]["votes_down"] == "2"
    assert rows[0]["citations"] == "01-CTr/QU › Mục I" and rows[1]["declined"] == "1"

    stats = s.audit.stats(days=7)
    assert (stats.questions, stats.declined, stats.askers, stats.down) == (2, 1, 2, 2)
    assert len(stats.per_day) == 7 and sum(n for _, n in stats.per_day) == 2
