"""A scripted LangChain chat model for unit tests: no network, deterministic replies.

Each call takes the next script entry: a string (the reply), an exception (raised), or a
callable ``messages -> str``. Calls are recorded, so tests can assert what the model was sent.

    model = ScriptedChatModel(script=["Đoàn kiểm tra đã kiểm tra 04 đảng ủy cơ sở [1]."])
    LLMComposer(model, timeout_s=2).compose(question, passages)
    assert "04 đảng ủy" in model.calls[0][-1].content
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

ScriptEntry = str | BaseException | Callable[[list[BaseMessage]], str]


class ScriptedChatModel(BaseChatModel):
    """Replies from a script; ``delay_s`` sleeps before replying (to exercise deadlines)."""

    script: list[Any] = Field(default_factory=list)
    default: str | None = None  # used when the script runs out; None -> raise
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0
    calls: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def _next_text(self, messages: list[BaseMessage]) -> str:
        self.calls.append(list(messages))
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.script:
            entry = self.script.pop(0)
        elif self.default is not None:
            entry = self.default
        else:
            raise AssertionError("ScriptedChatModel: script exhausted")
        if isinstance(entry, BaseException):
            raise entry
        return entry(messages) if callable(entry) else str(entry)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._next_text(messages)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        text = self._next_text(messages)
        for piece in (p for p in re.split(r"(\s+)", text) if p):
            if self.chunk_delay_s:
                time.sleep(self.chunk_delay_s)
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
