"""Webhook mode: the real webhook server, updates posted with and without the secret, re-posted updates."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main, webhook_options
from bot.app import ALLOWED_UPDATES, build_application
from bot.services import BotServices
from knowledge.state import State
from tests.e2e.conftest import USER, bot_settings
from tests.e2e.test_bot import Q_DIACRITICS
from tests.fakes.engine import FakeEngine
from tests.fakes.telegram_server import FakeTelegram, post_webhook

SECRET = "s3cret-Webhook_token"
PUBLIC_URL = "https://bot.example.vn/telegram/hook"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def webhook_bot(tmp_path: Path) -> AsyncIterator[tuple[FakeTelegram, str, Any]]:
    """A bot serving the real PTB webhook server on 127.0.0.1 (the fake Bot API behind it)."""
    fake = await FakeTelegram().start()
    settings = bot_settings(fake, webhook_url=PUBLIC_URL, webhook_secret=SECRET, webhook_port=free_port())
    options = webhook_options(settings)
    assert options["listen"] == "127.0.0.1"  # loopback unless told otherwise
    state = State.open(tmp_path / "state.sqlite3")
    app = build_application(settings, BotServices(engine=FakeEngine()), state=state)
    await app.initialize()
    await app.start()
    await app.updater.start_webhook(**options)
    url = f"http://127.0.0.1:{settings.webhook_port}/{settings.webhook_path}"
    yield fake, url, app
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    state.close()
    await fake.stop()


async def test_webhook_rejects_updates_without_the_secret(webhook_bot: tuple[FakeTelegram, str, Any]) -> None:
    fake, url, _ = webhook_bot
    assert fake.webhook is not None and fake.webhook["url"] == PUBLIC_URL
    assert fake.webhook["secret_token"] == SECRET and fake.webhook["allowed_updates"] == ALLOWED_UPDATES

    forged = fake.private_message(USER, Q_DIACRITICS)
    assert await post_webhook(url, forged) == 403
    assert await post_webhook(url, forged, secret="wrong") == 403
    await asyncio.sleep(0.3)
    assert not fake.calls_of("sendMessage")  # nothing answered, nothing leaked

    since = fake.mark()
    update = fake.private_message(USER, Q_DIACRITICS)
    assert await post_webhook(url, update, secret=SECRET) == 200
    answer = await fake.wait_for("sendMessage", lambda c: c.reply_markup is not None, since=since)
    assert "phường Cự Khối" in answer.text

    assert await post_webhook(url, update, secret=SECRET) == 200  # Telegram retries a delivery it doubted
    await asyncio.sleep(0.3)
    assert len([c for c in fake.calls_of("sendMessage", USER) if c.reply_markup]) == 1  # answered once


def test_bot_refuses_to_start_a_webhook_without_a_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for key in ("BOT_WEBHOOK_SECRET", "BOT_WEBHOOK_LISTEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv("BOT_WEBHOOK_URL", PUBLIC_URL)
    with pytest.raises(SystemExit) as exc:
        main()
    assert "BOT_WEBHOOK_SECRET" in str(exc.value)
