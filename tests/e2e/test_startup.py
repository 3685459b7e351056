"""Starting the bot: a refused token and a bad setting are reported without printing any secret."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.conftest import ROOT, TEST_CACHE
from tests.fakes.telegram_server import FakeTelegram

SECRET_PART = "ZZthe-secret-part-of-the-tokenZZ"
TOKEN = f"987654321:{SECRET_PART}"


async def _run_bot(env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=str(ROOT), env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=600)  # a bound on a hang, not a timing check
    return proc.returncode or 0, (out + err).decode("utf-8", "replace")


async def test_a_refused_token_is_reported_by_the_bot_id_only(tmp_path: Path) -> None:
    fake = await FakeTelegram().start()  # it accepts its own token only: ours gets 401, as a revoked one would
    try:
        code, output = await _run_bot({
            "BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": fake.base_url, "KB_DATA_DIR": str(tmp_path / "data"),
            "KB_MODELS_PATH": str(TEST_CACHE / "models"),
        })
    finally:
        await fake.stop()
    assert code != 0
    assert "987654321" in output and "refused the token" in output
    assert SECRET_PART not in output


async def test_a_bad_setting_is_named_never_echoed(tmp_path: Path) -> None:
    secret = "not allowed: spaces and colons"
    code, output = await _run_bot({
        "BOT_TOKEN": TOKEN, "BOT_WEBHOOK_URL": "https://bot.example.org/hook", "BOT_WEBHOOK_SECRET": secret,
        "KB_DATA_DIR": str(tmp_path / "data"),
    })
    assert code != 0 and "BOT_WEBHOOK_SECRET" in output
    assert secret not in output and SECRET_PART not in output
