"""E2E harness: the REAL python-telegram-bot Application against FakeTelegram on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.app import ALLOWED_UPDATES, build_application
from bot.services import BotServices
from bot.settings import BotSettings
from knowledge.access import Viewer
from knowledge.models import Answer, Turn
from knowledge.state import State
from tests.fakes.engine import EngineCall, FakeEngine
from tests.fakes.telegram_server import Call, FakeTelegram

ADMIN = 1001
USER = 2002
OTHER_USER = 2003
STRANGER = 3003
GROUP = -1001234567890
ROOT = Path(__file__).resolve().parents[2]
SEED = "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU.txt"
SEED_PATHS = (ROOT / "knowledge/data/samples" / SEED, ROOT.parent / "shared/corpus" / SEED)


class RecordingEngine:
    """Wraps any AnswerEngine (fake or real) and records calls and answers for assertions."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[EngineCall] = []
        self.answers: list[Answer] = []
        self.viewers: list[Viewer | None] = []  # the viewer of every answer and stream call
        self.button_viewers: list[Viewer | None] = []  # … and of every chunk and section call (the buttons)
        self._lock = threading.Lock()

    def _record(self, method: str, question: str, history: Sequence[Turn], unit: str | None,
                viewer: Viewer | None) -> None:
        with self._lock:
            self.calls.append(EngineCall(method, question, tuple(history), unit))
            self.viewers.append(viewer)

    def answer(self, question: str, history: Sequence[Turn] = (), unit: str | None = None,
               viewer: Viewer | None = None) -> Answer:
        self._record("answer", question, history, unit, viewer)
        result: Answer = self.inner.answer(question, history, unit, viewer=viewer)
        self.answers.append(result)
        return result

    def stream(self, question: str, history: Sequence[Turn] = (), unit: str | None = None,
               viewer: Viewer | None = None) -> Iterator[str | Answer]:
        self._record("stream", question, history, unit, viewer)
        for item in self.inner.stream(question, history, unit, viewer=viewer):
            if isinstance(item, Answer):
                self.answers.append(item)
            yield item

    def chunk(self, chunk_id: str, viewer: Viewer | None = None) -> Any:
        self.button_viewers.append(viewer)
        return self.inner.chunk(chunk_id, viewer=viewer)

    def section(self, chunk_id: str, viewer: Viewer | None = None) -> Any:
        self.button_viewers.append(viewer)
        return self.inner.section(chunk_id, viewer=viewer)

    def __getattr__(self, name: str) -> Any:  # documents, units, example_questions
        return getattr(self.inner, name)


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A small REAL knowledge base: the seed article ingested with the hashing embedder."""
    embedder = pytest.importorskip("tests.fakes.embedder", reason="tests.fakes.embedder not available yet")
    bootstrap = pytest.importorskip("knowledge.services.compose")
    from knowledge.settings import KnowledgeSettings

    seed = next((p for p in SEED_PATHS if p.exists()), None)
    if seed is None:
        pytest.skip("seed article not found")
    settings = KnowledgeSettings(data_dir=tmp_path_factory.mktemp("kb") / "data")  # type: ignore[call-arg]
    services = bootstrap.build_services(settings, embeddings=embedder.HashEmbeddings())
    report = services.ingest.ingest_paths([seed])
    assert report.ok, report
    return services.engine


@dataclass
class Harness:
    """A running bot plus handles on everything around it."""

    fake: FakeTelegram
    app: Any
    engine: Any
    state: State
    settings: BotSettings
    services: BotServices

    async def send(self, user_id: int, text: str, *, timeout: float = 5.0) -> list[Call]:
        """Private message -> every sendMessage of the reply (the last one carries the buttons)."""
        since = self.fake.mark()
        self.fake.private_message(user_id, text)
        return await self.reply(user_id, since=since, timeout=timeout)

    async def reply(self, chat_id: int, *, since: int, timeout: float = 5.0) -> list[Call]:
        """Wait for an answer (its last message has an inline keyboard) and return its messages."""
        await self.fake.wait_for("sendMessage", lambda c: c.chat_id == chat_id and c.reply_markup is not None,
                                 timeout, since=since)
        return [c for c in self.fake.calls[since:] if c.method == "sendMessage" and c.chat_id == chat_id
                and "_error" not in c.params]

    async def first_message(self, chat_id: int, *, since: int, timeout: float = 5.0) -> Call:
        return await self.fake.wait_for("sendMessage", lambda c: c.chat_id == chat_id, timeout, since=since)


BotFactory = Callable[..., Awaitable[Harness]]


def bot_settings(fake: FakeTelegram, **overrides: Any) -> BotSettings:
    """The test bot's settings: pointed at the fake, fast retries, the standard people."""
    values: dict[str, Any] = {
        "token": fake.token,
        "api_base_url": fake.base_url,
        "api_file_url": fake.base_file_url,
        "admin_ids": frozenset({ADMIN}),
        "allowed_user_ids": frozenset({USER, OTHER_USER}),
        "allowed_chat_ids": frozenset({GROUP}),
        "stream_edit_interval_s": 0.1,
        "send_backoff_s": 0.05,
        "api_timeout_s": 2.0,
    }
    values.update(overrides)
    return BotSettings(_env_file=None, **values)  # type: ignore[call-arg]


async def start_app(settings: BotSettings, services: BotServices, state: State) -> Any:
    """Build and start a polling Application (what run_polling does, without blocking)."""
    app = build_application(settings, services, state=state)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=5, allowed_updates=ALLOWED_UPDATES)
    return app


async def stop_app(app: Any, fake: FakeTelegram) -> None:
    """Stop a polling Application (releasing the fake's long poll first, so nobody waits for it)."""
    await fake.release_polls()
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    fake.resume_polls()


@pytest.fixture
async def make_bot(tmp_path: Path) -> AsyncIterator[BotFactory]:
    """Start bots with custom engines/settings; everything is stopped at teardown.

    The bot's memory is a SQLite file under ``tmp_path`` (``state_path=`` to choose another).
    """
    running: list[Harness] = []
    fakes: list[FakeTelegram] = []

    async def factory(engine: Any | None = None, *, llm_streaming: bool = False, admin: Any | None = None,
                      fake: FakeTelegram | None = None, state_path: Path | None = None,
                      findings: Any | None = None, today: Callable[[], date] | None = None,
                      **overrides: Any) -> Harness:
        if fake is None:
            fake = await FakeTelegram().start()
            fakes.append(fake)
        settings = bot_settings(fake, **overrides)
        if engine is not None and isinstance(engine, RecordingEngine):
            recording = engine
        else:
            recording = RecordingEngine(engine if engine is not None else FakeEngine())
        services = BotServices(engine=recording, admin=admin, findings=findings, llm_streaming=llm_streaming)
        if today is not None:
            services.today = today
        state = State.open(state_path or tmp_path / f"state-{len(running)}.sqlite3",
                           history_turns=settings.history_turns, answers_kept=settings.answers_kept)
        app = await start_app(settings, services, state)
        harness = Harness(fake, app, recording, state, settings, services)
        running.append(harness)
        return harness

    yield factory
    for h in reversed(running):
        if h.app.running:
            await stop_app(h.app, h.fake)
        h.state.close()
    for fake in fakes:
        await fake.stop()


async def restart(make_bot: BotFactory, h: Harness) -> Harness:
    """Stop the Application and start a new one on the same data (state file, engine, admin, fake)."""
    await stop_app(h.app, h.fake)
    path = h.state.db.path
    h.state.close()
    overrides = {k: getattr(h.settings, k) for k in ("admin_ids", "allowed_user_ids", "allowed_chat_ids")}
    return await make_bot(h.engine, llm_streaming=h.services.llm_streaming, admin=h.services.admin, fake=h.fake,
                          state_path=Path(path), **overrides)


@pytest.fixture(params=["fake", "real"])
async def bot(request: pytest.FixtureRequest, make_bot: BotFactory) -> Harness:
    """The default bot, once with FakeEngine and once with a small real knowledge base."""
    if request.param == "real":
        return await make_bot(request.getfixturevalue("real_engine"))
    return await make_bot(FakeEngine())


@pytest.fixture
async def fake_bot(make_bot: BotFactory) -> Harness:
    """A bot on FakeEngine, for scenarios that need its scripted passages (sections, errors)."""
    return await make_bot(FakeEngine())
