"""Per-user rate limit (sliding window, in memory): questions and button presses.

A user over the limit gets ONE notice per blocked period, saying when they may ask again;
further messages in that period are dropped silently (a notice per message would itself be
the flood). An answer that could not be produced or delivered gives its slot back.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check."""

    allowed: bool
    wait_s: float = 0.0  # seconds until the user may ask again (when not allowed)
    notify: bool = False  # True for the first refusal of a blocked period only


class UserRateLimiter:
    """Allow at most ``limit`` events per ``window_s`` seconds for each user."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: dict[int, deque[float]] = {}
        self._noticed_until: dict[int, float] = {}

    def check(self, user_id: int) -> Verdict:
        """Record an event when allowed; otherwise say how long to wait and whether to tell the user."""
        now = self._clock()
        events = self._events.setdefault(user_id, deque())
        while events and now - events[0] >= self.window_s:
            events.popleft()
        if len(events) < self.limit:
            events.append(now)
            return Verdict(True)
        free_at = events[0] + self.window_s
        notify = self._noticed_until.get(user_id, 0.0) <= now
        if notify:
            self._noticed_until[user_id] = free_at
        return Verdict(False, free_at - now, notify)

    def refund(self, user_id: int) -> None:
        """Give back the latest event (its answer failed, so it must not count)."""
        events = self._events.get(user_id)
        if events:
            events.pop()
