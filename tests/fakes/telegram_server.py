"""FakeTelegram: an in-process Bot API on 127.0.0.1 for driving the real PTB Application.

It answers the methods the bot uses, validates what Telegram would reject (HTML that does not
parse, messages over 4,096 characters, callback_data over 64 bytes), records every call, injects
updates (private and group messages, mentions, replies to the bot, button presses, documents,
stickers, voice, locations, photos with captions, edited messages, the same update delivered
twice) and injects faults (429 with ``retry_after``, 5xx, slow responses, requests that hang
until the client times out and are then lost, a random share of failing calls). It knows who is
a member of which group (``getChatMember``) and accepts ``setWebhook``.

    fake = FakeTelegram()
    await fake.start()
    builder.base_url(fake.base_url).base_file_url(fake.base_file_url)
    fake.private_message(42, "xin chào")
    call = await fake.wait_for("sendMessage", lambda c: c.chat_id == 42)
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

DEFAULT_TOKEN = "123456789:TEST-token_for-the-fake-bot-api"
BOT_ID = 123456789
BOT_USERNAME = "party_docs_bot"

_STRING_FIELDS = frozenset(
    {"text", "caption", "callback_query_id", "file_id", "parse_mode", "action", "url", "secret_token",
     "description", "short_description", "name", "inline_message_id", "emoji", "business_connection_id"}
)
_ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
     "pre", "blockquote", "tg-emoji"}
)
_HTML_TOKEN_RE = re.compile(r"<[^<>]*>|&[^;\s<&]*;?|[^<&]+|[<&]")
_TAG_RE = re.compile(r"^<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>$")
_ENTITY_RE = re.compile(r"^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);$")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """Telegram's HTML parse mode: return the plain text, or raise ValueError like the API."""
    stack: list[str] = []
    plain: list[str] = []
    for tok in _HTML_TOKEN_RE.findall(text):
        if tok.startswith("<"):
            m = _TAG_RE.match(tok)
            if not m:
                raise ValueError(f"Unsupported start tag \"{tok[:20]}\"")
            closing, name = m.group(1), m.group(2).lower()
            if name not in _ALLOWED_TAGS:
                raise ValueError(f"Unsupported start tag \"{name}\"")
            if closing:
                if not stack or stack[-1] != name:
                    raise ValueError(f"Unmatched end tag \"{name}\"")
                stack.pop()
            else:
                stack.append(name)
        elif tok.startswith("&"):
            if not _ENTITY_RE.match(tok):
                raise ValueError("Character entity expected")
            plain.append(html.unescape(tok))
        else:
            plain.append(tok)
    if stack:
        raise ValueError(f"Can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return "".join(plain)


@dataclass
class Call:
    """One Bot API request the bot made."""

    method: str
    params: dict[str, Any]
    at: float
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.params.get("reply_markup")

    def button_texts(self) -> list[str]:
        markup = self.reply_markup or {}
        return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Fault:
    status: int = 429
    retry_after: int | None = None
    delay: float = 0.0
    description: str | None = None


class FakeTelegram:
    """The fake Bot API server. Use ``async with FakeTelegram() as fake`` or start()/stop()."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, bot_id: int = BOT_ID, bot_username: str = BOT_USERNAME):
        self.token = token
        self.bot = {"id": bot_id, "is_bot": True, "first_name": "Trợ lý văn bản", "username": bot_username,
                    "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # every message, by (chat, id)
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, data)
        self.injected_at: dict[int, float] = {}
        self.delivered_at: dict[int, float] = {}
        self._delivered: set[int] = set()
        self.confirmed_offset = 0
        self._updates: list[dict[str, Any]] = []
        self._forced: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._faults: dict[str, list[Fault]] = {}
        self._flaky: dict[str, tuple[float, int, random.Random]] = {}
        self.members: dict[int, set[int]] = {}  # group id -> user ids (senders join automatically)
        self.webhook: dict[str, Any] | None = None
        self._changed = asyncio.Condition()
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # lifecycle ------------------------------------------------------------------------------
    async def start(self) -> Self:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]
        return self

    async def release_polls(self) -> None:
        """Make every waiting and future getUpdates return at once (call before stopping a bot)."""
        self._stopping = True
        async with self._changed:
            self._changed.notify_all()

    def resume_polls(self) -> None:
        """Long polls wait again (after ``release_polls``, when another bot is started on this fake)."""
        self._stopping = False

    async def stop(self) -> None:
        await self.release_polls()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # faults -----------------------------------------------------------------------------------
    def fail(self, method: str, times: int = 1, *, status: int = 429, retry_after: int | None = 1,
             description: str | None = None) -> None:
        """The next ``times`` calls of ``method`` fail (429 carries ``parameters.retry_after``)."""
        if status != 429:
            retry_after = None
        self._faults.setdefault(method, []).extend(
            Fault(status=status, retry_after=retry_after, description=description) for _ in range(times)
        )

    def slow(self, method: str, seconds: float, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` take ``seconds`` longer (then succeed)."""
        self._faults.setdefault(method, []).extend(Fault(status=200, delay=seconds) for _ in range(times))

    def hang(self, method: str, seconds: float, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` hang for ``seconds`` and are then dropped (504, nothing done).

        With ``seconds`` above the client's read timeout this is a lost request: the client sees a
        timeout and the message was never sent.
        """
        self._faults.setdefault(method, []).extend(
            Fault(status=504, delay=seconds, description="Gateway Timeout") for _ in range(times)
        )

    def flaky(self, method: str, probability: float, *, status: int = 500, seed: int = 0) -> None:
        """From now on, each call of ``method`` fails with ``status`` with this probability (0 stops it)."""
        if probability <= 0:
            self._flaky.pop(method, None)
        else:
            self._flaky[method] = (probability, status, random.Random(seed))

    def faults_injected(self, method: str | None = None) -> int:
        """How many calls (of ``method``) were answered with an injected error."""
        return sum(1 for c in self.calls if "_fault" in c.params and (method is None or c.method == method))

    # injection ------------------------------------------------------------------------------
    def user(self, user_id: int, first_name: str = "Đồng chí", username: str | None = None) -> dict[str, Any]:
        u: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}
        if username:
            u["username"] = username
        return u

    def private_message(self, user_id: int, text: str, *, first_name: str = "Đồng chí",
                        reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        """A user writes to the bot in private chat; returns the update."""
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        return self._message_update(chat, self.user(user_id, first_name), text=text, reply_to=reply_to)

    def media(self, user_id: int, kind: str, *, chat_id: int | None = None, caption: str | None = None,
              mention: bool = False, reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        """A sticker, voice message, location, photo, contact… (``kind`` is the Bot API field name)."""
        file = {"file_id": f"file{next(self._ids)}", "file_unique_id": f"u{next(self._ids)}"}
        payloads: dict[str, Any] = {
            "sticker": {**file, "type": "regular", "width": 512, "height": 512, "is_animated": False,
                        "is_video": False},
            "voice": {**file, "duration": 3},
            "audio": {**file, "duration": 30},
            "video": {**file, "width": 640, "height": 360, "duration": 5},
            "video_note": {**file, "length": 240, "duration": 3},
            "animation": {**file, "width": 320, "height": 240, "duration": 2},
            "photo": [{**file, "width": 90, "height": 90}],
            "location": {"latitude": 21.0285, "longitude": 105.8542},
            "contact": {"phone_number": "+84900000000", "first_name": "Liên hệ"},
            "dice": {"emoji": "🎲", "value": 3},
        }
        if caption is not None and mention:
            caption = f"@{self.bot['username']} {caption}"
        return self._message_update(self._chat_of(user_id, chat_id), self.user(user_id), caption=caption,
                                    reply_to=reply_to, extra={kind: payloads[kind]})

    def edit(self, update: dict[str, Any], text: str) -> dict[str, Any]:
        """The user edits the message of ``update``: an ``edited_message`` update with the new text."""
        original = update.get("message") or update.get("edited_message")
        assert original is not None, "only messages can be edited"
        msg = {**original, "edit_date": int(time.time())}
        if "caption" in original:
            msg["caption"] = text
        else:
            msg["text"] = text
            msg.pop("entities", None)
            entities = self._entities(text)
            if entities:
                msg["entities"] = entities
        self.messages[(msg["chat"]["id"], msg["message_id"])] = msg
        return self._push({"edited_message": msg})

    def redeliver(self, update: dict[str, Any]) -> dict[str, Any]:
        """Deliver the same update (same update_id) again, as Telegram does when unsure it arrived."""
        self._forced.append(update)  # delivered whatever offset the bot confirmed
        self._delivered.discard(update["update_id"])
        asyncio.get_running_loop().create_task(self._notify())
        return update

    def join(self, chat_id: int, user_id: int) -> None:
        self.members.setdefault(chat_id, set()).add(user_id)

    def leave(self, chat_id: int, user_id: int) -> None:
        self.members.get(chat_id, set()).discard(user_id)

    def group_message(self, chat_id: int, user_id: int, text: str, *, mention: bool = False,
                      reply_to: dict[str, Any] | None = None, title: str = "Chi bộ thử nghiệm",
                      first_name: str = "Đồng chí") -> dict[str, Any]:
        """A message in a group; ``mention`` prefixes @bot, ``reply_to`` makes it a reply."""
        if mention:
            text = f"@{self.bot['username']} {text}"
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        return self._message_update(chat, self.user(user_id, first_name), text=text, reply_to=reply_to)

    def document(self, user_id: int, file_name: str, data: bytes, mime_type: str = "text/plain",
                 caption: str | None = None, *, chat_id: int | None = None, mention: bool = False) -> dict[str, Any]:
        """A user sends a file to the bot (in private chat, or in group ``chat_id``)."""
        file_id = f"file{next(self._ids)}"
        self.files[file_id] = (f"documents/{file_name}", data)
        doc = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
               "mime_type": mime_type, "file_size": len(data)}
        if mention:
            caption = f"@{self.bot['username']} {caption or ''}".strip()
        return self._message_update(self._chat_of(user_id, chat_id), self.user(user_id), document=doc,
                                    caption=caption)

    def _chat_of(self, user_id: int, chat_id: int | None) -> dict[str, Any]:
        if chat_id is None or chat_id == user_id:
            return {"id": user_id, "type": "private", "first_name": "Đồng chí"}
        return {"id": chat_id, "type": "supergroup", "title": "Chi bộ thử nghiệm"}

    def press(self, message: dict[str, Any] | Call, button: str, *, user_id: int) -> dict[str, Any]:
        """Press the inline button whose text contains ``button`` on a message the bot sent."""
        msg = self._as_message(message)
        rows = (msg.get("reply_markup") or {}).get("inline_keyboard", [])
        for row in rows:
            for b in row:
                if button in b["text"] and "callback_data" in b:
                    return self.callback(msg, b["callback_data"], user_id=user_id)
        raise LookupError(f"no callback button {button!r} on message {msg.get('message_id')}: {rows}")

    def callback(self, message: dict[str, Any], data: str, *, user_id: int) -> dict[str, Any]:
        """A callback query with explicit data (use press() to take it from the real markup)."""
        query = {"id": str(next(self._ids)), "from": self.user(user_id), "chat_instance": "ci-1",
                 "message": message, "data": data}
        return self._push({"callback_query": query})

    def _as_message(self, message: dict[str, Any] | Call) -> dict[str, Any]:
        if isinstance(message, Call):
            result = message.params.get("_result")
            if not result:
                raise LookupError("call has no resulting message")
            return self.messages[(result["chat"]["id"], result["message_id"])]
        return self.messages.get((message["chat"]["id"], message["message_id"]), message)

    def _message_update(self, chat: dict[str, Any], user: dict[str, Any], *, text: str | None = None,
                        reply_to: dict[str, Any] | None = None, document: dict[str, Any] | None = None,
                        caption: str | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        if chat["type"] != "private":
            self.join(chat["id"], user["id"])
        msg: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()),
                               "chat": chat, "from": user, **(extra or {})}
        if text is not None:
            msg["text"] = text
            entities = self._entities(text)
            if entities:
                msg["entities"] = entities
        if document is not None:
            msg["document"] = document
        if caption is not None:
            msg["caption"] = caption
            entities = self._entities(caption)
            if entities:
                msg["caption_entities"] = entities
        if reply_to is not None:
            msg["reply_to_message"] = self._as_message(reply_to)
        self.messages[(chat["id"], msg["message_id"])] = msg
        return self._push({"message": msg})

    def _entities(self, text: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        m = re.match(r"^/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
        if m:
            out.append({"type": "bot_command", "offset": 0, "length": utf16_len(m.group(0))})
        for m in re.finditer(r"@[A-Za-z0-9_]{5,32}", text):
            if m.start() and text[m.start() - 1] not in " \n\t,.:;(":
                continue
            out.append({"type": "mention", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group(0))})
        return out

    def _push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self.injected_at[update["update_id"]] = time.perf_counter()
        asyncio.get_running_loop().create_task(self._notify())
        return update

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # queries --------------------------------------------------------------------------------
    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (chat_id is None or c.chat_id == chat_id)]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """The HTML of every sendMessage to a chat, in order."""
        return [c.text for c in self.calls_of("sendMessage", chat_id)]

    def mark(self) -> int:
        """A position in the call log, for ``wait_for(..., since=mark)``."""
        return len(self.calls)

    async def wait_for(self, method: str, predicate: Callable[[Call], bool] | None = None,
                       timeout: float = 5.0, *, since: int = 0) -> Call:
        """The first successful call of ``method`` (at or after ``since``) matching ``predicate``."""

        def find() -> Call | None:
            for call in self.calls[since:]:
                if call.method == method and "_error" not in call.params and (predicate is None or predicate(call)):
                    return call
            return None

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: find() is not None), timeout)
            except TimeoutError:
                seen = [(c.method, c.params.get("text", "")[:80]) for c in self.calls[since:]]
                raise AssertionError(f"no {method} call matched within {timeout}s; calls: {seen}") from None
        found = find()
        assert found is not None
        return found

    async def wait_consumed(self, update: dict[str, Any], timeout: float = 5.0) -> None:
        """Wait until the bot has fetched this update with getUpdates."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: update["update_id"] in self._delivered), timeout)

    # HTTP -----------------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if request.content_type == "application/json":
            return dict(await request.json()), files
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                    params[key] = f"<file {value.filename}>"
                elif key in _STRING_FIELDS:
                    params[key] = value
                else:
                    try:
                        params[key] = json.loads(value)
                    except (ValueError, TypeError):
                        params[key] = value
        params.update({k: v for k, v in request.query.items() if k not in params})
        return params, files

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await self._params(request)
        call = Call(method, params, time.perf_counter(), files)
        faults = self._faults.get(method)
        fault = faults.pop(0) if faults else None
        if fault is None and method in self._flaky:
            probability, status, rng = self._flaky[method]
            if rng.random() < probability:
                fault = Fault(status=status, retry_after=None)
        if fault and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault and fault.status != 200:
            call.params["_error"] = fault.status
            call.params["_fault"] = True
            await self._record(call)
            desc = fault.description or (
                f"Too Many Requests: retry after {fault.retry_after}" if fault.status == 429
                else "Bad Gateway" if fault.status == 502 else "Internal Server Error"
            )
            return self._error(fault.status, desc, retry_after=fault.retry_after)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            call.params["_error"] = 400
            await self._record(call)
            return self._error(400, "Bad Request: method not found")
        try:
            result = await handler(params, files)
        except _ApiError as exc:
            call.params["_error"] = exc.status
            await self._record(call)
            return self._error(exc.status, exc.description)
        if isinstance(result, dict) and "message_id" in result:
            call.params["_result"] = result
        await self._record(call)
        return web.json_response({"ok": True, "result": result})

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    @staticmethod
    def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for file_path, data in self.files.values():
            if file_path == path:
                return web.Response(body=data)
        return web.Response(status=404)

    # methods ----------------------------------------------------------------------------------
    async def _m_getMe(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self.bot

    async def _m_deleteWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    async def _m_setMyCommands(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    async def _m_setWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if not str(params.get("url", "")).startswith("https://"):
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(params)
        return True

    async def _m_getChatMember(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        if chat_id > 0:
            raise _ApiError(400, "Bad Request: chat not found")
        status = "member" if user_id in self.members.get(chat_id, set()) else "left"
        return {"status": status, "user": self.user(user_id)}

    async def _m_sendChatAction(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if len(str(params.get("text", ""))) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _m_getUpdates(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self.confirmed_offset = max(self.confirmed_offset, offset)

        def ready() -> bool:
            return self._stopping or bool(self._forced) or any(u["update_id"] >= offset for u in self._updates)

        if timeout > 0 and not ready():
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait_for(ready), timeout)
                except TimeoutError:
                    pass
        batch = (self._forced + [u for u in self._updates if u["update_id"] >= offset])[:limit]
        self._forced = []
        now = time.perf_counter()
        for u in batch:
            self.delivered_at.setdefault(u["update_id"], now)
        self._delivered.update(u["update_id"] for u in batch)
        return batch

    def _check_text(self, text: str, parse_mode: str | None) -> str:
        plain = text
        if parse_mode and parse_mode.upper() == "HTML":
            try:
                plain = parse_html(text)
            except ValueError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if not plain.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return plain

    def _check_markup(self, markup: Any) -> dict[str, Any] | None:
        if markup is None:
            return None
        for row in markup.get("inline_keyboard", []):
            for b in row:
                data = b.get("callback_data")
                if data is not None and (not data or len(data.encode("utf-8")) > 64):
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if "url" in b and not str(b["url"]).startswith(("http://", "https://", "tg://")):
                    raise _ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return dict(markup)

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Đồng chí"}
        return {"id": chat_id, "type": "supergroup", "title": "Chi bộ thử nghiệm"}

    def _new_bot_message(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        msg = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": self._chat(chat_id),
               "from": {k: self.bot[k] for k in ("id", "is_bot", "first_name", "username")}, **fields}
        self.messages[(chat_id, msg["message_id"])] = msg
        return msg

    async def _m_sendMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat_id = int(params["chat_id"])
        plain = self._check_text(str(params.get("text", "")), params.get("parse_mode"))
        fields: dict[str, Any] = {"text": plain}
        markup = self._check_markup(params.get("reply_markup"))
        if markup:
            fields["reply_markup"] = markup
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id") if isinstance(reply, dict) else None
        if reply_id is None and params.get("reply_to_message_id"):
            reply_id = int(params["reply_to_message_id"])
        if reply_id is not None:
            original = self.messages.get((chat_id, int(reply_id)))
            if original is None:
                raise _ApiError(400, "Bad Request: message to be replied not found")
            fields["reply_to_message"] = original
        return self._new_bot_message(chat_id, **fields)

    async def _m_editMessageText(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        msg = self.messages.get((chat_id, message_id))
        if msg is None or msg["from"]["id"] != self.bot["id"]:
            raise _ApiError(400, "Bad Request: message to edit not found")
        plain = self._check_text(str(params.get("text", "")), params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        if plain == msg.get("text") and markup == msg.get("reply_markup"):
            raise _ApiError(400, "Bad Request: message is not modified: specified new message content "
                                 "and reply markup are exactly the same as a current content and reply markup "
                                 "of the message")
        msg["text"] = plain
        if markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = int(time.time())
        return msg

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        msg = self.messages.get((chat_id, message_id))
        if msg is None or msg["from"]["id"] != self.bot["id"]:
            raise _ApiError(400, "Bad Request: message to edit not found")
        markup = self._check_markup(params.get("reply_markup"))
        if markup == msg.get("reply_markup"):
            raise _ApiError(400, "Bad Request: message is not modified")
        if markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        return msg

    async def _m_sendDocument(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat_id = int(params["chat_id"])
        data = files.get("document", b"")
        file_id = f"file{next(self._ids)}"
        name = str(params.get("document", "document")).removeprefix("<file ").removesuffix(">")
        self.files[file_id] = (f"documents/{name}", data)
        doc = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name, "file_size": len(data)}
        fields: dict[str, Any] = {"document": doc}
        if params.get("caption"):
            fields["caption"] = self._check_text(str(params["caption"]), params.get("parse_mode"))
        return self._new_bot_message(chat_id, **fields)

    async def _m_getFile(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise _ApiError(400, "Bad Request: invalid file_id")
        path, data = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data), "file_path": path}


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


async def post_webhook(url: str, update: dict[str, Any], secret: str | None = None) -> int:
    """POST an update to a bot's webhook as Telegram does (with the secret header when given); the status."""
    from aiohttp import ClientSession

    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with ClientSession() as session, session.post(url, json=update, headers=headers) as response:
        return response.status
