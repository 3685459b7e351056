"""build_application(settings, services) -> a configured python-telegram-bot Application."""

from __future__ import annotations

import logging
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import context as ctx
from bot import keyboards, texts
from bot.access import AccessPolicy, gate
from bot.context import BotContext
from bot.handlers import admin, ask, docs, errors, feedback, start, units
from bot.ratelimit import UserRateLimiter
from bot.services import BotServices
from bot.settings import BotSettings
from bot.state import BotState

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def handler_table() -> list[tuple[int, BaseHandler[Any, Any, Any]]]:
    """Every handler, in one place. Group -1 (the gate) runs before everything else."""
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    return [
        (-1, TypeHandler(Update, gate)),
        (0, CommandHandler("start", start.start)),
        (0, CommandHandler("help", start.help_command)),
        (0, CommandHandler("moi", start.new_conversation)),
        (0, CommandHandler("donvi", units.set_unit)),
        (0, CommandHandler("tailieu", docs.list_documents)),
        (0, MessageHandler(text, ask.ask)),
        (0, MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL & filters.ChatType.PRIVATE, admin.upload)),
        (0, CallbackQueryHandler(docs.show_sources, pattern=keyboards.pattern(keyboards.SOURCES))),
        (0, CallbackQueryHandler(docs.show_section, pattern=keyboards.pattern(keyboards.SECTION))),
        (0, CallbackQueryHandler(feedback.vote, pattern=keyboards.pattern(keyboards.VOTE))),
        (0, CallbackQueryHandler(units.choose_unit, pattern=keyboards.pattern(keyboards.UNIT))),
    ]


def silence_http_logs() -> None:
    """httpx/httpcore log request URLs at INFO, and Bot API URLs contain the token."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await application.bot.set_my_commands(list(texts.COMMANDS))


def build_application(
    settings: BotSettings, services: BotServices, *, state: BotState | None = None
) -> Application[Any, BotContext, Any, Any, Any, Any]:
    """Wire settings, services and the handler table into an Application (nothing runs yet)."""
    silence_http_logs()
    limiter = AIORateLimiter(
        overall_max_rate=settings.flood_overall_per_s,
        overall_time_period=1,
        group_max_rate=settings.flood_group_per_min,
        group_time_period=60,
        max_retries=settings.flood_max_retries,
    )
    application = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(True)
        .rate_limiter(limiter)
        .post_init(_post_init)
        .build()
    )
    application.bot_data.update(
        {
            ctx.SERVICES: services,
            ctx.SETTINGS: settings,
            ctx.STATE: state
            or BotState(
                history_turns=settings.history_turns,
                answers_kept=settings.answers_kept,
                denied_cooldown_s=settings.denied_notice_cooldown_s,
            ),
            ctx.POLICY: AccessPolicy.from_settings(settings),
            ctx.LIMITER: UserRateLimiter(settings.user_rate_limit, settings.user_rate_window_s),
        }
    )
    for group, handler in handler_table():
        application.add_handler(handler, group=group)
    application.add_error_handler(errors.on_error)
    return application
