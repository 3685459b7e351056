"""Admins in Telegram: preview before ingest, versions, people and roles, audit, buttons that belong to their answer."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

from bot import texts
from tests.e2e.conftest import ADMIN, GROUP, OTHER_USER, ROOT, STRANGER, USER, BotFactory, Harness
from tests.e2e.test_bot import Q_DIACRITICS, joined
from tests.fakes.document_admin import FakeDocumentAdmin
from tests.fakes.engine import FakeEngine
from tests.fakes.telegram_server import Call

CHARTER = ROOT / "knowledge/data/samples/DieuLeDang_2011-01-19_Dai-hoi-XI.txt"
GUIDE = """BAN TỔ CHỨC THÀNH ỦY
Số 07-HD/BTCTU
Hà Nội, ngày 05 tháng 3 năm 2024

HƯỚNG DẪN
về việc thu nộp đảng phí tại các chi bộ phường

1. Đảng viên nộp đảng phí hằng tháng cho chi bộ trước ngày mười.

2. Chi ủy lập sổ theo dõi thu nộp đảng phí của từng đảng viên và báo cáo đảng ủy phường mỗi quý.
""".encode()
Q_DUES = "Đảng viên đóng đảng phí bao nhiêu?"


async def admin_bot(make_bot: BotFactory, **kw: Any) -> tuple[Harness, FakeDocumentAdmin]:
    engine = FakeEngine()
    admin = FakeDocumentAdmin(engine, **{k: kw.pop(k) for k in ("ttl_s",) if k in kw})
    return await make_bot(engine, admin=admin, **kw), admin


async def upload(bot: Harness, name: str, data: bytes, *, user: int = ADMIN) -> Call:
    """Send a file; the preview (the "reading…" message edited, with buttons)."""
    since = bot.fake.mark()
    bot.fake.document(user, name, data)
    return await bot.fake.wait_for("editMessageText", lambda c: c.chat_id == user and c.reply_markup is not None,
                                   since=since, timeout=10)


async def press(bot: Harness, message: Call | dict[str, Any], button: str, *, user: int = ADMIN,
                method: str = "editMessageText", final: bool = True) -> Call:
    """Press a button; the edit (or message) that results (``final``: skip the "working…" step)."""
    since = bot.fake.mark()
    bot.fake.press(message, button, user_id=user)
    return await bot.fake.wait_for(
        method, lambda c: not final or ("Đang lưu" not in c.text and "Đang xử lý" not in c.text), since=since,
        timeout=10,
    )


async def command(bot: Harness, user: int, text: str, *, chat: int | None = None) -> Call:
    since = bot.fake.mark()
    if chat is None:
        bot.fake.private_message(user, text)
    else:
        bot.fake.group_message(chat, user, text)
    return await bot.first_message(chat or user, since=since)


# --- preview, then confirm ---------------------------------------------------------------------


async def test_upload_preview_then_add_then_cited(make_bot: BotFactory) -> None:
    bot, admin = await admin_bot(make_bot)
    before = list(admin.engine.chunks)  # type: ignore[union-attr]
    preview = await upload(bot, "huong-dan-dang-phi.txt", GUIDE)
    for shown in ("Số hiệu: <b>07-HD/BTCTU</b>", "Ngày ban hành: <b>05/03/2024</b>", "Số đoạn: <b>", "<blockquote>",
                  "Nếu thêm", "Chưa có gì được lưu"):
        assert shown in preview.text, shown
    assert preview.button_texts() == [texts.BTN_ADD, texts.BTN_CANCEL]  # nothing to replace
    assert [c[0] for c in admin.calls] == ["preview_bytes"] and admin.engine.chunks == before  # nothing written
    done = await press(bot, preview, "Thêm")
    assert "✅ Đã thêm tài liệu" in done.text and "07-HD/BTCTU" in done.text and not done.reply_markup
    answer = joined(await bot.send(USER, "Chi ủy lập sổ theo dõi thu nộp đảng phí thế nào?"))
    assert "07-HD/BTCTU" in answer and "sổ theo dõi" in answer


async def test_cancel_leaves_no_trace_and_a_second_press_is_refused(make_bot: BotFactory) -> None:
    bot, admin = await admin_bot(make_bot)
    preview = await upload(bot, "huong-dan.txt", GUIDE)
    cancelled = await press(bot, preview, "Hủy")
    assert "Đã hủy" in cancelled.text and "Không có gì được lưu" in cancelled.text
    assert admin.live_documents() == {} and ("cancel",) == admin.calls[-1][:1]
    since = bot.fake.mark()
    bot.fake.callback(bot.fake.messages[(ADMIN, preview.params["_result"]["message_id"])],
                      preview.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"], user_id=ADMIN)
    alert = await bot.fake.wait_for("answerCallbackQuery", since=since)
    assert alert.params["text"] == texts.PREVIEW_GONE and admin.live_documents() == {}


async def test_double_press_adds_once(make_bot: BotFactory) -> None:
    bot, admin = await admin_bot(make_bot)
    preview = await upload(bot, "huong-dan.txt", GUIDE)
    message = bot.fake.messages[(ADMIN, preview.params["_result"]["message_id"])]
    data = preview.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    since = bot.fake.mark()
    bot.fake.callback(message, data, user_id=ADMIN)
    bot.fake.callback(message, data, user_id=ADMIN)
    await bot.fake.wait_for("editMessageText", lambda c: "✅" in c.text, since=since, timeout=10)
    await asyncio.sleep(0.3)
    assert [c[0] for c in admin.calls].count("confirm") == 1 and len(admin.live_documents()) == 1
    alerts = [c.params.get("text") for c in bot.fake.calls_of("answerCallbackQuery")[-2:]]
    assert texts.PREVIEW_GONE in alerts


async def test_preview_expires(make_bot: BotFactory) -> None:
    bot, admin = await admin_bot(make_bot, ttl_s=0.5)
    preview = await upload(bot, "huong-dan.txt", GUIDE)
    await asyncio.sleep(0.6)
    expired = await press(bot, preview, "Thêm")
    assert "hết hạn" in expired.text and admin.live_documents() == {}
    assert "confirm" not in [c[0] for c in admin.calls]


async def test_a_draft_with_the_charters_file_name_is_added_beside_it_never_offered_as_its_replacement(
    make_bot: BotFactory,
) -> None:
    bot, admin = await admin_bot(make_bot)
    admin.add_file(CHARTER)
    draft = "Đảng viên phải đóng đảng phí 5% thu nhập.".encode()
    preview = await upload(bot, CHARTER.name, draft)
    assert "Cùng tên tệp với" in preview.text and "Điều lệ Đảng Cộng sản Việt Nam" in preview.text
    assert "tài liệu đã có giữ nguyên" in preview.text
    assert preview.button_texts() == [texts.BTN_ADD, texts.BTN_CANCEL]
    added = await press(bot, preview, texts.BTN_ADD)
    assert "✅" in added.text and len(admin.live_documents()) == 2
    again = await upload(bot, CHARTER.name, draft)  # the same draft again: stored as it is, nothing to offer
    assert "giống hệt" in again.text and again.button_texts() == [texts.BTN_CLOSE]


async def test_a_reissue_offers_replace_first_with_its_changes_then_restores(make_bot: BotFactory) -> None:
    bot, admin = await admin_bot(make_bot)
    admin.add_file(CHARTER)
    charter = CHARTER.read_text(encoding="utf-8")
    question = "Tài chính của Đảng gồm đảng phí do ai đóng?"
    rule = "Tài chính của Đảng gồm đảng phí do đảng viên đóng"
    assert rule in charter
    amended = charter.replace(rule, "Tài chính của Đảng gồm đảng phí do đảng viên đóng bằng 5% thu nhập")
    preview = await upload(bot, "dieu-le-sua-doi.txt", amended.encode())
    assert "Nội dung gần giống" in preview.text and "thêm 1 đoạn, bỏ 1 đoạn" in preview.text
    labels = preview.button_texts()
    assert labels[0].startswith("🔁 Thay thế: Điều lệ Đảng") and labels[1] == texts.BTN_ADD and labels[-1] == texts.BTN_CANCEL
    assert "5%" not in joined(await bot.send(USER, question))  # nothing replaced before the button

    replaced = await press(bot, preview, "Thay thế")
    assert "✅ Đã thay thế" in replaced.text and "Phiên bản cũ được giữ lại" in replaced.text
    assert "5% thu nhập" in joined(await bot.send(USER, question))

    listing = await command(bot, ADMIN, "/tailieu")  # the listing, then the admin buttons
    hint = await bot.fake.wait_for("sendMessage", lambda c: c.reply_markup is not None and c.chat_id == ADMIN,
                                   since=bot.fake.calls.index(listing))
    versions = await press(bot, hint, "Điều lệ Đảng", method="sendMessage")
    assert "v2" in versions.text and "đang dùng" in versions.text and "v1" in versions.text
    confirm = await press(bot, versions, "Khôi phục v1")
    assert "Khôi phục phiên bản" in confirm.text and confirm.button_texts() == [texts.BTN_CONFIRM, texts.BTN_CANCEL]
    assert "5% thu nhập" in joined(await bot.send(OTHER_USER, question))  # not before confirming
    restored = await press(bot, confirm, "Xác nhận")
    assert "✅ Đã khôi phục" in restored.text and "Điều lệ Đảng" in restored.text
    answer = joined(await bot.send(OTHER_USER, question))
    assert "5%" not in answer and "đảng phí do đảng viên đóng" in answer
    assert [v.live for v in admin.history(admin.live_documents().popitem()[0])] == [False, True]


async def test_identical_content_is_refused_as_a_duplicate(make_bot: BotFactory) -> None:
    bot, admin = await admin_bot(make_bot)
    admin.add_file(CHARTER)
    preview = await upload(bot, "dieu-le-ban-sao.txt", CHARTER.read_bytes())
    assert "giống hệt" in preview.text and preview.button_texts() == [texts.BTN_CLOSE]
    closed = await press(bot, preview, texts.BTN_CLOSE)
    assert "Không có gì được lưu" in closed.text and len(admin.live_documents()) == 1


async def test_uploads_refused_for_non_admins_and_in_groups(make_bot: BotFactory) -> None:
    bot, admin = await admin_bot(make_bot)
    since = bot.fake.mark()
    bot.fake.document(USER, "x.txt", GUIDE)
    assert "chỉ quản trị viên" in (await bot.first_message(USER, since=since)).text
    since = bot.fake.mark()
    bot.fake.document(ADMIN, "x.txt", GUIDE, chat_id=GROUP, mention=True)
    assert "tin nhắn riêng" in (await bot.first_message(GROUP, since=since)).text
    since = bot.fake.mark()
    bot.fake.document(ADMIN, "anh.jpg", b"\xff\xd8")
    assert "chưa được hỗ trợ" in (await bot.first_message(ADMIN, since=since)).text
    assert admin.calls == []


async def test_a_bad_file_gets_a_clear_reason(make_bot: BotFactory) -> None:
    bot, admin = await admin_bot(make_bot)
    since = bot.fake.mark()
    bot.fake.document(ADMIN, "trong.txt", b"   \n  ")
    failed = await bot.fake.wait_for("editMessageText", lambda c: c.chat_id == ADMIN, since=since)
    assert failed.text.startswith("❌") and "trong.txt" in failed.text and "Traceback" not in failed.text


async def test_upload_through_real_ingest(make_bot: BotFactory, tmp_path: Path, real_engine: Any) -> None:
    """The real IngestService behind the same buttons."""
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings
    from tests.e2e.conftest import SEED_PATHS
    from tests.fakes.embedder import HashEmbeddings

    services = build_services(KnowledgeSettings(data_dir=tmp_path / "kb"), embeddings=HashEmbeddings())  # type: ignore[call-arg]
    bot = await make_bot(services.engine, admin=services.admin)
    seed = next(p for p in SEED_PATHS if p.exists())
    preview = await upload(bot, seed.name, seed.read_bytes())
    assert "01-CTr/QU" in preview.text and texts.BTN_ADD in preview.button_texts()
    assert services.engine.documents() == []  # nothing written before the button
    done = await press(bot, preview, "Thêm")
    assert "✅ Đã thêm tài liệu" in done.text
    assert "phường Cự Khối" in joined(await bot.send(USER, Q_DIACRITICS))


# --- people and roles ---------------------------------------------------------------------------


async def test_admins_manage_people_from_telegram(make_bot: BotFactory) -> None:
    bot = await make_bot()
    assert str(STRANGER) in (await command(bot, STRANGER, Q_DIACRITICS)).text  # refused, with their id
    assert "Đã cho phép" in (await command(bot, ADMIN, f"/nguoidung them {STRANGER} Nguyễn Văn A")).text
    assert "01-CTr/QU" in joined(await bot.send(STRANGER, Q_DIACRITICS))
    assert texts.ADMIN_ONLY == (await command(bot, STRANGER, "/nguoidung")).text
    listing = await command(bot, ADMIN, "/nguoidung")
    assert f"<code>{STRANGER}</code> Nguyễn Văn A — người dùng" in listing.text and str(GROUP) in listing.text

    assert "quản trị viên" in (await command(bot, ADMIN, f"/nguoidung quantri {STRANGER}")).text
    assert "Đã thu hồi" in (await command(bot, STRANGER, f"/nguoidung xoa {USER}")).text  # the new admin acts
    assert "quản trị viên" in (await command(bot, USER, Q_DIACRITICS)).text  # USER is refused now
    assert "BOT_ADMIN_IDS" in (await command(bot, STRANGER, f"/nguoidung xoa {ADMIN}")).text  # pinned

    unit = await command(bot, ADMIN, f"/nguoidung donvi {OTHER_USER} phuong cu khoi")
    assert "phường Cự Khối" in unit.text
    await bot.send(OTHER_USER, "Đơn vị tôi được kiểm tra vào thời gian nào?")
    assert bot.engine.calls[-1].unit == "phường Cự Khối"

    new_group = -1009999
    since = bot.fake.mark()
    bot.fake.group_message(new_group, 4242, Q_DIACRITICS, mention=True)
    await bot.fake.wait_for("sendMessage", lambda c: c.chat_id == new_group, since=since)  # refused
    allowed = await command(bot, ADMIN, "/nguoidung nhom", chat=new_group)
    assert str(new_group) in allowed.text
    since = bot.fake.mark()
    bot.fake.group_message(new_group, 4243, Q_DIACRITICS, mention=True)
    assert "01-CTr/QU" in joined(await bot.reply(new_group, since=since))


# --- audit and feedback -------------------------------------------------------------------------


async def test_audit_log_holds_every_exchange_and_exports_csv(make_bot: BotFactory) -> None:
    bot = await make_bot()
    first = await bot.send(USER, Q_DIACRITICS)
    await bot.send(OTHER_USER, "Giá vàng hôm nay bao nhiêu?")
    since = bot.fake.mark()
    bot.fake.group_message(GROUP, 4004, "Trưởng đoàn là ai?", mention=True)
    await bot.reply(GROUP, since=since)
    await press(bot, first[-1], "👎", user=USER, method="editMessageReplyMarkup")

    assert texts.ADMIN_ONLY == (await command(bot, USER, "/xuat")).text
    assert texts.PRIVATE_ONLY == (await command(bot, ADMIN, "/xuat", chat=GROUP)).text
    since = bot.fake.mark()
    bot.fake.private_message(ADMIN, "/xuat")
    sent = await bot.fake.wait_for("sendDocument", since=since)
    _, data = bot.fake.files[sent.params["_result"]["document"]["file_id"]]
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["question"] for r in rows] == [Q_DIACRITICS, "Giá vàng hôm nay bao nhiêu?", "Trưởng đoàn là ai?"]
    assert rows[0]["user_id"] == str(USER) and "01-CTr/QU" in rows[0]["citations"] and rows[0]["votes_down"] == "1"
    assert rows[1]["declined"] == "1" and rows[2]["chat_id"] == str(GROUP) and rows[2]["user_id"] == "4004"
    assert sent.params["document"].endswith(".csv>") and "3 lượt" in sent.params["caption"]

    stats = await command(bot, ADMIN, "/thongke")
    assert "Câu hỏi 7 ngày qua: <b>3</b> (từ 3 người)" in stats.text and "👎 1" in stats.text
    assert "không có câu trả lời trong tài liệu: <b>1</b>" in stats.text
    review = await command(bot, ADMIN, "/danhgia")
    assert Q_DIACRITICS in review.text and "01-CTr/QU" in review.text


async def test_audit_cli_exports_the_same_csv(make_bot: BotFactory, tmp_path: Path) -> None:
    from bot.audit import main as audit_main

    bot = await make_bot(state_path=tmp_path / "bot.sqlite3")
    await bot.send(USER, Q_DIACRITICS)
    out = tmp_path / "audit.csv"
    assert audit_main(["export", "--db", str(tmp_path / "bot.sqlite3"), "-o", str(out)]) == 0
    [row] = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert row["question"] == Q_DIACRITICS and row["user_id"] == str(USER)


async def test_every_admin_action_is_in_the_admin_export_of_xuat_and_the_cli(
    make_bot: BotFactory, tmp_path: Path
) -> None:
    from bot.audit import main as audit_main

    bot, admin = await admin_bot(make_bot, state_path=tmp_path / "bot.sqlite3")
    await press(bot, await upload(bot, "huong-dan.txt", GUIDE), texts.BTN_ADD)
    reissue = GUIDE.replace("trước ngày mười".encode(), "trước ngày mười lăm".encode())
    await press(bot, await upload(bot, "huong-dan-sua.txt", reissue), "Thay thế")
    await command(bot, ADMIN, "/nguoidung them 7777 Nguyễn Văn B")
    await command(bot, ADMIN, "/nguoidung xoa 7777")
    since = bot.fake.mark()
    bot.fake.private_message(ADMIN, "/xuat")
    sent = await bot.fake.wait_for("sendDocument", lambda c: "quan-tri" in c.params["document"], since=since)
    assert "thao tác" in sent.params["caption"]
    _, data = bot.fake.files[sent.params["_result"]["document"]["file_id"]]
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {r["user_id"] for r in rows} == {str(ADMIN)} and all(r["time_utc"] for r in rows)
    actions = [(r["action"], r["detail"]) for r in rows]
    assert [a for a, _ in actions] == ["preview", "add", "preview", "replace", "nguoidung them", "nguoidung xoa"]
    assert "huong-dan-sua.txt" in actions[3][1] and "replaced" in actions[3][1] and actions[4][1] == "7777"
    out = tmp_path / "quan-tri.csv"
    assert audit_main(["admin", "--db", str(tmp_path / "bot.sqlite3"), "-o", str(out)]) == 0
    cli_rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [(r["action"], r["detail"]) for r in cli_rows][: len(rows)] == actions


# --- buttons and links belong to their answer ---------------------------------------------------


async def test_forged_button_press_from_another_user_is_refused(fake_bot: Harness) -> None:
    bot = fake_bot
    calls = await bot.send(USER, Q_DIACRITICS)
    data = calls[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]  # USER's "Nguồn"
    own = await bot.send(OTHER_USER, "Trưởng đoàn là ai?")  # OTHER_USER has a bot message of their own
    refusal = await command(bot, STRANGER, "xin chào")  # and so has the stranger (the refusal)
    forgeries = (
        (OTHER_USER, bot.fake.messages[(OTHER_USER, own[-1].params["_result"]["message_id"])]),
        (OTHER_USER, bot.fake.messages[(USER, calls[-1].params["_result"]["message_id"])]),
        (STRANGER, bot.fake.messages[(STRANGER, refusal.params["_result"]["message_id"])]),
    )
    for user, message in forgeries:
        since = bot.fake.mark()
        bot.fake.callback(message, data, user_id=user)
        alert = await bot.fake.wait_for("answerCallbackQuery", since=since)
        assert alert.params["text"] in (texts.NOT_YOUR_BUTTON, texts.DENIED_SHORT.format(user_id=user))
        await asyncio.sleep(0.1)
        assert not [c for c in bot.fake.calls[since:] if c.method == "sendMessage"]  # no sources leaked
    since = bot.fake.mark()  # the asker's own press works
    bot.fake.press(calls[-1], "Nguồn", user_id=USER)
    assert "Trích dẫn nguyên văn" in (await bot.first_message(USER, since=since)).text


async def test_deep_links_open_only_for_whom_they_were_meant(make_bot: BotFactory) -> None:
    from tests.e2e.test_bot import test_group_long_answer_links_to_private_chat  # noqa: F401  (the happy path)

    bot = await make_bot()
    calls = await bot.send(USER, Q_DIACRITICS)
    answer_id = calls[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    assert "thành viên của nhóm" in (await command(bot, OTHER_USER, f"/start a_{answer_id}")).text
    since = bot.fake.mark()
    bot.fake.group_message(GROUP, USER, Q_DIACRITICS, mention=True)
    group_answer = await bot.reply(GROUP, since=since)
    group_id = group_answer[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    bot.fake.leave(GROUP, OTHER_USER)
    assert "thành viên của nhóm" in (await command(bot, OTHER_USER, f"/start a_{group_id}")).text
    bot.fake.join(GROUP, OTHER_USER)
    assert "01-CTr/QU" in joined(await bot.send(OTHER_USER, f"/start a_{group_id}"))
