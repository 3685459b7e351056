"""Composition root: settings -> knowledge services -> application -> run (polling or webhook)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from telegram.error import InvalidToken

from bot.app import ALLOWED_UPDATES, build_application
from bot.services import BotServices
from bot.settings import BotSettings
from knowledge.settings import KnowledgeSettings

_log = logging.getLogger("bot")


class RedactSecrets(logging.Filter):
    """Replace secrets in every record (message, arguments and traceback) before it is written."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[REDACTED]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        return True


def configure_logging(settings: BotSettings, level: int = logging.INFO) -> None:
    """Plain logs on stderr, httpx silenced, the token and webhook secret redacted everywhere."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    secrets = [settings.token.get_secret_value()]
    if settings.webhook_secret:
        secrets.append(settings.webhook_secret.get_secret_value())
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets(*secrets))
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def webhook_options(settings: BotSettings) -> dict[str, Any]:
    """How the webhook server listens: loopback by default, the secret always required (see BotSettings)."""
    assert settings.webhook_url and settings.webhook_secret, "BotSettings refuses a webhook without a secret"
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": settings.webhook_path,
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret.get_secret_value(),
        "allowed_updates": ALLOWED_UPDATES,
    }


def state_path(settings: BotSettings, kb_settings: KnowledgeSettings) -> Path:
    """Where the bot's SQLite memory lives: BOT_STATE_PATH, else the knowledge data dir."""
    from knowledge.state import STATE_FILE

    return settings.state_path or kb_settings.data_dir / STATE_FILE


def main(kb_settings: KnowledgeSettings | None = None) -> None:
    """Run the bot until interrupted (console script ``party-bot``).

    ``kb_settings`` comes from ``main.py`` (which may set the data dir); by default the
    knowledge settings are read from the environment.
    """
    try:
        settings = BotSettings()  # type: ignore[call-arg]  # token comes from the environment
    except ValidationError as exc:
        sys.exit(f"party-bot: invalid configuration:\n{settings_errors(exc, 'BOT_')}")
    configure_logging(settings)

    # Heavy imports (embeddings, Chroma) only now, never at import time.
    from knowledge.errors import KnowledgeError
    from knowledge.services.compose import build_services
    from knowledge.state import State

    try:
        kb_settings = kb_settings or KnowledgeSettings()
    except ValidationError as exc:
        sys.exit(f"party-bot: invalid configuration:\n{settings_errors(exc, 'KB_')}")
    knowledge = build_services(kb_settings)
    _log.info("loading the knowledge base (models, index)")
    try:
        knowledge.engine.warm_up()  # the first cadre's answer is as fast as the next one's
    except KnowledgeError as exc:
        sys.exit(f"party-bot: {exc.message}")
    admin = knowledge.admin  # preview, confirm, versions
    state = State.open(
        state_path(settings, kb_settings), history_turns=settings.history_turns, answers_kept=settings.answers_kept
    )
    services = BotServices(
        engine=knowledge.engine,
        admin=admin,
        findings=knowledge.findings,
        llm_streaming=kb_settings.llm_provider != "none",
    )
    application = build_application(settings, services, state=state)
    try:
        if settings.webhook_url:
            _log.info("starting webhook on %s:%s", settings.webhook_listen, settings.webhook_port)
            application.run_webhook(**webhook_options(settings))
        else:
            _log.info("starting long polling")
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        # python-telegram-bot's message and traceback hold the whole token: never print them
        sys.exit(
            f"party-bot: Telegram refused the token of bot {bot_id(settings)} (revoked, mistyped, or "
            "BOT_API_BASE_URL points elsewhere); set a valid BOT_TOKEN."
        )
    except Exception:
        _log.exception("the bot stopped on an error")  # through the redacting filter
        sys.exit(1)
    finally:
        state.close()


def bot_id(settings: BotSettings) -> str:
    """The public part of the token (the bot's numeric id): what may be shown of it."""
    return settings.token.get_secret_value().split(":", 1)[0]


def settings_errors(exc: ValidationError, prefix: str) -> str:
    """One line per invalid setting, naming it and what is wrong, never its value."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        name = prefix + "_".join(str(part) for part in error["loc"]).upper() if error["loc"] else f"{prefix}*"
        lines.append(f"  {name}: {error['msg']}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
