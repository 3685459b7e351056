"""BotSettings: every knob of the Telegram front end (BOT_ prefix)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from knowledge.settings import EnvSettings

TELEGRAM_API_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"

IdList = Annotated[frozenset[int], NoDecode]


class BotSettings(EnvSettings):
    """Configuration read from the environment (``BOT_*``) or a ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")

    token: SecretStr = Field(description="The token BotFather gave you")
    api_base_url: str = Field(TELEGRAM_API_URL, description="Bot API base URL (the token is appended)")
    api_file_url: str = Field(TELEGRAM_FILE_URL, description="Bot API file URL (the token is appended)")

    # Who is answered. Secure by default: nobody but the admins until you allow users or chats.
    # These lists seed the roles table; admins then manage people from Telegram (/nguoidung).
    admin_ids: IdList = frozenset()
    allowed_user_ids: IdList = frozenset()
    allowed_chat_ids: IdList = frozenset()
    denied_notice_cooldown_s: float = Field(600.0, ge=0, description="At most one refusal per user in this window")

    # Webhook mode (polling when webhook_url is empty): a secret is required, loopback by default
    webhook_url: str | None = Field(None, description="Public HTTPS URL Telegram posts updates to")
    webhook_listen: str = Field("127.0.0.1", description="Address the webhook server binds to (behind a proxy)")
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = Field(None, description="Checked against X-Telegram-Bot-Api-Secret-Token")

    # Per-user question rate limit (sliding window)
    user_rate_limit: int = Field(6, ge=1, description="Questions a user may ask per window")
    user_rate_window_s: float = Field(60.0, gt=0)

    # Telegram flood limits (PTB's AIORateLimiter); RetryAfter is honoured up to max retries
    flood_overall_per_s: float = Field(30.0, gt=0)
    flood_group_per_min: float = Field(20.0, gt=0)
    flood_max_retries: int = Field(3, ge=0)

    # Telegram errors: 5xx and timeouts are retried with exponential backoff (1x, 2x, 4x … the base)
    send_retries: int = Field(4, ge=0, le=10, description="Retries of a failed Bot API call (5xx, timeout)")
    send_backoff_s: float = Field(0.5, gt=0, le=30, description="First retry delay; doubles each time")
    api_timeout_s: float = Field(10.0, gt=0, le=120, description="Connect/read/write timeout of a Bot API call")
    # httpx's pool scans every connection per request: PTB's 256 cost a third of the throughput under load
    api_connections: int = Field(32, ge=1, le=256, description="Simultaneous connections to the Bot API")

    # Conversation
    history_turns: int = Field(4, ge=0, description="Previous turns passed to the engine for follow-ups")
    group_long_answer_chars: int = Field(1200, ge=200, description="Longer answers in groups go to private chat")
    stream_edit_interval_s: float = Field(1.0, ge=0.1, description="Minimum time between streamed edits")
    answers_kept: int = Field(2000, ge=10, description="Recent answers kept for buttons and deep links")
    engine_threads: int = Field(16, ge=1, le=256, description="Questions answered at once (a stuck LLM holds one)")

    # Document upload by admins (the Bot API download limit is 20 MB)
    max_upload_mb: float = Field(20.0, gt=0, le=20.0)

    state_path: Path | None = Field(
        None, description="SQLite file for roles, conversations, audit log and votes (default: KB data dir)"
    )

    @field_validator("admin_ids", "allowed_user_ids", "allowed_chat_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        """Accept "1, 2 ,3", a JSON-ish "[1,2]", a single int, or any iterable of ints."""
        if value is None:
            return frozenset()
        if isinstance(value, int):
            return frozenset({value})
        if isinstance(value, str):
            parts = value.strip().strip("[]").replace(";", ",").replace(" ", ",").split(",")
            return frozenset(int(p) for p in (s.strip() for s in parts) if p)
        return value

    @field_validator("token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("BOT_TOKEN is empty: paste the token BotFather gave you")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_https(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme != "https":
            raise ValueError("BOT_WEBHOOK_URL must be an https:// URL (Telegram only calls HTTPS webhooks)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("BOT_WEBHOOK_SECRET may hold only letters, digits, _ and - (1-256 characters)")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> BotSettings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError(
                "BOT_WEBHOOK_URL is set but BOT_WEBHOOK_SECRET is empty: a webhook without a secret accepts "
                "forged updates from anyone who finds the URL. Set BOT_WEBHOOK_SECRET (letters, digits, _ and -)."
            )
        return self

    @property
    def webhook_path(self) -> str:
        """The path part of the webhook URL, which the local server listens on."""
        return urlsplit(self.webhook_url or "").path.strip("/")
