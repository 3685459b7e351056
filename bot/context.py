"""Typed CallbackContext: handlers read ``context.services``, ``context.settings``, ``context.people``…"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.ratelimit import UserRateLimiter
    from bot.services import BotServices
    from bot.settings import BotSettings
    from bot.state import DeniedNotices
    from knowledge.state import State
    from knowledge.state.audit import AuditLog
    from knowledge.state.memory import Conversations
    from knowledge.state.people import People

SERVICES = "services"
SETTINGS = "settings"
STATE = "state"
DENIED = "denied"
LIMITER = "limiter"
ENGINE_POOL = "engine_pool"


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
    def state(self) -> State:
        return self.bot_data[STATE]  # type: ignore[no-any-return]

    @property
    def people(self) -> People:
        """Roles, allowed groups and units (SQLite)."""
        return self.state.people

    @property
    def memory(self) -> Conversations:
        """History, recent answers, previews (SQLite)."""
        return self.state.memory

    @property
    def audit(self) -> AuditLog:
        """Questions, answers, votes, admin actions (SQLite)."""
        return self.state.audit

    @property
    def denied(self) -> DeniedNotices:
        return self.bot_data[DENIED]  # type: ignore[no-any-return]

    @property
    def limiter(self) -> UserRateLimiter:
        return self.bot_data[LIMITER]  # type: ignore[no-any-return]

    @property
    def engine_pool(self) -> ThreadPoolExecutor:
        """Threads reserved for the answer engine, so a stuck LLM call never starves the rest."""
        return self.bot_data[ENGINE_POOL]  # type: ignore[no-any-return]
