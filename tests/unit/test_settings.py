"""Settings: .env.example works as a .env file as it stands; blank means "use the default"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import BotSettings
from knowledge.settings import KnowledgeSettings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.example"


@pytest.fixture()
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith(("KB_", "BOT_")):
            monkeypatch.delenv(key)


def _keys(text: str) -> set[str]:
    return {line.split("=", 1)[0] for line in text.splitlines() if "=" in line and not line.startswith("#")}


def test_env_example_lists_every_setting() -> None:
    keys = _keys(EXAMPLE.read_text(encoding="utf-8"))
    expected = {f"KB_{name.upper()}" for name in KnowledgeSettings.model_fields}
    expected |= {f"BOT_{name.upper()}" for name in BotSettings.model_fields}
    assert keys == expected


def test_env_example_loads_as_the_defaults(clean_env) -> None:
    from_file = KnowledgeSettings(_env_file=EXAMPLE)  # type: ignore[call-arg]
    assert from_file.model_dump() == KnowledgeSettings(_env_file=None).model_dump()  # type: ignore[call-arg]
    assert from_file.embedding_threads is None and from_file.models_path is None
    assert from_file.query_prompt is None  # blank: the model's own prompt, not an empty one
    bot = BotSettings(_env_file=EXAMPLE, token="123:abc")  # type: ignore[call-arg]
    defaults = BotSettings(_env_file=None, token="123:abc")  # type: ignore[call-arg]
    assert bot.model_dump() == defaults.model_dump()
    assert bot.state_path is None and bot.webhook_url is None


def test_blank_values_mean_unset_but_a_blank_token_is_still_missing(clean_env, monkeypatch) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("KB_EMBEDDING_THREADS", "")
    monkeypatch.setenv("KB_CHROMA_PORT", " ")
    monkeypatch.setenv("KB_GLOSSARY_PATH", "")
    s = KnowledgeSettings(_env_file=None)  # type: ignore[call-arg]
    assert (s.embedding_threads, s.chroma_port, s.glossary_path) == (None, 8000, None)
    monkeypatch.setenv("BOT_TOKEN", "")
    with pytest.raises(ValidationError):
        BotSettings(_env_file=None)  # type: ignore[call-arg]


def test_main_starts_the_bot_only_with_a_token(clean_env, monkeypatch, tmp_path: Path) -> None:
    from main import bot_token_configured

    monkeypatch.chdir(tmp_path)  # no .env here
    assert not bot_token_configured()
    (tmp_path / ".env").write_text("BOT_TOKEN=123:abc\n", encoding="utf-8")
    assert bot_token_configured()  # read from .env, as the bot itself does
    (tmp_path / ".env").write_text("BOT_TOKEN=\n", encoding="utf-8")
    assert not bot_token_configured()
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv("BOT_WEBHOOK_URL", "http://not-https.example")
    assert bot_token_configured()  # the bot starts and says what is wrong with the rest
