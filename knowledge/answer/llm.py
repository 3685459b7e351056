"""The optional LLM composer: grounded answers with citations, under a hard deadline.

Every failure becomes an ``LLMFailure`` carrying only a short reason code; the provider's
exception (which may hold URLs or server text) is chained for the logs and never shown. The
caller falls back to the extractive answer when it catches one.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from knowledge.answer.grounding import validate_answer
from knowledge.answer.prompts import DECLINE_MARKER, Passage, build_condense_messages, build_messages
from knowledge.errors import KnowledgeError
from knowledge.models import Turn
from knowledge.settings import KnowledgeSettings

logger = logging.getLogger(__name__)

Reason = Literal["timeout", "server_error", "invalid_citation", "ungrounded", "empty", "declined"]
T = TypeVar("T")

# Reasoning models (Qwen3, DeepSeek-R1 …) served through /v1 put their thoughts inline.
_THINK_RE = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_CONDENSE_PREFIX_RE = re.compile(
    r"^\s*(?:câu hỏi (?:độc lập|đã viết lại|viết lại)|câu hỏi|standalone question|question)\s*[:：]\s*", re.IGNORECASE
)
_QUOTES = "\"'“”‘’«»`*"


class LLMFailure(Exception):
    """The LLM could not give a usable answer; ``reason`` is a short code safe to log or show."""

    def __init__(self, reason: Reason, detail: str | None = None) -> None:
        super().__init__(reason if detail is None else f"{reason} ({detail})")
        self.reason: Reason = reason
        self.detail = detail  # a grounding code such as "unsupported_number", never provider text


@dataclass(frozen=True)
class ComposedAnswer:
    """A validated LLM answer; ``cited`` lists passage numbers in order of first use."""

    text: str
    cited: tuple[int, ...] = ()
    declined: bool = False


def build_chat_model(settings: KnowledgeSettings) -> BaseChatModel | None:
    """The configured chat model, or None when ``llm_provider`` is "none"."""
    provider = settings.llm_provider
    if provider == "none":
        return None
    if not settings.llm_base_url or not settings.llm_model:
        raise KnowledgeError(
            "Cấu hình LLM chưa đủ: cần đặt KB_LLM_BASE_URL và KB_LLM_MODEL (hoặc KB_LLM_PROVIDER=none).",
            english="LLM configuration incomplete: set KB_LLM_BASE_URL and KB_LLM_MODEL (or KB_LLM_PROVIDER=none).",
        )
    if provider == "openai":
        from langchain_openai import ChatOpenAI

        # Local servers ignore the key but the client refuses an empty one.
        api_key = settings.llm_api_key.get_secret_value() or "not-needed"
        # langchain-openai sends only ``max_completion_tokens``; llama.cpp, LM Studio and
        # Ollama's /v1 read the older ``max_tokens``, so other hosts get both.
        extra_body = None if "api.openai.com" in settings.llm_base_url else {"max_tokens": settings.llm_max_tokens}
        return ChatOpenAI(
            base_url=settings.llm_base_url,
            api_key=api_key,
            model=settings.llm_model,
            timeout=settings.llm_timeout_s,
            max_retries=0,
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            extra_body=extra_body,
        )
    if provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            temperature=settings.llm_temperature,
            num_predict=settings.llm_max_tokens,
            client_kwargs={"timeout": settings.llm_timeout_s},
        )
    raise KnowledgeError(
        f"Nhà cung cấp LLM không được hỗ trợ: {provider}", english=f"Unsupported LLM provider: {provider}"
    )


def _message_text(message: Any) -> str:
    text = getattr(message, "text", None)
    if isinstance(text, str):
        return text
    content = getattr(message, "content", "")
    return content if isinstance(content, str) else ""


def strip_reasoning(text: str) -> str:
    """Drop ``<think>…</think>`` blocks (an unclosed one hides everything after it)."""
    return _THINK_RE.sub("", text)


def _classify(exc: BaseException) -> Reason:
    """Map a provider or transport exception to a reason code without reading its message."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if isinstance(exc, TimeoutError) or names & {"APITimeoutError", "TimeoutException", "ReadTimeout"}:
        return "timeout"
    return "server_error"


class _Deadline:
    """Runs blocking calls in a daemon thread so a provider that ignores its timeout cannot hang us."""

    def __init__(self, seconds: float) -> None:
        self.expires = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.expires - time.monotonic()

    def call(self, fn: Callable[[], T]) -> T:
        box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

        def run() -> None:
            try:
                box.put((True, fn()))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                box.put((False, exc))

        threading.Thread(target=run, name="llm-call", daemon=True).start()
        try:
            ok, value = box.get(timeout=max(self.remaining(), 0.0))
        except queue.Empty:
            raise LLMFailure("timeout") from None
        if not ok:
            raise value
        return value

    def iterate(self, make: Callable[[], Iterator[T]]) -> Iterator[T]:
        """Items of ``make()`` produced in a daemon thread; LLMFailure("timeout") past the deadline."""
        box: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()

        def run() -> None:
            try:
                iterator = make()
                for item in iterator:
                    if stop.is_set():
                        close = getattr(iterator, "close", None)
                        if close:
                            close()
                        return
                    box.put(("item", item))
                box.put(("end", None))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                box.put(("error", exc))

        threading.Thread(target=run, name="llm-stream", daemon=True).start()
        try:
            while True:
                try:
                    kind, value = box.get(timeout=max(self.remaining(), 0.0))
                except queue.Empty:
                    raise LLMFailure("timeout") from None
                if kind == "end":
                    return
                if kind == "error":
                    raise value
                yield value
        finally:
            stop.set()


class LLMComposer:
    """Asks a chat model for a cited answer and accepts it only if it is grounded."""

    def __init__(self, chat_model: BaseChatModel, timeout_s: float) -> None:
        self.chat_model = chat_model
        self.timeout_s = timeout_s

    # -- answering -------------------------------------------------------------------------
    def compose(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> ComposedAnswer:
        """A validated answer, or LLMFailure (timeout, server_error, invalid_citation, ungrounded, empty)."""
        messages = build_messages(question, passages, history)
        reply = self._invoke(messages, _Deadline(self.timeout_s))
        return self.finish(_message_text(reply), passages)

    def stream(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Iterator[str]:
        """The growing answer text (accumulated, not deltas); validate the last one with ``finish``."""
        messages = build_messages(question, passages, history)
        deadline = _Deadline(self.timeout_s)
        raw = ""
        shown = ""
        try:
            for chunk in deadline.iterate(lambda: self.chat_model.stream(messages)):
                raw += _message_text(chunk)
                visible = strip_reasoning(raw).lstrip()
                if visible and visible != shown:
                    shown = visible
                    yield shown
        except LLMFailure:
            logger.warning("LLM stream timed out after %.1fs", self.timeout_s)
            raise
        except Exception as exc:
            raise self._failure(exc) from exc

    async def astream(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> AsyncIterator[str]:
        """``stream`` for an event loop: the same growing texts, cancelled cleanly at the deadline."""
        import asyncio

        messages = build_messages(question, passages, history)
        raw = ""
        shown = ""
        try:
            async with asyncio.timeout(self.timeout_s):
                async for chunk in self.chat_model.astream(messages):
                    raw += _message_text(chunk)
                    visible = strip_reasoning(raw).lstrip()
                    if visible and visible != shown:
                        shown = visible
                        yield shown
        except TimeoutError as exc:
            logger.warning("LLM stream timed out after %.1fs", self.timeout_s)
            raise LLMFailure("timeout") from exc
        except Exception as exc:
            raise self._failure(exc) from exc

    async def acompose(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> ComposedAnswer:
        """``compose`` for an event loop (the HTTP request is cancelled at the deadline)."""
        import asyncio

        messages = build_messages(question, passages, history)
        try:
            reply = await asyncio.wait_for(self.chat_model.ainvoke(messages), timeout=self.timeout_s)
        except TimeoutError as exc:
            logger.warning("LLM call timed out after %.1fs", self.timeout_s)
            raise LLMFailure("timeout") from exc
        except Exception as exc:
            raise self._failure(exc) from exc
        return self.finish(_message_text(reply), passages)

    def finish(self, text: str, passages: Sequence[Passage]) -> ComposedAnswer:
        """Validate a complete answer text; LLMFailure when it is empty, mis-cited or ungrounded."""
        text = strip_reasoning(text).strip()
        if not text:
            raise LLMFailure("empty")
        sources = {n: f"{header}\n{body}" for n, header, body in passages}
        result = validate_answer(text, sources)
        if result.declined:
            return ComposedAnswer(DECLINE_MARKER, (), declined=True)
        if not result.ok:
            reason: Reason = "invalid_citation" if result.reason == "invalid_citation" else "ungrounded"
            if result.reason == "empty":
                reason = "empty"
            logger.info("LLM answer rejected: %s", result.reason)
            raise LLMFailure(reason, result.reason)
        return ComposedAnswer(text, result.cited, declined=False)

    # -- follow-ups ------------------------------------------------------------------------
    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """A standalone version of a follow-up question; the original on any failure."""
        if not history:
            return question
        try:
            reply = self._invoke(build_condense_messages(question, history), _Deadline(self.timeout_s))
        except LLMFailure as exc:
            logger.info("condense failed (%s); using the original question", exc.reason)
            return question
        return clean_condensed(_message_text(reply), question)

    # -- internals -------------------------------------------------------------------------
    def _invoke(self, messages: list[BaseMessage], deadline: _Deadline) -> Any:
        try:
            return deadline.call(lambda: self.chat_model.invoke(messages))
        except LLMFailure:
            logger.warning("LLM call timed out after %.1fs", self.timeout_s)
            raise
        except Exception as exc:
            raise self._failure(exc) from exc

    @staticmethod
    def _failure(exc: BaseException) -> LLMFailure:
        reason = _classify(exc)
        # The type name is enough to tell causes apart; the message may carry URLs or server text.
        logger.warning("LLM call failed: %s (%s)", reason, type(exc).__name__)
        return LLMFailure(reason)


def clean_condensed(text: str, original: str) -> str:
    """The rewritten question without reasoning, labels or quotes; ``original`` if unusable."""
    text = strip_reasoning(text)
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = _CONDENSE_PREFIX_RE.sub("", line).strip().strip(_QUOTES).strip()
    if not line or DECLINE_MARKER in line or len(line) > max(300, 4 * len(original)):
        return original
    return line
