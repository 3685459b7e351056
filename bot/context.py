"""Typed CallbackContext: handlers read ``context.services`` / ``context.settings`` / ``context.state``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.access import AccessPolicy
    from bot.ratelimit import UserRateLimiter
    from bot.services import BotServices
    from bot.settings import BotSettings
    from bot.state import BotState

SERVICES = "services"
SETTINGS = "settings"
STATE = "state"
POLICY = "policy"
LIMITER = "limiter"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[str, Any]]):
    """The context every handler receives; everything comes from ``bot_data``."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def services(self) -> BotServices:
        return self.bot_data[SERVICES]  # type: ignore[no-any-return]

    @property
    def settings(self) -> BotSettings:
        return self.bot_data[SETTINGS]  # type: ignore[no-any-return]

    @property
    def state(self) -> BotState:
        return self.bot_data[STATE]  # type: ignore[no-any-return]

    @property
    def policy(self) -> AccessPolicy:
        return self.bot_data[POLICY]  # type: ignore[no-any-return]

    @property
    def limiter(self) -> UserRateLimiter:
        return self.bot_data[LIMITER]  # type: ignore[no-any-return]
