"""Every Vietnamese user-facing string, plus the HTML render/escape/split helpers.

Telegram limits live here: HTML escaping of every dynamic string, and splitting at 4,096
characters (UTF-16 code units, as Telegram counts) on paragraph boundaries with tags balanced.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from knowledge.answer.render import format_date
from knowledge.models import Answer, Citation, DocumentMeta, FileResult, StoredChunk

MAX_MESSAGE = 4096

# --- fixed texts -----------------------------------------------------------------------------

WELCOME = (
    "Xin chào <b>{name}</b>! Tôi là trợ lý tra cứu văn bản của Đảng.\n\n"
    "Hãy đặt câu hỏi bằng tiếng Việt (có dấu hoặc không dấu). Tôi trả lời kèm nguồn trích dẫn "
    "được đánh số (số hiệu, tên văn bản, mục, ngày ban hành). Nếu tài liệu không có câu trả lời, "
    "tôi sẽ nói rõ."
)
HELP = (
    "<b>Cách dùng</b>\n"
    "Gửi câu hỏi như một tin nhắn bình thường. Câu hỏi tiếp theo được hiểu trong ngữ cảnh "
    "cuộc trò chuyện.\n"
    "Trong nhóm, hãy nhắc đến tôi (@{bot}) hoặc trả lời tin nhắn của tôi.\n\n"
    "<b>Lệnh</b>\n"
    "/donvi – đặt đơn vị của bạn (ví dụ: /donvi phường Cự Khối)\n"
    "/tailieu – danh sách tài liệu đã nạp\n"
    "/moi – bắt đầu cuộc trò chuyện mới\n"
    "/help – hướng dẫn này"
)
EXAMPLES_HEADER = "<b>Ví dụ câu hỏi</b>"
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Bắt đầu"),
    ("help", "Hướng dẫn sử dụng"),
    ("donvi", "Đặt đơn vị của bạn"),
    ("tailieu", "Danh sách tài liệu"),
    ("moi", "Bắt đầu cuộc trò chuyện mới"),
)

DENIED = (
    "Xin lỗi, bạn chưa được cấp quyền sử dụng trợ lý này. Vui lòng liên hệ quản trị viên và "
    "gửi kèm mã người dùng của bạn: <code>{user_id}</code>."
)
DENIED_SHORT = "Bạn chưa được cấp quyền. Mã người dùng của bạn: {user_id}. Vui lòng liên hệ quản trị viên."
RATE_LIMITED = "Bạn đang hỏi hơi nhanh. Vui lòng chờ khoảng {seconds} giây rồi hỏi tiếp nhé."
ERROR_GENERIC = "Xin lỗi, đã có lỗi khi xử lý yêu cầu của bạn. Vui lòng thử lại sau ít phút."
EMPTY_QUESTION = "Bạn muốn hỏi gì? Hãy viết câu hỏi ngay sau khi nhắc đến tôi."
NEW_CONVERSATION = "Đã bắt đầu cuộc trò chuyện mới. Các câu hỏi trước sẽ không còn được dùng làm ngữ cảnh."
STREAM_PLACEHOLDER = "⏳ Đang soạn câu trả lời…"

SOURCES_TITLE = "<b>Nguồn:</b>"
QUOTES_TITLE = "<b>Trích dẫn nguyên văn</b>"
SECTION_TITLE = "<b>Toàn văn mục</b>"
ANSWER_EXPIRED = "Câu trả lời này đã cũ nên tôi không còn lưu nguồn. Vui lòng hỏi lại."
NO_SOURCES = "Câu trả lời này không có nguồn trích dẫn."
SECTION_MISSING = "Không tìm thấy mục này trong tài liệu (có thể tài liệu vừa được cập nhật)."
FEEDBACK_UP = "Cảm ơn bạn đã đánh giá!"
FEEDBACK_DOWN = "Cảm ơn góp ý của bạn, chúng tôi sẽ cải thiện."
READ_MORE_NOTE = "<i>… Câu trả lời dài; bấm nút bên dưới để đọc đầy đủ trong tin nhắn riêng.</i>"
DEEP_LINK_MISSING = "Không tìm thấy câu trả lời này (có thể đã quá cũ). Vui lòng đặt lại câu hỏi."

UNIT_SET = (
    "Đã đặt đơn vị của bạn: <b>{unit}</b>. Khi bạn hỏi về “đơn vị tôi” hay “chi bộ mình”, "
    "tôi sẽ ưu tiên thông tin về đơn vị này."
)
UNIT_CLEARED = "Đã bỏ chọn đơn vị."
UNIT_CURRENT = "Đơn vị hiện tại của bạn: <b>{unit}</b>."
UNIT_NONE = "Bạn chưa đặt đơn vị."
UNIT_CHOOSE = "Chọn đơn vị của bạn (hoặc gõ /donvi tên đơn vị):"
UNIT_NOT_FOUND = "Không tìm thấy đơn vị “{query}” trong tài liệu."
UNIT_AMBIGUOUS = "Có nhiều đơn vị khớp với “{query}”. Vui lòng chọn:"
NO_UNITS = "Tài liệu hiện có chưa nêu tên đơn vị nào."

DOCS_TITLE = "<b>Tài liệu hiện có ({count})</b>"
NO_DOCS = "Chưa có tài liệu nào được nạp."

UPLOAD_NOT_ADMIN = "Xin lỗi, chỉ quản trị viên mới được thêm tài liệu. Bạn có thể gửi câu hỏi bằng tin nhắn."
UPLOAD_DISABLED = "Chức năng thêm tài liệu chưa được bật trên máy chủ này."
UPLOAD_UNSUPPORTED = "Định dạng “{ext}” chưa được hỗ trợ. Hãy gửi tệp PDF, DOCX, TXT, HTML hoặc MD."
UPLOAD_TOO_LARGE = "Tệp quá lớn ({size_mb:.1f} MB). Giới hạn là {limit_mb:.0f} MB."
UPLOAD_WORKING = "Đang nạp tài liệu <b>{name}</b>…"
UPLOAD_RESULTS = {
    "added": "✅ Đã thêm tài liệu <b>{title}</b> ({chunks} đoạn).",
    "replaced": "✅ Đã cập nhật tài liệu <b>{title}</b> ({chunks} đoạn).",
    "unchanged": "ℹ️ Tài liệu <b>{title}</b> đã có sẵn, không thay đổi.",
    "dry-run": "ℹ️ Chạy thử: <b>{title}</b> ({chunks} đoạn), chưa lưu.",
    "failed": "❌ Không nạp được tài liệu <b>{title}</b>: {reason}",
}
UPLOAD_UNKNOWN_REASON = "không rõ lý do"

BTN_SOURCES = "Nguồn"
BTN_UP = "👍"
BTN_DOWN = "👎"
BTN_SECTION = "Xem toàn văn mục"
BTN_READ_MORE = "Đọc đầy đủ"
BTN_CLEAR_UNIT = "Bỏ chọn đơn vị"

# --- helpers ---------------------------------------------------------------------------------


def esc(value: object) -> str:
    """HTML-escape any dynamic value for parse_mode=HTML."""
    return html.escape(str(value), quote=False)


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def welcome(name: str, bot_username: str, examples: Sequence[str]) -> str:
    """The /start message: greeting, usage and example questions."""
    parts = [WELCOME.format(name=esc(name or "bạn")), HELP.format(bot=esc(bot_username))]
    if examples:
        parts.append(EXAMPLES_HEADER + "\n" + "\n".join(f"• {esc(q)}" for q in examples))
    return "\n\n".join(parts)


def help_text(bot_username: str, examples: Sequence[str]) -> str:
    """The /help message."""
    parts = [HELP.format(bot=esc(bot_username))]
    if examples:
        parts.append(EXAMPLES_HEADER + "\n" + "\n".join(f"• {esc(q)}" for q in examples))
    return "\n\n".join(parts)


def denied(user_id: int) -> str:
    """The one refusal a user outside the allowlist receives."""
    return DENIED.format(user_id=int(user_id))


def rate_limited(wait_s: float) -> str:
    """Friendly 'slow down' message."""
    return RATE_LIMITED.format(seconds=max(1, round(wait_s)))


def citation_line(c: Citation) -> str:
    """``[1] <b>01-CTr/QU</b> — Title — <i>Section</i> — 15/08/2017``, every part escaped."""
    parts = [f"[{int(c.n)}]"]
    head = f"<b>{esc(c.code)}</b> — {esc(c.title)}" if c.code else f"<b>{esc(c.title)}</b>"
    parts.append(head)
    line = " ".join(parts)
    if c.section:
        line += f" — <i>{esc(c.section)}</i>"
    date = format_date(c.date)
    if date:
        line += f" — {esc(date)}"
    return line


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def render_answer_blocks(answer: Answer) -> list[str]:
    """The answer as balanced HTML paragraphs: text, notices, suggestions, numbered sources."""
    blocks = [esc(p) for p in _paragraphs(answer.text)]
    blocks += [f"<i>{esc(n)}</i>" for n in answer.notices if n.strip()]
    if answer.suggestions:
        blocks.append("Các tài liệu hiện có gần nhất với câu hỏi:\n" + "\n".join(f"• {esc(s)}" for s in answer.suggestions))
    if answer.citations:
        blocks.append("\n".join([SOURCES_TITLE, *(citation_line(c) for c in answer.citations)]))
    return blocks


def render_answer(answer: Answer) -> list[str]:
    """The full answer as HTML messages of at most 4,096 characters each (never none)."""
    return split_html("\n\n".join(render_answer_blocks(answer))) or ["…"]


def render_short_answer(answer: Answer, limit: int) -> str:
    """A group-sized version: the first paragraphs of the answer, the sources, a read-more note."""
    kept: list[str] = []
    used = 0
    for p in _paragraphs(answer.text):
        piece = esc(p)
        if kept and used + tg_len(piece) > limit:
            break
        if not kept and tg_len(piece) > limit:
            piece = esc(_cut_words(p, limit))
        kept.append(piece)
        used += tg_len(piece) + 2
    blocks = kept + [READ_MORE_NOTE]
    if answer.citations:
        blocks.append("\n".join([SOURCES_TITLE, *(citation_line(c) for c in answer.citations)]))
    return split_html("\n\n".join(blocks))[0]


def _cut_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + " …"


def is_long(answer: Answer, limit: int) -> bool:
    """True when the answer text alone is longer than ``limit`` characters."""
    return tg_len(answer.text) > limit


def render_partial(text: str) -> str:
    """A streamed, not yet validated partial answer (plain text, escaped, clipped)."""
    body = esc(text.strip()) or STREAM_PLACEHOLDER
    return split_html(body, limit=MAX_MESSAGE - 4)[0] + (" …" if body != STREAM_PLACEHOLDER else "")


def render_quotes(answer: Answer, chunks: Sequence[StoredChunk | None]) -> list[str]:
    """The quoted passages behind each citation (the "Nguồn" button)."""
    if not answer.citations:
        return [NO_SOURCES]
    blocks = [QUOTES_TITLE]
    for c, chunk in zip(answer.citations, chunks, strict=True):
        passage = chunk.text if chunk is not None else c.quote
        blocks.append(citation_line(c))
        blocks += [f"<blockquote>{esc(p)}</blockquote>" for p in _paragraphs(passage)] or ["…"]
    return split_html("\n\n".join(blocks))


def render_section(citation: Citation, chunks: Sequence[StoredChunk]) -> list[str]:
    """A whole section of a document (the "Xem toàn văn mục" button)."""
    if not chunks:
        return [SECTION_MISSING]
    blocks = [SECTION_TITLE, citation_line(citation)]
    for chunk in chunks:
        blocks += [esc(p) for p in _paragraphs(chunk.text)]
    return split_html("\n\n".join(blocks))


def render_documents(docs: Sequence[DocumentMeta]) -> list[str]:
    """The /tailieu listing: code, title, date."""
    if not docs:
        return [NO_DOCS]
    lines = [DOCS_TITLE.format(count=len(docs))]
    for i, d in enumerate(docs, 1):
        line = f"{i}. "
        line += f"<b>{esc(d.code)}</b> — {esc(d.title)}" if d.code else f"<b>{esc(d.title)}</b>"
        date = format_date(d.issue_date)
        if date:
            line += f" ({esc(date)})"
        lines.append(line)
    return split_html("\n".join(lines))


def unit_set(unit: str) -> str:
    return UNIT_SET.format(unit=esc(unit))


def unit_current(unit: str | None) -> str:
    return UNIT_CURRENT.format(unit=esc(unit)) if unit else UNIT_NONE


def unit_not_found(query: str) -> str:
    return UNIT_NOT_FOUND.format(query=esc(query))


def unit_ambiguous(query: str) -> str:
    return UNIT_AMBIGUOUS.format(query=esc(query))


def upload_working(name: str) -> str:
    return UPLOAD_WORKING.format(name=esc(name))


def upload_unsupported(ext: str) -> str:
    return UPLOAD_UNSUPPORTED.format(ext=esc(ext or "?"))


def upload_too_large(size_bytes: int, limit_mb: float) -> str:
    return UPLOAD_TOO_LARGE.format(size_mb=size_bytes / 1_048_576, limit_mb=limit_mb)


def upload_result(result: FileResult) -> str:
    """A clear Vietnamese outcome of one uploaded file."""
    title = result.meta.title if result.meta and result.meta.title else result.source
    if result.meta and result.meta.code:
        title = f"{result.meta.code} — {title}"
    template = UPLOAD_RESULTS.get(result.status, UPLOAD_RESULTS["failed"])
    return template.format(
        title=esc(title), chunks=int(result.chunks), reason=esc(result.reason or UPLOAD_UNKNOWN_REASON)
    )


# --- splitting -------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"<[^>]+>|&[#\w]+;|[^<&]+|[<&]")
_TAG_RE = re.compile(r"<(/?)([a-zA-Z0-9-]+)[^>]*>")


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split HTML into messages of at most ``limit`` characters.

    Cuts between paragraphs (blank lines) when possible, then between lines, then between words;
    never inside a tag or an entity, and every piece has its tags closed and reopened.
    """
    text = text.strip()
    if not text:
        return []
    if tg_len(text) <= limit:
        return [text]
    out: list[str] = []
    current = ""
    for para in re.split(r"\n{2,}", text):
        candidate = f"{current}\n\n{para}" if current else para
        if tg_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            out.append(current)
        if tg_len(para) <= limit:
            current = para
        else:
            pieces = _split_long_paragraph(para, limit)
            out.extend(pieces[:-1])
            current = pieces[-1]
    if current:
        out.append(current)
    return [p.strip() for p in out if p.strip()]


def _split_long_paragraph(para: str, limit: int) -> list[str]:
    """Tag-aware split of one paragraph, preferring newlines, then spaces."""
    tokens: list[str] = []
    for tok in _TOKEN_RE.findall(para):
        if tok.startswith(("<", "&")):
            tokens.append(tok)
        else:  # words with their trailing whitespace, so cuts land on spaces and newlines
            for word in (t for t in re.split(r"(?<=\s)", tok) if t):
                # a single huge "word" is hard-cut (entities are their own tokens, never cut)
                tokens.extend(word[i : i + limit // 2] for i in range(0, len(word), limit // 2))
    pieces: list[str] = []
    stack: list[tuple[str, str]] = []  # (name, opening tag) of the tags open at the buffer's end
    buf = ""
    for tok in tokens:
        closing = "".join(f"</{name}>" for name, _ in reversed(stack))
        if buf and tg_len(buf) + tg_len(tok) + tg_len(closing) > limit:
            cut = buf.rfind("\n")
            # prefer the last line break when it is recent and no tag or entity follows it
            if cut > len(buf) // 2 and "<" not in buf[cut:] and "&" not in buf[cut:]:
                head, tail = buf[:cut], buf[cut + 1 :]
            else:
                head, tail = buf, ""
            pieces.append((head + closing).strip())
            buf = "".join(tag for _, tag in stack) + tail
        buf += tok
        m = _TAG_RE.fullmatch(tok)
        if m:
            name = m.group(2).lower()
            if m.group(1):
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i][0] == name:
                        del stack[i]
                        break
            elif not tok.endswith("/>"):
                stack.append((name, tok))
    if buf.strip():
        pieces.append(buf.strip())
    return pieces


def is_balanced(fragment: str) -> bool:
    """True when every opened tag is closed in order (used by tests and assertions)."""
    stack: list[str] = []
    for m in _TAG_RE.finditer(fragment):
        name = m.group(2).lower()
        if m.group(1):
            if not stack or stack[-1] != name:
                return False
            stack.pop()
        elif not m.group(0).endswith("/>"):
            stack.append(name)
    return not stack
