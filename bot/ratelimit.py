"""Per-user question rate limit (sliding window, in memory)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class UserRateLimiter:
    """Allow at most ``limit`` events per ``window_s`` seconds for each user."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: dict[int, deque[float]] = {}

    def check(self, user_id: int) -> float:
        """Record an event and return 0, or return the seconds to wait (nothing recorded)."""
        now = self._clock()
        events = self._events.setdefault(user_id, deque())
        while events and now - events[0] >= self.window_s:
            events.popleft()
        if len(events) >= self.limit:
            return self.window_s - (now - events[0])
        events.append(now)
        return 0.0
