"""Telegram's HTML limits: splitting at 4,096 characters (UTF-16 code units, as Telegram counts)
on paragraph boundaries, with every piece's tags balanced."""

from __future__ import annotations

import re

MAX_MESSAGE = 4096


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


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
