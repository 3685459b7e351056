"""Inspection findings through Telegram: /donvi, /hanchot, restricted documents, unit names.

The real Application talks to the fake Bot API; behind it a real knowledge base (the six
fictional findings documents, hashing embedder). The conclusions notice 112-TB/QU is
restricted to Đảng ủy phường An Phú and the discipline notice 52-TB/UBKTQU to the two units it
disciplines; everything else is public. Reading rights come from admins, through the bot:
``/nguoidung donvi`` (membership of a unit) and ``/nguoidung capquan`` (district reader).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot import texts
from tests.e2e.conftest import ADMIN, GROUP, OTHER_USER, USER, BotFactory, Harness
from tests.e2e.test_admin import command, press, upload
from tests.fakes.telegram_server import Call

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "findings"
NOTICE = "02_thong-bao-ket-luan_per-unit"
DISCIPLINE = "06_quyet-dinh-ky-luat"
TODAY = date(2026, 6, 10)
MEMBER, OUTSIDER, DISTRICT = USER, OTHER_USER, 4004
# Text found only in the two restricted documents (checked: none of it is in the public ones).
SECRETS = ("07/24 chi bộ", "mới đạt 81%", "24/24 chi bộ", "ngày 05 hằng tháng", "mới đạt 68%", "Phạm Văn Khải",
           "Hồ Thị Nga", "Lại Văn Tùng", "1,27 tỷ", "Cảnh cáo", "Phân xưởng Đúc", "52-TB/UBKTQU",
           "Ban Quản lý dự án đầu tư")
PHRASINGS = [
    "Phường An Phú còn hạn chế gì?",
    "dang uy phuong an phu con han che gi",
    "ĐU P. An Phú phải khắc phục những gì, đến khi nào?",
    "Đơn vị tôi còn hạn chế gì?",  # with An Phú chosen by /donvi, which opens nothing
    "Kết quả kiểm tra ở Tòa án nhân dân quận thế nào?",
    "Công ty Cơ khí Hòa Bình có ưu điểm gì?",
    "Đơn vị nào chưa tổ chức sinh hoạt chuyên đề?",
    "Đơn vị nào bị kỷ luật, hình thức gì?",
    "Đồng chí Phạm Văn Khải bị kỷ luật hình thức gì, vì sao?",
    "Tỷ lệ đảng viên sử dụng Sổ tay đảng viên điện tử ở An Phú là bao nhiêu?",
    "thanh toán vượt khối lượng bao nhiêu tiền",
]
FOLLOW_UPS = ["còn phường An Phú thì sao?", "thế còn kỷ luật thì sao?", "còn công ty cơ khí thì sao?"]


def build_kb(data_dir: Path, files: list[str]) -> Any:
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings
    from tests.fakes.embedder import HashEmbeddings

    services = build_services(KnowledgeSettings(data_dir=data_dir), embeddings=HashEmbeddings())  # type: ignore[call-arg]
    report = services.ingest.ingest_paths([FIXTURES / f for f in files])
    assert report.ok, report
    return services


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Any:
    files = sorted(p.name for p in FIXTURES.glob("0*.txt"))
    services = build_kb(tmp_path_factory.mktemp("findings-bot") / "data", files)
    assert services.findings.restrict(NOTICE, ["phường An Phú"]) == ("Đảng ủy phường An Phú",)
    services.findings.restrict(DISCIPLINE)  # the units it concerns
    return services


async def findings_bot(make_bot: BotFactory, kb: Any, **kw: Any) -> Harness:
    """The bot on the findings knowledge base, with MEMBER, OUTSIDER and DISTRICT granted by the admin."""
    kw.setdefault("user_rate_limit", 1000)  # these tests ask many questions in a row
    bot = await make_bot(kb.engine, findings=kb.findings, today=lambda: TODAY, admin=kb.admin, **kw)
    assert "An Phú" in (await command(bot, ADMIN, f"/nguoidung donvi {MEMBER} phuong an phu")).text
    assert "Tân Lập" in (await command(bot, ADMIN, f"/nguoidung donvi {OUTSIDER} P. Tân Lập")).text
    assert "cấp quận" in (await command(bot, ADMIN, f"/nguoidung capquan {DISTRICT} Trần Hà")).text
    return bot


def secrets_in(text: str, typed: str = "") -> list[str]:
    """Restricted text in what a user was shown (a name the user typed and the bot repeats is no leak)."""
    return [s for s in SECRETS if s in text and s not in typed]


def shown_to(bot: Harness, chat_id: int, since: int) -> str:
    """Every text the bot sent, edited or popped up in this chat since ``since``."""
    out = []
    for c in bot.fake.calls[since:]:
        if "_error" in c.params:
            continue
        if c.method in ("sendMessage", "editMessageText") and c.chat_id == chat_id:
            out.append(c.text + " " + " ".join(c.button_texts()))
        elif c.method == "answerCallbackQuery":
            out.append(str(c.params.get("text", "")))
    return "\n".join(out)


async def settle(bot: Harness, quiet_s: float = 0.3, limit_s: float = 5.0) -> None:
    """Wait until the bot has sent nothing for ``quiet_s`` (every part of every reply is in)."""
    waited, seen = 0.0, -1
    while waited < limit_s and seen != len(bot.fake.calls):
        seen = len(bot.fake.calls)
        await asyncio.sleep(quiet_s)
        waited += quiet_s


async def buttons(bot: Harness, user: int, answer: Call) -> str:
    """Press "Nguồn" and, when there, "Xem toàn văn mục" under an answer; what they showed."""
    pressed = ""
    for label in (texts.BTN_SOURCES, texts.BTN_SECTION):
        if label not in answer.button_texts():
            continue
        since = bot.fake.mark()
        bot.fake.press(answer, label, user_id=user)
        await bot.fake.wait_for("answerCallbackQuery", since=since)
        await bot.fake.wait_for("sendMessage", lambda c: c.chat_id == user, since=since, timeout=5)
        await settle(bot)
        pressed += shown_to(bot, user, since)
    return pressed


async def ask(bot: Harness, user: int, question: str) -> tuple[str, Call]:
    calls = await bot.send(user, question, timeout=10)
    return "\n".join(c.text for c in calls), calls[-1]


# --- who may read ------------------------------------------------------------------------------


async def test_an_outsider_reaches_no_restricted_finding_by_any_phrasing_follow_up_or_button(
    make_bot: BotFactory, kb: Any
) -> None:
    bot = await findings_bot(make_bot, kb)
    await command(bot, OUTSIDER, "/donvi phường An Phú")  # picking a unit is not belonging to it
    since = bot.fake.mark()
    for question in [*PHRASINGS, *FOLLOW_UPS]:
        text, last = await ask(bot, OUTSIDER, question)
        assert secrets_in(text, question) == [], question
        assert secrets_in(await buttons(bot, OUTSIDER, last), question) == [], question
    for cmd in ("/donvi", "/hanchot", "/hanchot Công ty Cơ khí Hòa Bình", "/tailieu"):
        await command(bot, OUTSIDER, cmd)
    await settle(bot)
    everything = shown_to(bot, OUTSIDER, since)
    assert "Đảng ủy Công ty Cổ phần Cơ khí Hòa Bình" in everything and "Tài liệu hiện có (4)" in everything
    assert secrets_in(everything, " ".join(PHRASINGS)) == []  # the commands' replies, every part of every reply
    mine = ("Đảng ủy phường Tân Lập",)  # the unit the admin assigned, not the one picked with /donvi
    assert bot.engine.viewers and all(v is not None and v.units == mine for v in bot.engine.viewers)
    assert bot.engine.button_viewers and all(v is not None and v.units == mine for v in bot.engine.button_viewers)


async def test_the_units_own_member_a_district_reader_and_an_admin_do_read_it(make_bot: BotFactory, kb: Any) -> None:
    bot = await findings_bot(make_bot, kb)
    for user in (MEMBER, DISTRICT, ADMIN):
        text, last = await ask(bot, user, "Phường An Phú còn hạn chế gì?")
        assert "07/24 chi bộ" in text and "112-TB/QU" in text, user
        quoted = await buttons(bot, user, last)
        assert "07/24 chi bộ" in quoted and texts.QUOTE_UNAVAILABLE not in quoted, user
    text, _ = await ask(bot, DISTRICT, "Đồng chí Lại Văn Tùng bị kỷ luật hình thức gì?")
    assert "Khiển trách" in text  # a district reader reads every unit's restricted documents
    text, _ = await ask(bot, MEMBER, "Đồng chí Lại Văn Tùng bị kỷ luật hình thức gì?")
    assert "Khiển trách" not in text  # … a member only their own unit's
    documents = await command(bot, MEMBER, "/tailieu")
    assert "Tài liệu hiện có (5)" in documents.text and "112-TB/QU</b>" in documents.text  # not 52-TB/UBKTQU
    assert documents.text.count(texts.DOC_RESTRICTED) == 1
    assert "Tài liệu hiện có (6)" in (await command(bot, ADMIN, "/tailieu")).text
    await settle(bot)  # the admin's version buttons come in a second message
    listing = await command(bot, ADMIN, "/nguoidung")
    assert f"<code>{DISTRICT}</code> Trần Hà — người dùng — người đọc cấp quận" in listing.text
    assert f"<code>{MEMBER}</code> — người dùng — thành viên Đảng ủy phường An Phú" in listing.text
    assert "không còn là người đọc cấp quận" in (await command(bot, ADMIN, f"/nguoidung bocapquan {DISTRICT}")).text
    text, _ = await ask(bot, DISTRICT, "Phường An Phú còn hạn chế gì?")
    assert secrets_in(text) == []


async def test_buttons_of_an_old_answer_follow_what_the_presser_may_read_now(make_bot: BotFactory, kb: Any) -> None:
    bot = await findings_bot(make_bot, kb)
    text, answer = await ask(bot, MEMBER, "Phường An Phú còn hạn chế gì?")
    assert "07/24 chi bộ" in text and texts.BTN_SECTION in answer.button_texts()
    await command(bot, ADMIN, f"/nguoidung donvi {MEMBER} phường Tân Lập")  # moved to another unit
    pressed = await buttons(bot, MEMBER, answer)
    assert secrets_in(pressed) == [] and texts.QUOTE_UNAVAILABLE in pressed and texts.SECTION_MISSING in pressed
    text, _ = await ask(bot, MEMBER, "còn hạn chế nào nữa?")  # a follow-up of the old question
    assert secrets_in(text) == []
    # someone else's buttons stay theirs, whatever they may read
    since = bot.fake.mark()
    bot.fake.press(answer, texts.BTN_SOURCES, user_id=ADMIN)
    alert = await bot.fake.wait_for("answerCallbackQuery", since=since, timeout=5)
    assert alert.params.get("text") == texts.NOT_YOUR_BUTTON


async def test_in_a_group_everyone_reads_the_answer_so_only_public_documents_are_used(
    make_bot: BotFactory, kb: Any
) -> None:
    bot = await findings_bot(make_bot, kb)
    since = bot.fake.mark()
    bot.fake.group_message(GROUP, ADMIN, "Phường An Phú còn hạn chế gì?", mention=True)
    reply = await bot.fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP and c.reply_markup is not None,
                                    since=since, timeout=10)
    assert secrets_in(shown_to(bot, GROUP, since)) == [] and "07/24 chi bộ" not in reply.text
    assert bot.engine.viewers[-1] is not None and bot.engine.viewers[-1].role == "member"


# --- /donvi and /hanchot -------------------------------------------------------------------------


async def test_donvi_shows_the_unit_its_latest_findings_and_open_remedies(make_bot: BotFactory, kb: Any) -> None:
    bot = await findings_bot(make_bot, kb)
    summary = await command(bot, MEMBER, "/donvi")  # the unit the admin assigned
    assert "🏢 <b>Đảng ủy phường An Phú</b>" in summary.text
    assert "112-TB/QU" in summary.text and "07/24 chi bộ" in summary.text  # newest findings, restricted for others
    assert "<b>Yêu cầu khắc phục (" in summary.text
    assert "hạn 30/06/2026 (còn 20 ngày; trước ngày 30/6/2026)" in summary.text
    assert texts.DEADLINE_NONE in summary.text  # a remedy the documents give no deadline
    assert texts.BTN_DUE.format(days=30) in summary.button_texts()
    outsider = await command(bot, OUTSIDER, "/donvi")
    assert "Đảng ủy phường Tân Lập" in outsider.text and secrets_in(outsider.text) == []


async def test_donvi_with_a_name_resolves_it_or_says_it_is_unknown(make_bot: BotFactory, kb: Any) -> None:
    bot = await findings_bot(make_bot, kb)
    chosen = await command(bot, OUTSIDER, "/donvi DU P. Dong Hai")
    assert "Đã đặt đơn vị" in chosen.text and "Đảng ủy phường Đông Hải" in chosen.text
    assert texts.SUMMARY_INSPECTED in chosen.text
    assert bot.state.people.unit(OUTSIDER) == "Đảng ủy phường Đông Hải"
    assert bot.state.people.member_unit(OUTSIDER) == "Đảng ủy phường Tân Lập"  # membership unchanged
    unknown = await command(bot, OUTSIDER, "/donvi phường Không Có")
    assert "Không tìm thấy đơn vị “phường Không Có”" in unknown.text
    typo = await command(bot, OUTSIDER, "/donvi phường An Fu")
    assert texts.UNIT_SUGGEST in typo.text and "Đảng ủy phường An Phú" in typo.button_texts()
    since = bot.fake.mark()
    bot.fake.press(typo, "Đảng ủy phường An Phú", user_id=OUTSIDER)
    await bot.fake.wait_for("editMessageText", lambda c: "An Phú" in c.text, since=since)
    await bot.fake.wait_for("sendMessage", lambda c: "🏢 <b>Đảng ủy phường An Phú" in c.text, since=since)
    assert bot.state.people.unit(OUTSIDER) == "Đảng ủy phường An Phú"
    # a unit named only in a restricted document is unknown to whoever may not read it
    hidden = await command(bot, OUTSIDER, "/donvi Chi bộ Ban Quản lý dự án đầu tư xây dựng quận Hòa Bình")
    assert "Không tìm thấy đơn vị" in hidden.text
    menu = await command(bot, OUTSIDER, "/hanchot Chi bộ Ban Quản lý dự án đầu tư xây dựng quận Hòa Bình")
    assert "Không tìm thấy đơn vị" in menu.text
    assert "Đã đặt" in (await command(bot, DISTRICT, "/donvi Chi bộ Ban Quản lý dự án")).text


async def test_hanchot_lists_what_is_due_and_says_plainly_when_nothing_is(make_bot: BotFactory, kb: Any) -> None:
    bot = await findings_bot(make_bot, kb)
    due = await command(bot, MEMBER, "/hanchot")
    assert "đến hạn trong 30 ngày tới</b> (tính từ 10/06/2026)" in due.text
    assert due.text.count("<b>30/06/2026</b> (còn 20 ngày)") == 2  # the notice and the remedy plan
    assert "112-TB/QU" in due.text and "38-KH/QU" in due.text and "không được tài liệu nêu thời hạn" in due.text
    outsider = await command(bot, OUTSIDER, "/hanchot phường An Phú")
    assert outsider.text.count("<b>30/06/2026</b>") == 1 and "38-KH/QU" in outsider.text
    assert "112-TB/QU" not in outsider.text  # the restricted notice's remedy is not theirs to see
    later = await command(bot, OUTSIDER, "/hanchot")  # Tân Lập: nothing within 30 days
    assert "Không có yêu cầu khắc phục nào của <b>Đảng ủy phường Tân Lập</b> đến hạn" in later.text
    assert "Hạn gần nhất sau đó" in later.text
    undated = await command(bot, OUTSIDER, "/hanchot Văn phòng Quận ủy")
    assert "không được tài liệu nêu thời hạn, nên không có hạn chót nào để nhắc" in undated.text
    none = await command(bot, OUTSIDER, "/hanchot Chi bộ Trường Trung học cơ sở Tân Lập")
    assert "không nêu yêu cầu khắc phục nào còn hạn" in none.text
    quota_only = await command(bot, OUTSIDER, "/hanchot phường Bình Minh")
    assert "chưa nêu kết quả kiểm tra" in quota_only.text
    assert (await command(bot, DISTRICT, "/hanchot")).text == texts.DUE_NO_UNIT
    summary = await command(bot, MEMBER, "/donvi")
    since = bot.fake.mark()
    bot.fake.press(summary, "Hạn khắc phục", user_id=MEMBER)
    pressed = await bot.fake.wait_for("sendMessage", lambda c: c.chat_id == MEMBER, since=since)
    assert pressed.text == due.text


# --- admins ----------------------------------------------------------------------------------------


@pytest.fixture
def small_kb(tmp_path: Path) -> Iterator[Any]:
    """A knowledge base of its own (uploads and unit edits change it): the public remedy plan only."""
    yield build_kb(tmp_path / "kb", ["04_ke-hoach-khac-phuc_table.txt"])


async def test_an_upload_made_restricted_on_its_preview_is_read_only_by_its_units(
    make_bot: BotFactory, small_kb: Any
) -> None:
    bot = await findings_bot(make_bot, small_kb)
    preview = await upload(bot, "112-TB-QU.txt", (FIXTURES / f"{NOTICE}.txt").read_bytes())
    assert "Mặc định tài liệu là <b>công khai</b>" in preview.text and "<b>Đảng ủy phường An Phú</b>" in preview.text
    assert texts.BTN_MAKE_RESTRICTED in preview.button_texts()
    switched = await press(bot, preview, texts.BTN_MAKE_RESTRICTED, method="editMessageReplyMarkup")
    assert bot.fake.messages[(ADMIN, preview.params["_result"]["message_id"])]["reply_markup"] == switched.reply_markup
    labels = switched.button_texts()
    assert texts.BTN_ADD + texts.BTN_RESTRICTED_MARK in labels and texts.BTN_MAKE_PUBLIC in labels
    done = await press(bot, preview, texts.BTN_ADD)
    assert "✅ Đã thêm" in done.text and "🔒 Chỉ thành viên của" in done.text
    assert small_kb.store.document("112-TB-QU").meta.restricted_units  # written with the document
    text, _ = await ask(bot, OUTSIDER, "Phường An Phú còn hạn chế gì?")
    assert secrets_in(text) == []
    text, _ = await ask(bot, MEMBER, "Phường An Phú còn hạn chế gì?")
    assert "07/24 chi bộ" in text


async def test_admins_edit_unit_names_from_the_bot(make_bot: BotFactory, small_kb: Any) -> None:
    bot = await findings_bot(make_bot, small_kb)
    assert (await command(bot, MEMBER, "/tendonvi them phường An Phú = AP1")).text == texts.ADMIN_ONLY
    assert "Không tìm thấy" in (await command(bot, OUTSIDER, "/donvi Cụm dân cư số 9")).text  # not yet
    added = await command(bot, ADMIN, "/tendonvi them phuong an phu = Cụm dân cư số 9")
    assert "tên gọi khác của <b>Đảng ủy phường An Phú</b>" in added.text
    chosen = await command(bot, OUTSIDER, "/donvi Cụm dân cư số 9")
    assert "Đã đặt đơn vị" in chosen.text and "Đảng ủy phường An Phú" in chosen.text
    assert "Tên gọi khác: Cụm dân cư số 9" in chosen.text
    listing = await command(bot, ADMIN, "/tendonvi")
    assert "Cụm dân cư số 9" in listing.text and "/tendonvi doiten" in listing.text
    renamed = await command(bot, ADMIN, "/tendonvi doiten Tân Lập = Đảng bộ phường Tân Lập")
    assert "từ nay hiển thị là <b>Đảng bộ phường Tân Lập</b>" in renamed.text
    assert "🏢 <b>Đảng bộ phường Tân Lập</b>" in (await command(bot, ADMIN, "/donvi phường Tân Lập")).text
    unknown = await command(bot, ADMIN, "/tendonvi them phường Không Có = KC")
    assert "Không tìm thấy đơn vị" in unknown.text  # a typo never creates a unit
    assert "Đã bỏ" in (await command(bot, ADMIN, "/tendonvi xoa Cụm dân cư số 9")).text
    assert "Không tìm thấy" in (await command(bot, OUTSIDER, "/donvi Cụm dân cư số 9")).text
    assert "/tendonvi them" in (await command(bot, ADMIN, "/tendonvi them chỉ một tên")).text  # usage
