"""Rendering, escaping, splitting and the callback codec: the Telegram limits in one place."""

from __future__ import annotations

import logging

import pytest

from bot import keyboards, texts
from bot.__main__ import RedactSecrets
from bot.handlers.units import match_units
from bot.settings import BotSettings
from knowledge.models import Answer, Citation, DocumentMeta, FileResult
from tests.fakes.telegram_server import parse_html

CIT = Citation(1, "doc::00001", "doc", "01-CTr/QU", "Kiểm tra <Chương trình> & kết quả", "Mục I › Điều 2",
               "2017-08-15", "trích <dẫn>")
UNITS = ["phường Sài Đồng", "phường Cự Khối", "Tòa án nhân dân Quận", "CTCP Khí công nghiệp Việt Nam"]


def test_citation_line_escapes_and_formats() -> None:
    line = texts.citation_line(CIT)
    assert line == ("[1] <b>01-CTr/QU</b> — Kiểm tra &lt;Chương trình&gt; &amp; kết quả — "
                    "<i>Mục I › Điều 2</i> — 15/08/2017")
    parse_html(line)


def test_answer_escapes_every_dynamic_string() -> None:
    answer = Answer(text="a < b & c > d", grounded=True, citations=(CIT,), notices=("<cũ>",),
                    suggestions=("x & y",))
    [msg] = texts.render_answer(answer)
    assert "a &lt; b &amp; c &gt; d" in msg and "<i>&lt;cũ&gt;</i>" in msg and "x &amp; y" in msg
    parse_html(msg)


def test_declined_answer_has_no_sources_block() -> None:
    [msg] = texts.render_answer(Answer(text="Không có.", grounded=False, declined=True))
    assert "Nguồn" not in msg


def test_format_date() -> None:
    assert texts.format_date("2025-05-26") == "26/05/2025"
    assert texts.format_date("2025-11") == "11/2025"
    assert texts.format_date("năm 2017") == "năm 2017"
    assert texts.format_date(None) is None


def test_split_keeps_paragraphs_whole() -> None:
    paragraphs = [f"Đoạn {i} " + "chữ " * 300 for i in range(12)]
    parts = texts.split_html("\n\n".join(paragraphs))
    assert len(parts) > 1 and all(texts.tg_len(p) <= 4096 for p in parts)
    for p in paragraphs:
        assert sum(p.strip() in part for part in parts) == 1


def test_split_long_paragraph_never_cuts_tags_or_entities() -> None:
    html = "<b>" + " ".join(["đảng&amp;viên"] * 1500) + "</b>\n\n<i>" + "x&lt;y " * 900 + "</i>"
    parts = texts.split_html(html, limit=1000)
    assert len(parts) > 10
    for part in parts:
        assert texts.tg_len(part) <= 1000
        assert texts.is_balanced(part)
        parse_html(part)  # the fake's Telegram-like parser accepts it


def test_split_counts_utf16_like_telegram() -> None:
    text = "😀" * 3000  # 6000 UTF-16 units
    parts = texts.split_html(text)
    assert len(parts) == 2 and all(texts.tg_len(p) <= 4096 for p in parts)
    assert "".join(parts) == text


def test_short_group_version_is_bounded_and_valid() -> None:
    long = Answer(text="\n\n".join(["Đoạn <x> " + "a" * 500] * 10), grounded=True, citations=(CIT,))
    assert texts.is_long(long, 1200)
    short = texts.render_short_answer(long, 1200)
    assert texts.tg_len(short) < 2500 and "Câu trả lời dài" in short and "01-CTr/QU" in short
    parse_html(short)


def test_quotes_and_section_rendering() -> None:
    answer = Answer(text="x", grounded=True, citations=(CIT,))
    [quotes] = texts.render_quotes(answer, [None])
    assert "<blockquote>trích &lt;dẫn&gt;</blockquote>" in quotes
    assert texts.render_section(CIT, []) == [texts.SECTION_MISSING]


def test_documents_listing() -> None:
    [msg] = texts.render_documents([DocumentMeta("d", "Điều lệ <Đảng>", code="294-QĐ/TW", issue_date="2025-05-26")])
    assert "1. <b>294-QĐ/TW</b> — Điều lệ &lt;Đảng&gt; (26/05/2025)" in msg
    assert texts.render_documents([]) == [texts.NO_DOCS]


def test_upload_result_texts() -> None:
    failed = FileResult("a.pdf", "a", "failed", reason="Tệp <hỏng>")
    assert "Tệp &lt;hỏng&gt;" in texts.upload_result(failed)
    assert "không rõ lý do" in texts.upload_result(FileResult("a.pdf", "a", "failed"))


def test_denied_includes_user_id() -> None:
    assert "<code>42</code>" in texts.denied(42)


def test_callback_codec_round_trip_and_limits() -> None:
    cb = keyboards.Callback(keyboards.VOTE, "Ab3_x9-k", "u")
    data = cb.encode()
    assert data == "f:Ab3_x9-k:u" and keyboards.Callback.decode(data) == cb
    assert keyboards.Callback.decode("s:abc") == keyboards.Callback("s", "abc", "")
    for bad in (None, "", "x" * 65, "s:Cự", "a:b:c:d", "s:a b"):
        assert keyboards.Callback.decode(bad) is None
    with pytest.raises(ValueError):
        keyboards.Callback("s", "Cự Khối").encode()
    with pytest.raises(ValueError):
        keyboards.Callback("s", "a" * 70).encode()


def test_answer_keyboard_buttons() -> None:
    grounded = Answer(text="x", grounded=True, citations=(CIT,))
    labels = [b.text for row in keyboards.answer_keyboard("id1", grounded).inline_keyboard for b in row]
    assert labels == ["Nguồn", "👍", "👎", "Xem toàn văn mục"]
    declined = Answer(text="x", grounded=False, declined=True)
    labels = [b.text for row in keyboards.answer_keyboard("id1", declined).inline_keyboard for b in row]
    assert labels == ["👍", "👎"]


def test_deep_link_round_trip() -> None:
    url = keyboards.deep_link("party_docs_bot", "Ab3_x9-k")
    assert url == "https://t.me/party_docs_bot?start=a_Ab3_x9-k"
    assert keyboards.answer_id_from_payload("a_Ab3_x9-k") == "Ab3_x9-k"
    assert keyboards.answer_id_from_payload("hello") is None


def test_match_units_accent_insensitive() -> None:
    assert match_units("phuong cu khoi", UNITS) == ["phường Cự Khối"]
    assert match_units("PHƯỜNG CỰ KHỐI", UNITS) == ["phường Cự Khối"]
    assert match_units("cự khối", UNITS) == ["phường Cự Khối"]
    assert match_units("toa an", UNITS) == ["Tòa án nhân dân Quận"]
    assert match_units("phuong", UNITS) == ["phường Sài Đồng", "phường Cự Khối"]
    assert match_units("xã Bát Tràng", UNITS) == []


def test_settings_parse_id_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "1:abc")
    monkeypatch.setenv("BOT_ADMIN_IDS", "1, 2 ,3")
    monkeypatch.setenv("BOT_ALLOWED_USER_IDS", "")
    monkeypatch.setenv("BOT_ALLOWED_CHAT_IDS", "-1001234567890")
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://bot.example.vn/tg/hook")
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", "s3cret_-value")
    s = BotSettings(_env_file=None)  # type: ignore[call-arg]
    assert s.admin_ids == {1, 2, 3} and s.allowed_user_ids == frozenset()
    assert s.allowed_chat_ids == {-1001234567890}
    assert s.webhook_path == "tg/hook"
    assert "1:abc" not in repr(s)


def test_redact_filter_hides_token_in_messages_and_tracebacks() -> None:
    token = "123:SECRET"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "GET https://api/bot%s/getMe", (token,), None)
    try:
        raise RuntimeError(f"failed https://api/bot{token}/x")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    RedactSecrets(token).filter(record)
    out = logging.Formatter().format(record)
    assert token not in out and "[REDACTED]" in out
