"""Bot API calls that survive Telegram's bad moments: flood limits, 5xx and timeouts.

PTB's ``AIORateLimiter`` keeps under Telegram's flood limits and honours 429 ``retry_after``.
This subclass also retries server errors (5xx) and network failures (timeouts, refused
connections) with exponential backoff and jitter, so one 502 no longer loses an answer. Chat
actions ("typing…") bypass both: they are not messages and not worth a delay.

A 4xx other than 429 is never retried: the request itself is wrong and would fail again.
Edits are idempotent (a repeated edit is "message is not modified", which the handlers treat as
success). A sendMessage whose *response* was lost after Telegram delivered it cannot be told
apart from one that never arrived — the Bot API has no idempotency key — so in that rare case
(a read timeout, not a 5xx) the retry may show the message twice; a long ``api_timeout_s``
keeps slow-but-successful calls from becoming that case.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

_log = logging.getLogger(__name__)

# "typing…" is a nicety and not a message: it neither waits for the flood limiter (under load it
# would halve the answers per second) nor is retried
NOT_LIMITED = frozenset({"sendChatAction"})


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter that also retries 5xx and network errors with exponential backoff."""

    def __init__(self, *, retries: int = 4, backoff_s: float = 0.5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retries = retries
        self.backoff_s = backoff_s
        self.retried = 0  # how many calls needed a retry (for logs and benchmarks)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint in NOT_LIMITED:  # not a message: never queued behind answers, never retried
            return await callback(*args, **kwargs)
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as exc:  # 5xx, 502, timeouts, connection errors
                if attempt >= self.retries:
                    raise
                delay = self.backoff_s * 2**attempt * random.uniform(0.8, 1.2)  # noqa: S311  # jitter only
                attempt += 1
                self.retried += 1
                _log.warning("%s failed (%s); retry %d of %d in %.1f s", endpoint, exc, attempt, self.retries, delay)
                await asyncio.sleep(delay)
