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
    [quotes] = texts.render_quotes(answer, [None], quotable={CIT.doc_id})  # a replaced passage: the answer's quote
    assert "<blockquote>trích &lt;dẫn&gt;</blockquote>" in quotes
    [hidden] = texts.render_quotes(answer, [None], quotable=set())  # not readable (now, or by this presser)
    assert "trích" not in hidden and texts.QUOTE_UNAVAILABLE in hidden and "01-CTr/QU" in hidden
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


def test_preview_renders_every_field_escaped_and_parses() -> None:
    from knowledge.models import IngestPreview, StoredMatch

    meta = DocumentMeta(doc_id="hd", title="Hướng dẫn <mới> & sửa", code="02-HD/BTCTU", doc_type="HD",
                        issue_date="2025-11-05", issuing_body="Ban Tổ chức Thành ủy", units=("phường A", "phường B"))
    preview = IngestPreview("tok", "huong<dan>.pdf", "hd", meta, 42, "Trích <đoạn> đầu", matches=(
        StoredMatch("old", "Bản <cũ>", "02-HD/BTCTU", "2025-01-01", "same_code"),), expires_at=1_750_000_000)
    text = texts.render_preview(preview)
    parse_html(text)
    for shown in ("huong&lt;dan&gt;.pdf", "02-HD/BTCTU", "Hướng dẫn &lt;mới&gt; &amp; sửa", "05/11/2025",
                  "Ban Tổ chức Thành ủy", "phường A, phường B", "<b>42</b>", "Trích &lt;đoạn&gt; đầu",
                  "Cùng số hiệu với", "Bản &lt;cũ&gt;", "Chưa có gì được lưu"):
        assert shown in text, shown
    identical = IngestPreview("tok", "a.txt", "old", meta, 1, "", matches=(
        StoredMatch("old", "Bản cũ", None, None, "identical"),))
    assert "giống hệt" in texts.render_preview(identical) and "Nếu thêm" not in texts.render_preview(identical)
    reissue = IngestPreview("tok", "a.txt", "hd-2", meta, 3, "", matches=(
        StoredMatch("hd", "Bản cũ", "02-HD/BTCTU", None, "same_code", added=2, removed=1),
        StoredMatch("other", "Cùng tên", None, None, "same_name")))
    shown = texts.render_preview(reissue)
    assert shown.index("thay thế") < shown.index("Hoặc thêm") and "thêm 2 đoạn, bỏ 1 đoạn" in shown
    assert "Cùng tên tệp với tài liệu đã có <b>Cùng tên</b>" in shown and "giữ nguyên" in shown
    assert [m.doc_id for m in reissue.replaceable] == ["hd"]


def test_admin_keyboards_fit_callback_limits() -> None:
    markup = keyboards.preview_keyboard("Ab3_x9-k", ["Điều lệ Đảng Cộng sản Việt Nam — một tên rất dài"] * 3,
                                        can_add=True)
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert labels[0].startswith("🔁 Thay thế") and labels[3] == texts.BTN_ADD and labels[-1] == texts.BTN_CANCEL
    assert len(labels) == 5  # a re-issue: replacing comes first
    for row in markup.inline_keyboard:
        for b in row:
            assert isinstance(b.callback_data, str) and len(b.callback_data.encode()) <= 64
    only_close = keyboards.preview_keyboard("Ab3_x9-k", [], can_add=False)
    assert [b.text for row in only_close.inline_keyboard for b in row] == [texts.BTN_CLOSE]


def test_vote_counts_show_on_the_buttons() -> None:
    answer = Answer(text="x", grounded=True, citations=(CIT,))
    markup = keyboards.answer_keyboard("id1", answer, votes=(2, 0))
    assert [b.text for b in markup.inline_keyboard[0]] == ["Nguồn", "👍 2", "👎"]
    updated = keyboards.with_votes(markup, "id1", (1, 1))
    assert [b.text for b in updated.inline_keyboard[0]] == ["Nguồn", "👍 1", "👎 1"]
    assert updated.inline_keyboard[1] == markup.inline_keyboard[1]  # other rows untouched
    assert texts.feedback_ack("down", "up").startswith("Đã đổi") and "rồi" in texts.feedback_ack("up", "up")


def test_rate_limit_notice_says_when() -> None:
    notice = texts.rate_limited(41.2, 1_750_000_000)
    assert "42 giây" in notice and "(lúc 22:07:22)" in notice  # 15:06:40 UTC + 42 s, in Vietnam time


def test_non_text_and_notes() -> None:
    assert "tin nhắn thoại" in texts.only_text("voice") and "loại tin nhắn này" in texts.only_text("???")
    parts = texts.with_note("Bạn đã <sửa>", ["Trả lời"])
    assert parts == ["<i>Bạn đã &lt;sửa&gt;</i>\n\nTrả lời"]
    long = ["x" * 4090]
    assert texts.with_note("ghi chú", long) == ["<i>ghi chú</i>", "x" * 4090]


def test_people_and_reports_render_and_parse() -> None:
    from knowledge.state.audit import Downvoted, Stats
    from knowledge.state.people import AllowedChat, Person

    [listing] = texts.render_people([Person(1, "admin", pinned=True), Person(2, "user", "Lan <A>", "phường Cự Khối")],
                                    [AllowedChat(-100, "Chi bộ <1>")])
    parse_html(listing)
    assert "<code>2</code> Lan &lt;A&gt; — người dùng — phường Cự Khối" in listing and "BOT_ADMIN_IDS" in listing
    stats = texts.render_stats(Stats(7, 12, 3, 4, 5, 1, (("2025-06-01", 12),), 40), 9, 980)
    parse_html(stats)
    assert "Tài liệu: <b>9</b>, đoạn: <b>980</b>" in stats and "01/06/2025: 12" in stats
    [review] = texts.render_downvoted([Downvoted("a", 1_750_000_000, 7, 7, "Hỏi <x>?", "Đáp & y", ("01-CTr/QU",),
                                                 0, 2)])
    parse_html(review)
    assert "Hỏi &lt;x&gt;?" in review and "👎 2" in review


def test_webhook_needs_https_and_a_secret() -> None:
    from pydantic import ValidationError

    base = {"_env_file": None, "token": "1:a"}
    with pytest.raises(ValidationError, match="BOT_WEBHOOK_SECRET"):
        BotSettings(**base, webhook_url="https://bot.example.vn/hook")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="https"):
        BotSettings(**base, webhook_url="http://bot.example.vn/hook", webhook_secret="abc")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="letters, digits"):
        BotSettings(**base, webhook_url="https://bot.example.vn/hook", webhook_secret="a b")  # type: ignore[arg-type]
    ok = BotSettings(**base, webhook_url="https://bot.example.vn/hook", webhook_secret="abc")  # type: ignore[arg-type]
    assert ok.webhook_listen == "127.0.0.1"


async def test_retrying_limiter_retries_5xx_and_timeouts_but_not_bad_requests() -> None:
    from telegram.error import BadRequest, NetworkError, TimedOut

    from bot.retry import RetryingRateLimiter

    limiter = RetryingRateLimiter(retries=3, backoff_s=0.001, overall_max_rate=0, group_max_rate=0)
    outcomes: list[Exception | None] = [NetworkError("Bad Gateway"), TimedOut(), None]

    async def flaky() -> bool:
        error = outcomes.pop(0)
        if error:
            raise error
        return True

    assert await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None) is True
    assert limiter.retried == 2

    calls = []

    async def bad() -> bool:
        calls.append(1)
        raise BadRequest("message is too long")

    with pytest.raises(BadRequest):
        await limiter.process_request(bad, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert len(calls) == 1  # a wrong request would fail again: not retried

    async def down() -> bool:
        calls.append(1)
        raise NetworkError("Internal Server Error")

    with pytest.raises(NetworkError):
        await limiter.process_request(down, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert len(calls) == 1 + 4  # the first try and three retries
