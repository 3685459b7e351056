"""build_application(settings, services, state) -> a configured python-telegram-bot Application."""

from __future__ import annotations

import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
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
from bot.access import gate, startup_warning
from bot.context import BotContext
from bot.handlers import admin, ask, docs, errors, feedback, media, people, report, start, units, versions
from bot.ratelimit import UserRateLimiter
from bot.retry import RetryingRateLimiter
from bot.services import BotServices
from bot.settings import BotSettings
from bot.state import DeniedNotices
from knowledge.state import State

# edited_message: an edited question is answered again
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
_log = logging.getLogger("bot")


def _button(callback: Any, action: str) -> CallbackQueryHandler[Any, Any]:
    return CallbackQueryHandler(callback, pattern=keyboards.pattern(action))


def handler_table() -> list[tuple[int, BaseHandler[Any, Any, Any]]]:
    """Every handler, in one place. Group -1 (the gate) runs before everything else.

    Within group 0 the first match wins, so the catch-alls (unknown command, not text) come last.
    """
    new = filters.UpdateType.MESSAGE
    edited = filters.UpdateType.EDITED_MESSAGE
    return [
        (-1, TypeHandler(Update, gate)),
        (0, CommandHandler("start", start.start)),
        (0, CommandHandler("help", start.help_command)),
        (0, CommandHandler("moi", start.new_conversation)),
        (0, CommandHandler("donvi", units.set_unit)),
        (0, CommandHandler("tailieu", docs.list_documents)),
        (0, CommandHandler("nguoidung", people.manage)),
        (0, CommandHandler("thongke", report.stats)),
        (0, CommandHandler("danhgia", report.downvoted)),
        (0, CommandHandler("xuat", report.export)),
        (0, MessageHandler(new & filters.TEXT & ~filters.COMMAND, ask.ask)),
        (0, MessageHandler(edited & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND, ask.ask_edited)),
        (0, MessageHandler(new & filters.Document.ALL, admin.document)),
        (0, MessageHandler(new & filters.CAPTION, ask.ask_caption)),
        (0, MessageHandler(new & filters.COMMAND, media.unknown_command)),
        (0, MessageHandler(new & ~filters.TEXT & ~filters.StatusUpdate.ALL, media.not_text)),
        (0, _button(docs.show_sources, keyboards.SOURCES)),
        (0, _button(docs.show_section, keyboards.SECTION)),
        (0, _button(feedback.vote, keyboards.VOTE)),
        (0, _button(units.choose_unit, keyboards.UNIT)),
        (0, _button(admin.decide, keyboards.PREVIEW)),
        (0, _button(versions.show_versions, keyboards.VERSIONS)),
        (0, _button(versions.ask_restore, keyboards.RESTORE_ASK)),
        (0, _button(versions.restore, keyboards.RESTORE)),
        (0, _button(versions.ask_delete, keyboards.DELETE_ASK)),
        (0, _button(versions.delete, keyboards.DELETE)),
        (0, _button(versions.close, keyboards.CLOSE)),
    ]


def silence_http_logs() -> None:
    """httpx/httpcore log request URLs at INFO, and Bot API URLs contain the token."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    public = [BotCommand(c, d) for c, d in texts.COMMANDS]
    await application.bot.set_my_commands(public)
    state: State = application.bot_data[ctx.STATE]
    everyone = public + [BotCommand(c, d) for c, d in texts.ADMIN_COMMANDS]
    for person in state.people.people():
        if person.role == "admin":  # admins see their commands in the menu (best effort)
            with contextlib.suppress(TelegramError):
                await application.bot.set_my_commands(everyone, scope=BotCommandScopeChat(person.user_id))


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    pool: ThreadPoolExecutor = application.bot_data[ctx.ENGINE_POOL]
    pool.shutdown(wait=False, cancel_futures=True)


def build_application(
    settings: BotSettings, services: BotServices, *, state: State | None = None
) -> Application[Any, BotContext, Any, Any, Any, Any]:
    """Wire settings, services, state and the handler table into an Application (nothing runs yet).

    ``state`` is the SQLite memory in the data dir; without one the bot remembers in memory only.
    """
    silence_http_logs()
    state = state or State.open(":memory:", history_turns=settings.history_turns, answers_kept=settings.answers_kept)
    state.people.seed(admins=settings.admin_ids, users=settings.allowed_user_ids, chats=settings.allowed_chat_ids)
    warning = startup_warning(state.people)
    if warning:
        _log.warning(warning)
    limiter = RetryingRateLimiter(
        retries=settings.send_retries,
        backoff_s=settings.send_backoff_s,
        overall_max_rate=settings.flood_overall_per_s,
        overall_time_period=1,
        group_max_rate=settings.flood_group_per_min,
        group_time_period=60,
        max_retries=settings.flood_max_retries,
    )
    timeout = settings.api_timeout_s
    application = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(True)
        .rate_limiter(limiter)
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .pool_timeout(timeout)
        .connection_pool_size(settings.api_connections)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.update(
        {
            ctx.SERVICES: services,
            ctx.SETTINGS: settings,
            ctx.STATE: state,
            ctx.DENIED: DeniedNotices(settings.denied_notice_cooldown_s),
            ctx.LIMITER: UserRateLimiter(settings.user_rate_limit, settings.user_rate_window_s),
            ctx.ENGINE_POOL: ThreadPoolExecutor(settings.engine_threads, thread_name_prefix="engine"),
        }
    )
    for group, handler in handler_table():
        application.add_handler(handler, group=group)
    application.add_error_handler(errors.on_error)
    return application
