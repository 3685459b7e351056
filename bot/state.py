"""What the bot keeps only in memory: when each refused user was last told they are refused.

Everything worth keeping across restarts (roles, units, history, answers, previews, audit)
lives in ``knowledge.state.State`` (SQLite in the data dir).
"""

from __future__ import annotations

import time
from collections.abc import Callable


class DeniedNotices:
    """At most one refusal message per user per cooldown, so refusals cannot be used to flood."""

    def __init__(self, cooldown_s: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._at: dict[int, float] = {}

    def should_notify(self, user_id: int) -> bool:
        """True at most once per cooldown per user."""
        now = self._clock()
        last = self._at.get(user_id)
        if last is not None and now - last < self.cooldown_s:
            return False
        self._at[user_id] = now
        return True
