"""A restart is invisible to users: roles, units, history, buttons, links and pending previews survive."""

from __future__ import annotations

import re

from knowledge.models import Answer, Citation
from tests.e2e.conftest import ADMIN, GROUP, STRANGER, USER, BotFactory, restart
from tests.e2e.test_admin import GUIDE, press, upload
from tests.e2e.test_bot import Q_DIACRITICS, joined
from tests.fakes.document_admin import FakeDocumentAdmin
from tests.fakes.engine import FakeEngine, seed_chunks


async def test_restart_keeps_people_units_history_buttons_links_and_previews(make_bot: BotFactory) -> None:
    c = seed_chunks()[0]
    long = Answer(text="\n\n".join(f"Phần {i}: " + "nội dung chi tiết của văn bản " * 12 for i in range(8)),
                  grounded=True, citations=(Citation(1, c.chunk_id, c.doc_id, "01-CTr/QU", "Tiêu đề", "Mục 1",
                                                     "2017-08-15", "…"),))
    engine = FakeEngine(scripted={"chi tiet": long})
    admin = FakeDocumentAdmin(engine)
    bot = await make_bot(engine, admin=admin)

    since = bot.fake.mark()
    bot.fake.private_message(ADMIN, f"/nguoidung them {STRANGER}")
    await bot.first_message(ADMIN, since=since)
    since = bot.fake.mark()
    bot.fake.private_message(USER, "/donvi phuong cu khoi")
    await bot.first_message(USER, since=since)
    before = await bot.send(USER, Q_DIACRITICS)
    member = 4004
    since = bot.fake.mark()
    bot.fake.group_message(GROUP, member, "chi tiết", mention=True)
    [short] = await bot.reply(GROUP, since=since)
    link = next(b["url"] for row in short.reply_markup["inline_keyboard"] for b in row if "url" in b)
    preview = await upload(bot, "huong-dan.txt", GUIDE)
    audited = bot.state.audit.count()

    bot = await restart(make_bot, bot)

    assert "01-CTr/QU" in joined(await bot.send(STRANGER, Q_DIACRITICS))  # added from Telegram, still allowed
    follow = await bot.send(USER, "Trưởng đoàn là ai?")  # history and unit survived
    assert "Nguyễn Huy Thắng" in joined(follow)
    assert [t.question for t in bot.engine.calls[-1].history] == [Q_DIACRITICS]
    assert bot.engine.calls[-1].unit == "phường Cự Khối"
    since = bot.fake.mark()  # a button under an answer given before the restart
    bot.fake.press(before[-1], "Nguồn", user_id=USER)
    assert "Trích dẫn nguyên văn" in (await bot.first_message(USER, since=since)).text
    payload = re.search(r"start=(a_[\w-]+)", link)
    assert payload
    assert "Phần 7" in joined(await bot.send(member, f"/start {payload.group(1)}"))  # the link still opens
    done = await press(bot, preview, "Thêm")  # the preview shown before the restart still works
    assert "✅ Đã thêm tài liệu" in done.text
    assert bot.state.audit.count() == audited + 2  # both runs write to the same audit log
