"""Every Vietnamese user-facing string, plus the HTML render/escape helpers.

Telegram limits live here: HTML escaping of every dynamic string; splitting at 4,096
characters on paragraph boundaries is in ``bot.htmlsplit`` (re-exported here).
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta, timezone

from bot.htmlsplit import MAX_MESSAGE, is_balanced, split_html, tg_len
from knowledge.access import is_public, readers
from knowledge.answer.render import format_date
from knowledge.documents.clean import for_display
from knowledge.models import (
    Answer,
    Citation,
    DocumentMeta,
    FileResult,
    IngestPreview,
    StoredChunk,
    StoredMatch,
    VersionInfo,
)
from knowledge.state.audit import Downvoted, Stats
from knowledge.state.people import AllowedChat, Person

__all__ = ["MAX_MESSAGE", "is_balanced", "split_html", "tg_len"]  # the splitting helpers, re-exported
VN_TZ = timezone(timedelta(hours=7), "ICT")  # Vietnam has no daylight saving time

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
    "/donvi – đơn vị của bạn: kết quả kiểm tra, yêu cầu khắc phục (đặt: /donvi phường Cự Khối)\n"
    "/hanchot – các yêu cầu khắc phục của đơn vị sắp đến hạn\n"
    "/tailieu – danh sách tài liệu đã nạp\n"
    "/moi – bắt đầu cuộc trò chuyện mới\n"
    "/help – hướng dẫn này"
)
HELP_ADMIN = (
    "<b>Quản trị</b>\n"
    "Gửi tệp PDF, DOCX, TXT, HTML hoặc MD trong tin nhắn riêng: tôi cho xem trước, chỉ lưu khi bạn bấm nút.\n"
    "/tailieu – danh sách tài liệu, lịch sử phiên bản, khôi phục, gỡ\n"
    "/nguoidung – người dùng, quản trị viên, người đọc cấp quận, nhóm, đơn vị\n"
    "/tendonvi – tên đơn vị và tên gọi khác (thêm, đổi tên, bỏ)\n"
    "/thongke – thống kê câu hỏi và đánh giá\n"
    "/danhgia – các câu trả lời bị đánh giá 👎\n"
    "/xuat – xuất nhật ký hỏi đáp (CSV)"
)
EXAMPLES_HEADER = "<b>Ví dụ câu hỏi</b>"
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Bắt đầu"),
    ("help", "Hướng dẫn sử dụng"),
    ("donvi", "Đơn vị của bạn: kết quả kiểm tra, khắc phục"),
    ("hanchot", "Yêu cầu khắc phục sắp đến hạn"),
    ("tailieu", "Danh sách tài liệu"),
    ("moi", "Bắt đầu cuộc trò chuyện mới"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("nguoidung", "Quản lý người dùng và nhóm"),
    ("tendonvi", "Tên đơn vị và tên gọi khác"),
    ("thongke", "Thống kê"),
    ("danhgia", "Câu trả lời bị đánh giá 👎"),
    ("xuat", "Xuất nhật ký hỏi đáp (CSV)"),
)

DENIED = (
    "Xin lỗi, bạn chưa được cấp quyền sử dụng trợ lý này. Vui lòng liên hệ quản trị viên và "
    "gửi kèm mã người dùng của bạn: <code>{user_id}</code>."
)
DENIED_SHORT = "Bạn chưa được cấp quyền. Mã người dùng của bạn: {user_id}. Vui lòng liên hệ quản trị viên."
RATE_LIMITED = (
    "Bạn đang hỏi hơi nhanh. Bạn có thể hỏi tiếp sau khoảng {seconds} giây (lúc {clock}). "
    "Các tin nhắn gửi trước lúc đó sẽ không được trả lời."
)
RATE_LIMITED_SHORT = "Bạn thao tác hơi nhanh. Vui lòng thử lại sau khoảng {seconds} giây."
ONLY_TEXT = (
    "Tôi chỉ đọc được câu hỏi bằng chữ, chưa đọc được {kind}. Hãy gõ câu hỏi (có dấu hoặc không dấu); "
    "nếu gửi ảnh hoặc tệp, hãy viết câu hỏi vào phần chú thích."
)
KINDS = {
    "sticker": "nhãn dán (sticker)", "voice": "tin nhắn thoại", "audio": "tệp âm thanh", "video": "video",
    "video_note": "video tròn", "photo": "ảnh", "animation": "ảnh động", "location": "vị trí",
    "venue": "địa điểm", "contact": "danh bạ", "poll": "cuộc bình chọn", "dice": "xúc xắc",
    "document": "nội dung tệp", "story": "tin (story)", "game": "trò chơi",
}
KIND_OTHER = "loại tin nhắn này"
CAPTION_NOTE = "📎 Tôi trả lời câu hỏi trong phần chú thích; nội dung ảnh hoặc tệp đính kèm không được đọc."
EDITED_NOTE = "✏️ Bạn đã sửa câu hỏi — đây là câu trả lời cho câu hỏi đã sửa."
UNKNOWN_COMMAND = "Tôi không biết lệnh này. Gõ /help để xem các lệnh."
NOT_YOUR_BUTTON = "Nút này thuộc về câu trả lời dành cho người khác."
NOT_YOUR_LINK = "Liên kết này chỉ dành cho thành viên của nhóm nơi câu hỏi được trả lời."
ADMIN_ONLY = "Lệnh này chỉ dành cho quản trị viên."
PRIVATE_ONLY = "Vui lòng dùng lệnh này trong tin nhắn riêng với tôi."
ERROR_GENERIC = "Xin lỗi, đã có lỗi khi xử lý yêu cầu của bạn. Vui lòng thử lại sau ít phút."
EMPTY_QUESTION = "Bạn muốn hỏi gì? Hãy viết câu hỏi ngay sau khi nhắc đến tôi."
NEW_CONVERSATION = "Đã bắt đầu cuộc trò chuyện mới. Các câu hỏi trước sẽ không còn được dùng làm ngữ cảnh."
STREAM_PLACEHOLDER = "⏳ Đang soạn câu trả lời…"

SOURCES_TITLE = "<b>Nguồn:</b>"
SUGGESTIONS_TITLE = "Các tài liệu hiện có gần nhất với câu hỏi:"
QUOTES_TITLE = "<b>Trích dẫn nguyên văn</b>"
SECTION_TITLE = "<b>Toàn văn mục</b>"
ANSWER_EXPIRED = "Câu trả lời này đã cũ nên tôi không còn lưu nguồn. Vui lòng hỏi lại."
NO_SOURCES = "Câu trả lời này không có nguồn trích dẫn."
QUOTE_UNAVAILABLE = "Đoạn này hiện không xem được (tài liệu đã thay đổi, hoặc bạn không có quyền xem)."
SECTION_MISSING = "Không tìm thấy mục này trong tài liệu (có thể tài liệu vừa được cập nhật)."
FEEDBACK_UP = "Cảm ơn bạn đã đánh giá!"
FEEDBACK_DOWN = "Cảm ơn góp ý của bạn, chúng tôi sẽ cải thiện."
FEEDBACK_CHANGED = "Đã đổi đánh giá của bạn thành {vote}."
FEEDBACK_SAME = "Bạn đã chọn {vote} cho câu trả lời này rồi."
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
UNIT_UNKNOWN = (
    "Không tìm thấy đơn vị “{query}” trong các tài liệu hiện có. Hãy gõ đúng tên đơn vị (có dấu hoặc không dấu), "
    "ví dụ /donvi phường An Phú, hoặc gõ /donvi để chọn trong danh sách."
)
UNIT_SUGGEST = "Có phải bạn muốn chọn một trong các đơn vị sau?"
UNIT_NO_FINDINGS = "Tài liệu hiện có chưa nêu kết quả kiểm tra, giám sát nào về <b>{unit}</b>."
UNIT_MEMBER_NOTE = "<i>Bạn được quản trị viên xác nhận là thành viên của {unit}.</i>"

# /donvi summary and /hanchot (rendered by bot.unitview)
SUMMARY_TITLE = "🏢 <b>{unit}</b>"
SUMMARY_ALIASES = "Tên gọi khác: {names}"
SUMMARY_INSPECTED = "<b>Văn bản kiểm tra, giám sát liên quan</b>"
SUMMARY_LATEST = "<b>Kết quả mới nhất</b> — {doc}"
SUMMARY_EARLIER = "<b>Kết quả trước đó</b> — {doc}"
SUMMARY_OLDER = "<i>Còn {n} kết quả trong các tài liệu cũ hơn; hỏi ví dụ “{unit} còn hạn chế gì?” để xem đầy đủ.</i>"
SUMMARY_REMEDIES = "<b>Yêu cầu khắc phục ({n})</b>"
SUMMARY_OVERDUE_NOTE = (
    "<i>⚠️ {n} yêu cầu đã quá hạn. Tài liệu không ghi nhận việc đã khắc phục hay chưa: "
    "đề nghị đơn vị đối chiếu với báo cáo kết quả khắc phục.</i>"
)
SUMMARY_NO_REMEDIES = "<i>Tài liệu không nêu yêu cầu khắc phục nào đối với đơn vị.</i>"
SUMMARY_MORE = "<i>… và {n} mục khác.</i>"
DEADLINE_NONE = "tài liệu không nêu thời hạn"
DEADLINE_DUE = "hạn {date}"
DAYS_LEFT = "còn {n} ngày"
DAYS_TODAY = "đến hạn hôm nay"
DAYS_OVERDUE = "⚠️ đã quá hạn {n} ngày"
DUE_OVERDUE = "⚠️ Ngoài ra {n} yêu cầu đã quá hạn (tài liệu không ghi nhận đã khắc phục hay chưa): gõ /donvi để xem."
DUE_TITLE = "⏰ <b>Yêu cầu khắc phục của {unit} đến hạn trong {days} ngày tới</b> (tính từ {today})"
DUE_NONE = "Không có yêu cầu khắc phục nào của <b>{unit}</b> đến hạn trong {days} ngày tới (tính từ {today})."
DUE_LATER = "Hạn gần nhất sau đó: <b>{date}</b> ({left}) — {text}"
DUE_UNDATED = "{n} yêu cầu khắc phục khác của đơn vị không được tài liệu nêu thời hạn."
DUE_ONLY_UNDATED = (
    "Các yêu cầu khắc phục của <b>{unit}</b> ({n} yêu cầu) không được tài liệu nêu thời hạn, nên không có hạn "
    "chót nào để nhắc. Gõ /donvi để xem nội dung các yêu cầu."
)
DUE_NO_REMEDIES = "Tài liệu hiện có không nêu yêu cầu khắc phục nào còn hạn đối với <b>{unit}</b>."
DUE_NO_UNIT = (
    "Bạn chưa chọn đơn vị. Gõ /donvi tên đơn vị (ví dụ: /donvi phường An Phú), rồi dùng lại /hanchot; "
    "hoặc gõ /hanchot tên đơn vị."
)
DUE_DISABLED = "Chức năng theo dõi kết quả kiểm tra chưa được bật trên máy chủ này."
BTN_DUE = "⏰ Hạn khắc phục {days} ngày tới"
BTN_CHANGE_UNIT = "🔄 Đổi đơn vị"

DOCS_TITLE = "<b>Tài liệu hiện có ({count})</b>"
DOC_RESTRICTED = "🔒 <i>(hạn chế)</i>"
NO_DOCS = "Chưa có tài liệu nào được nạp."
DOCS_ADMIN_HINT = "<i>Quản trị: bấm một tài liệu để xem các phiên bản, khôi phục hoặc gỡ.</i>"

UPLOAD_NOT_ADMIN = "Xin lỗi, chỉ quản trị viên mới được thêm tài liệu. Bạn có thể gửi câu hỏi bằng tin nhắn."
UPLOAD_DISABLED = "Chức năng thêm tài liệu chưa được bật trên máy chủ này."
UPLOAD_IN_GROUP = (
    "Vui lòng gửi tài liệu cho tôi trong tin nhắn riêng (không gửi trong nhóm): tôi sẽ cho xem trước "
    "và chỉ lưu khi bạn xác nhận."
)
UPLOAD_UNSUPPORTED = "Định dạng “{ext}” chưa được hỗ trợ. Hãy gửi tệp PDF, DOCX, TXT, HTML hoặc MD."
UPLOAD_TOO_LARGE = "Tệp quá lớn ({size_mb:.1f} MB). Giới hạn là {limit_mb:.0f} MB."
UPLOAD_WORKING = "Đang đọc tài liệu <b>{name}</b>…"
UPLOAD_RESULTS = {
    "added": "✅ Đã thêm tài liệu <b>{title}</b> ({chunks} đoạn).",
    "replaced": "✅ Đã thay thế tài liệu <b>{title}</b> ({chunks} đoạn). Phiên bản cũ được giữ lại để khôi phục.",
    "restored": "✅ Đã khôi phục tài liệu <b>{title}</b> ({chunks} đoạn).",
    "unchanged": "ℹ️ Tài liệu <b>{title}</b> đã có sẵn, không thay đổi.",
    "dry-run": "ℹ️ Chạy thử: <b>{title}</b> ({chunks} đoạn), chưa lưu.",
    "failed": "❌ Không lưu được tài liệu <b>{title}</b>: {reason}",
}
UPLOAD_RESULT_OTHER = "✅ Xong ({status}): <b>{title}</b> ({chunks} đoạn)."
UPLOAD_UNKNOWN_REASON = "không rõ lý do"

PREVIEW_TITLE = "📄 <b>Xem trước tài liệu</b> <code>{name}</code>"
PREVIEW_FIELDS = (
    ("code", "Số hiệu"), ("doc_type", "Loại"), ("title", "Tiêu đề"), ("date", "Ngày ban hành"),
    ("issuer", "Cơ quan ban hành"), ("units", "Đơn vị được nêu"), ("chunks", "Số đoạn"),
)
PREVIEW_NONE = "—"
PREVIEW_EXCERPT = "<b>Trích đoạn:</b>"
PREVIEW_NEW = "➕ Nếu thêm: một tài liệu mới (mã <code>{doc_id}</code>)."
PREVIEW_OR_NEW = "➕ Hoặc thêm thành tài liệu riêng (mã <code>{doc_id}</code>); khi đó cả hai bản cùng được dùng."
PREVIEW_IDENTICAL = "⚠️ Nội dung <b>giống hệt</b> tài liệu đã có: <b>{doc}</b>. Không cần thêm."
PREVIEW_MATCH = (
    "🔁 {reason} tài liệu đã có: <b>{doc}</b>, có thể là bản mới của tài liệu đó. Nếu <b>thay thế</b>: "
    "{changes} (phiên bản cũ được giữ lại để khôi phục)."
)
PREVIEW_CHANGES = "thêm {added} đoạn, bỏ {removed} đoạn"
PREVIEW_NO_CHANGES = "các đoạn văn không đổi"
PREVIEW_CHANGES_UNKNOWN = "tài liệu đó được thay bằng tệp này"
PREVIEW_SAME_NAME = (
    "ℹ️ Cùng tên tệp với tài liệu đã có <b>{doc}</b> nhưng nội dung khác: tệp này sẽ thành tài liệu mới, "
    "tài liệu đã có giữ nguyên."
)
MATCH_REASONS = {
    "identical": "Giống hệt",
    "same_code": "Cùng số hiệu với",
    "same_name": "Cùng tên tệp với",
    "similar_text": "Nội dung gần giống",
}
PREVIEW_RESTRICTABLE = (
    "🔒 Mặc định tài liệu là <b>công khai</b>. Nếu chọn <b>hạn chế</b>, chỉ thành viên của {units} "
    "(cùng quản trị viên và người đọc cấp quận) đọc được tài liệu này và các kết quả kiểm tra trong đó."
)
PREVIEW_NOT_RESTRICTABLE = "🔓 Tài liệu không nêu đơn vị nào nên sẽ công khai (không giới hạn được người xem)."
PREVIEW_RESTRICTED_SAVED = (
    "🔒 Chỉ thành viên của {units} (cùng quản trị viên, người đọc cấp quận) đọc được tài liệu này."
)
PREVIEW_FOOTER = "<i>Chưa có gì được lưu. Bản xem trước hết hạn lúc {clock} (giờ Việt Nam).</i>"
PREVIEW_SAVING = "⏳ Đang lưu tài liệu <b>{name}</b>…"
PREVIEW_CANCELLED = "✖️ Đã hủy <b>{name}</b>. Không có gì được lưu."
PREVIEW_EXPIRED = "⌛ Bản xem trước <b>{name}</b> đã hết hạn, không có gì được lưu. Hãy gửi lại tệp."
PREVIEW_GONE = "Bản xem trước này đã được xử lý hoặc đã hết hạn."
NOT_YOUR_PREVIEW = "Bản xem trước này do quản trị viên khác gửi."

VERSIONS_TITLE = "🕘 <b>Các phiên bản của {doc}</b>"
VERSION_LINE = "• <code>{version}</code> — {state} — nạp lúc {when} — {chunks} đoạn{source}"
VERSION_LIVE = "<b>đang dùng</b>"
VERSION_KEPT = "đã lưu trữ"
NO_VERSIONS = "Không tìm thấy phiên bản nào của tài liệu này."
DOC_GONE = "Không tìm thấy tài liệu này (danh sách đã thay đổi). Gõ /tailieu để xem lại."
VERSION_GONE = "Phiên bản này không còn. Gõ /tailieu để xem lại."
RESTORE_CONFIRM = (
    "Khôi phục phiên bản <code>{version}</code> của <b>{doc}</b>? Phiên bản đang dùng (nếu có) được giữ lại "
    "để có thể khôi phục."
)
DELETE_CONFIRM = (
    "Gỡ tài liệu <b>{doc}</b> khỏi kho? Trợ lý sẽ không trích dẫn nó nữa; các phiên bản vẫn được giữ "
    "để có thể khôi phục."
)
DELETED = "🗑 Đã gỡ tài liệu <b>{doc}</b>. Có thể khôi phục bằng nút bên dưới."
DELETE_MISSING = "Tài liệu <b>{doc}</b> không còn trong kho."
CLOSED = "Đã đóng."
WORKING = "⏳ Đang xử lý…"

PEOPLE_USAGE = (
    "<b>Quản lý người dùng</b> (mã người dùng là số; người bị từ chối nhận được mã của họ)\n"
    "/nguoidung – danh sách\n"
    "/nguoidung them &lt;mã&gt; [tên] – cho phép hỏi\n"
    "/nguoidung xoa &lt;mã&gt; – thu hồi quyền\n"
    "/nguoidung quantri &lt;mã&gt; – đặt làm quản trị viên\n"
    "/nguoidung boquantri &lt;mã&gt; – bỏ quyền quản trị\n"
    "/nguoidung nhom [mã nhóm] – cho phép cả nhóm (gõ trong nhóm: nhóm hiện tại)\n"
    "/nguoidung xoanhom [mã nhóm] – thu hồi nhóm\n"
    "/nguoidung donvi &lt;mã&gt; &lt;tên đơn vị&gt; – gán đơn vị (người đó đọc được cả tài liệu hạn chế của đơn vị)\n"
    "/nguoidung capquan &lt;mã&gt; – người đọc cấp quận: đọc được tài liệu hạn chế của mọi đơn vị\n"
    "/nguoidung bocapquan &lt;mã&gt; – bỏ quyền đọc cấp quận\n"
    "Trả lời (reply) tin nhắn của một người bằng lệnh thì không cần gõ mã."
)
PEOPLE_TITLE = "<b>Người dùng ({count})</b>"
PEOPLE_ADMIN = "quản trị viên"
PEOPLE_PINNED = "quản trị viên (cấu hình BOT_ADMIN_IDS)"
PEOPLE_USER = "người dùng"
PEOPLE_DISTRICT = "người đọc cấp quận"
PEOPLE_MEMBER = "thành viên {unit}"
CHATS_TITLE = "<b>Nhóm được phép ({count})</b>"
PEOPLE_NONE = "Chưa có người dùng nào ngoài quản trị viên."
CHATS_NONE = "Chưa có nhóm nào."
PEOPLE_BAD_ID = "Mã không hợp lệ: “{value}”. Mã người dùng là số dương, mã nhóm là số âm (ví dụ -100123…)."
PEOPLE_DONE = {
    "them": "✅ Đã cho phép người dùng <code>{id}</code> đặt câu hỏi.",
    "xoa": "✅ Đã thu hồi quyền của <code>{id}</code>.",
    "quantri": "✅ <code>{id}</code> đã là quản trị viên.",
    "boquantri": "✅ <code>{id}</code> không còn là quản trị viên (vẫn được hỏi).",
    "capquan": "✅ <code>{id}</code> là người đọc cấp quận: đọc được tài liệu hạn chế của mọi đơn vị.",
    "bocapquan": "✅ <code>{id}</code> không còn là người đọc cấp quận (vẫn được hỏi).",
    "nhom": "✅ Đã cho phép mọi thành viên nhóm <code>{id}</code> đặt câu hỏi trong nhóm.",
    "xoanhom": "✅ Đã thu hồi quyền của nhóm <code>{id}</code>.",
}
PEOPLE_UNCHANGED = "ℹ️ Không có gì thay đổi cho <code>{id}</code>."
PEOPLE_PINNED_REFUSED = (
    "<code>{id}</code> là quản trị viên trong cấu hình (BOT_ADMIN_IDS); hãy sửa cấu hình và khởi động lại."
)
PEOPLE_UNIT_SET = (
    "✅ Đã gán đơn vị <b>{unit}</b> cho <code>{id}</code>: người đó đọc được cả tài liệu hạn chế của đơn vị này."
)
PEOPLE_UNIT_CLEARED = "✅ Đã bỏ đơn vị của <code>{id}</code>."
PEOPLE_NEED_GROUP_ID = "Hãy gõ lệnh này trong nhóm cần cho phép, hoặc ghi mã nhóm (số âm)."

UNIT_NAMES_TITLE = "<b>Đơn vị và tên gọi khác ({count})</b>"
UNIT_NAMES_NONE = "Tài liệu hiện có chưa nêu đơn vị nào."
UNIT_NAMES_USAGE = (
    "<b>Sửa danh mục đơn vị</b>\n"
    "/tendonvi – danh sách đơn vị và tên gọi khác\n"
    "/tendonvi them &lt;đơn vị&gt; = &lt;tên khác&gt; – thêm tên gọi khác (cũng để gộp hai đơn vị là một)\n"
    "/tendonvi doiten &lt;đơn vị&gt; = &lt;tên mới&gt; – đổi tên hiển thị (tên cũ thành tên gọi khác)\n"
    "/tendonvi xoa &lt;tên&gt; – bỏ một tên gọi khác hoặc một lần đổi tên đã thêm\n"
    "/tendonvi an &lt;tên&gt; – một cụm từ bị nhận nhầm là tên đơn vị"
)
UNIT_ALIAS_ADDED = "✅ “{alias}” từ nay là tên gọi khác của <b>{unit}</b>."
UNIT_RENAMED = "✅ <b>{old}</b> từ nay hiển thị là <b>{unit}</b> (tên cũ vẫn được hiểu)."
UNIT_ALIAS_REMOVED = "✅ Đã bỏ tên “{name}” đã thêm trước đây."
UNIT_ALIAS_MISSING = "ℹ️ Không có tên gọi khác hay lần đổi tên nào “{name}” do quản trị viên thêm."
UNIT_NAME_HIDDEN = "✅ “{name}” không còn được coi là tên đơn vị (bỏ bằng /tendonvi xoa {name})."

STATS_TITLE = "📊 <b>Thống kê</b>"
STATS_BODY = (
    "Tài liệu: <b>{docs}</b>{passages}\n"
    "Câu hỏi {days} ngày qua: <b>{questions}</b> (từ {askers} người), tất cả: {total}\n"
    "Câu hỏi không có câu trả lời trong tài liệu: <b>{declined}</b>\n"
    "Đánh giá {days} ngày qua: 👍 {up} · 👎 {down}"
)
STATS_PASSAGES = ", đoạn: <b>{n}</b>"
STATS_PER_DAY = "<b>Theo ngày</b>"
DOWNVOTED_TITLE = "👎 <b>Câu trả lời bị đánh giá chưa tốt ({count})</b>"
DOWNVOTED_NONE = "Chưa có câu trả lời nào bị đánh giá 👎."
DOWNVOTED_ITEM = (
    "<b>{i}.</b> {when} — người hỏi <code>{user}</code> — 👍 {up} · 👎 {down}\n"
    "<b>Hỏi:</b> {question}\n<b>Đáp:</b> {answer}{sources}"
)
EXPORT_CAPTION = "Nhật ký hỏi đáp: {count} lượt (CSV, UTF-8)."
EXPORT_ADMIN_CAPTION = (
    "Nhật ký quản trị: {count} thao tác (tải lên, thay thế, khôi phục, gỡ, hạn chế, phân quyền; CSV, UTF-8)."
)
EXPORT_EMPTY = "Nhật ký chưa có lượt hỏi đáp hay thao tác quản trị nào."

BTN_SOURCES = "Nguồn"
BTN_UP = "👍"
BTN_DOWN = "👎"
BTN_SECTION = "Xem toàn văn mục"
BTN_READ_MORE = "Đọc đầy đủ"
BTN_CLEAR_UNIT = "Bỏ chọn đơn vị"
BTN_ADD = "➕ Thêm tài liệu mới"
BTN_REPLACE = "🔁 Thay thế: {doc}"
BTN_CANCEL = "✖️ Hủy"
BTN_RESTRICTED_MARK = " (🔒 hạn chế)"
BTN_MAKE_RESTRICTED = "🔓 Đang: công khai · bấm để hạn chế"
BTN_MAKE_PUBLIC = "🔒 Đang: hạn chế · bấm để công khai"
BTN_CLOSE = "Đóng"
BTN_HISTORY = "🕘 {doc}"
BTN_RESTORE = "↩️ Khôi phục {version}"
BTN_DELETE = "🗑 Gỡ tài liệu này"
BTN_CONFIRM = "✅ Xác nhận"

# --- helpers ---------------------------------------------------------------------------------


def esc(value: object) -> str:
    """HTML-escape any dynamic value for parse_mode=HTML."""
    return html.escape(str(value), quote=False)


def welcome(name: str, bot_username: str, examples: Sequence[str]) -> str:
    """The /start message: greeting, usage and example questions."""
    parts = [WELCOME.format(name=esc(name or "bạn")), HELP.format(bot=esc(bot_username))]
    if examples:
        parts.append(EXAMPLES_HEADER + "\n" + "\n".join(f"• {esc(q)}" for q in examples))
    return "\n\n".join(parts)


def help_text(bot_username: str, examples: Sequence[str], *, admin: bool = False) -> str:
    """The /help message (with the admin commands for admins)."""
    parts = [HELP.format(bot=esc(bot_username))]
    if admin:
        parts.append(HELP_ADMIN)
    if examples:
        parts.append(EXAMPLES_HEADER + "\n" + "\n".join(f"• {esc(q)}" for q in examples))
    return "\n\n".join(parts)


def denied(user_id: int) -> str:
    """The one refusal a user outside the allowlist receives."""
    return DENIED.format(user_id=int(user_id))


def vn_clock(epoch: float, *, seconds: bool = False) -> str:
    """Wall-clock time in Vietnam, e.g. ``14:05`` (or ``14:05:30``)."""
    return datetime.fromtimestamp(epoch, VN_TZ).strftime("%H:%M:%S" if seconds else "%H:%M")


def vn_datetime(epoch: float) -> str:
    """``dd/mm/yyyy HH:MM`` in Vietnam time."""
    return datetime.fromtimestamp(epoch, VN_TZ).strftime("%d/%m/%Y %H:%M")


def rate_limited(wait_s: float, now: float) -> str:
    """The one 'slow down' notice of a blocked period: how long, and the time to ask again."""
    wait = max(1, round(wait_s + 0.49))
    return RATE_LIMITED.format(seconds=wait, clock=vn_clock(now + wait, seconds=True))


def rate_limited_short(wait_s: float) -> str:
    """The same for a button press (a pop-up of at most 200 characters)."""
    return RATE_LIMITED_SHORT.format(seconds=max(1, round(wait_s + 0.49)))


def only_text(kind: str) -> str:
    """What a sticker, voice message, location… gets."""
    return ONLY_TEXT.format(kind=KINDS.get(kind, KIND_OTHER))


def with_note(note: str, parts: list[str]) -> list[str]:
    """Put an italic note line before the first message of an answer (re-split if it got too long)."""
    first = f"<i>{esc(note)}</i>\n\n{parts[0]}"
    if tg_len(first) <= MAX_MESSAGE:
        return [first, *parts[1:]]
    return [f"<i>{esc(note)}</i>", *parts]


def vote_label(base: str, count: int) -> str:
    """👍 / 👍 3: the button shows how many chose it."""
    return f"{base} {count}" if count else base


def feedback_ack(vote: str, previous: str | None) -> str:
    """The pop-up after a vote: thanks, changed, or already chosen."""
    emoji = BTN_UP if vote == "up" else BTN_DOWN
    if previous == vote:
        return FEEDBACK_SAME.format(vote=emoji)
    if previous is not None:
        return FEEDBACK_CHANGED.format(vote=emoji)
    return FEEDBACK_UP if vote == "up" else FEEDBACK_DOWN


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
        nearest = "\n".join(f"• {esc(s)}" for s in answer.suggestions)
        blocks.append(f"{SUGGESTIONS_TITLE}\n{nearest}")
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


def render_quotes(answer: Answer, chunks: Sequence[StoredChunk | None], *, quotable: Collection[str]) -> list[str]:
    """The quoted passages behind each citation (the "Nguồn" button).

    A passage that cannot be read now (``None``) is replaced by the answer's own quote only for
    documents in ``quotable`` (live and readable by whoever pressed): a passage may have become
    restricted, or the presser may not be the one it was shown to.
    """
    if not answer.citations:
        return [NO_SOURCES]
    blocks = [QUOTES_TITLE]
    for c, chunk in zip(answer.citations, chunks, strict=True):
        blocks.append(citation_line(c))
        if chunk is None and c.doc_id not in quotable:
            blocks.append(f"<i>{QUOTE_UNAVAILABLE}</i>")
            continue
        passage = for_display(chunk.text) if chunk is not None else c.quote
        blocks += [f"<blockquote>{esc(p)}</blockquote>" for p in _paragraphs(passage)] or ["…"]
    return split_html("\n\n".join(blocks))


def render_section(citation: Citation, chunks: Sequence[StoredChunk]) -> list[str]:
    """A whole section of a document (the "Xem toàn văn mục" button)."""
    if not chunks:
        return [SECTION_MISSING]
    blocks = [SECTION_TITLE, citation_line(citation)]
    for chunk in chunks:
        blocks += [esc(p) for p in _paragraphs(for_display(chunk.text))]
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
        if not is_public(d):  # only listed to those who may read it
            line += f" {DOC_RESTRICTED}"
        lines.append(line)
    return split_html("\n".join(lines))


def unit_set(unit: str) -> str:
    return UNIT_SET.format(unit=esc(unit))


def unit_current(unit: str | None) -> str:
    return UNIT_CURRENT.format(unit=esc(unit)) if unit else UNIT_NONE


def unit_not_found(query: str) -> str:
    return UNIT_NOT_FOUND.format(query=esc(query))


def unit_unknown(query: str) -> str:
    return UNIT_UNKNOWN.format(query=esc(query))


def unit_ambiguous(query: str) -> str:
    return UNIT_AMBIGUOUS.format(query=esc(query))


def upload_working(name: str) -> str:
    return UPLOAD_WORKING.format(name=esc(name))


def upload_unsupported(ext: str) -> str:
    return UPLOAD_UNSUPPORTED.format(ext=esc(ext or "?"))


def upload_too_large(size_bytes: int, limit_mb: float) -> str:
    return UPLOAD_TOO_LARGE.format(size_mb=size_bytes / 1_048_576, limit_mb=limit_mb)


def upload_result(result: FileResult) -> str:
    """A clear Vietnamese outcome of one stored, replaced, restored or failed document."""
    title = result.meta.title if result.meta and result.meta.title else result.source or result.doc_id
    if result.meta and result.meta.code:
        title = f"{result.meta.code} — {title}"
    template = UPLOAD_RESULTS.get(result.status, UPLOAD_RESULT_OTHER)
    text = template.format(
        title=esc(title), chunks=int(result.chunks), reason=esc(result.reason or UPLOAD_UNKNOWN_REASON),
        status=esc(result.status),
    )
    restricted = readers(result.meta) if result.meta and result.status != "failed" else ()
    if restricted:  # chosen now, or kept from the version it replaced
        text += "\n" + PREVIEW_RESTRICTED_SAVED.format(units=units_list(restricted))
    return text


def doc_label(code: str | None, title: str, limit: int = 48) -> str:
    """``02-HD/BTCTU — Hướng dẫn …`` clipped for a button (plain text, not HTML)."""
    label = f"{code} — {title}" if code else title
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def btn_replace(label: str) -> str:
    return BTN_REPLACE.format(doc=label)


def btn_history(label: str) -> str:
    return BTN_HISTORY.format(doc=label)


def btn_restore(label: str) -> str:
    return BTN_RESTORE.format(version=label)


def _match_doc(code: str | None, title: str, date: str | None) -> str:
    text = f"{code} — {title}" if code else title
    shown = format_date(date)
    return esc(text) + (f" ({esc(shown)})" if shown else "")


def render_preview(preview: IngestPreview, *, excerpt_chars: int = 400) -> str:
    """What an upload would become: metadata, passages, an excerpt, and what adding it would do."""
    meta = preview.meta
    units = ", ".join(meta.units[:8]) + (f" (+{len(meta.units) - 8})" if len(meta.units) > 8 else "")
    values = {
        "code": meta.code, "doc_type": meta.doc_type, "title": meta.title, "date": format_date(meta.issue_date),
        "issuer": meta.issuing_body or meta.issuer, "units": units, "chunks": str(preview.chunks),
    }
    lines = [PREVIEW_TITLE.format(name=esc(preview.file_name))]
    lines += [f"{label}: <b>{esc(values[key] or PREVIEW_NONE)}</b>" for key, label in PREVIEW_FIELDS]
    excerpt = " ".join(preview.excerpt.split())
    if len(excerpt) > excerpt_chars:
        excerpt = excerpt[:excerpt_chars].rsplit(" ", 1)[0] + " …"
    blocks = ["\n".join(lines)]
    if excerpt:
        blocks.append(f"{PREVIEW_EXCERPT}\n<blockquote>{esc(excerpt)}</blockquote>")
    if preview.identical is not None:
        m = preview.identical
        blocks.append(PREVIEW_IDENTICAL.format(doc=_match_doc(m.code, m.title, m.issue_date)))
    else:
        # a re-issue of a stored document: replacing it comes first, adding a second copy after
        for m in preview.replaceable:
            reason = MATCH_REASONS.get(m.reason, MATCH_REASONS["similar_text"])
            doc = _match_doc(m.code, m.title, m.issue_date)
            blocks.append(PREVIEW_MATCH.format(reason=reason, doc=doc, changes=_changes(m)))
        new = PREVIEW_OR_NEW if preview.replaceable else PREVIEW_NEW
        blocks.append(new.format(doc_id=esc(preview.doc_id)))
        for m in preview.same_name:
            blocks.append(PREVIEW_SAME_NAME.format(doc=_match_doc(m.code, m.title, m.issue_date)))
        blocks.append(restriction_note(preview.concerned))
    if preview.expires_at:
        blocks.append(PREVIEW_FOOTER.format(clock=vn_clock(preview.expires_at)))
    return split_html("\n\n".join(blocks))[0]


def _changes(match: StoredMatch) -> str:
    """What replacing a stored document with the upload changes, in passages."""
    if match.added is None or match.removed is None:
        return PREVIEW_CHANGES_UNKNOWN
    if not match.added and not match.removed:
        return PREVIEW_NO_CHANGES
    return PREVIEW_CHANGES.format(added=match.added, removed=match.removed)


def units_list(units: Sequence[str], limit: int = 8) -> str:
    """"A, B và C" (escaped, the first ``limit`` of them)."""
    shown = [f"<b>{esc(u)}</b>" for u in units[:limit]]
    if len(units) > limit:
        shown.append(f"{len(units) - limit} đơn vị khác")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " và " + shown[-1]


def restriction_note(units: Sequence[str]) -> str:
    """What choosing "restricted" on a preview would mean (or that it cannot be restricted)."""
    return PREVIEW_RESTRICTABLE.format(units=units_list(units)) if units else PREVIEW_NOT_RESTRICTABLE


def render_versions(doc: str, versions: Sequence[VersionInfo]) -> str:
    """The versions of one document, newest first."""
    if not versions:
        return NO_VERSIONS
    lines = [VERSIONS_TITLE.format(doc=esc(doc))]
    for v in versions:
        source = f" — {esc(v.source)}" if v.source else ""
        lines.append(VERSION_LINE.format(
            version=esc(v.version), state=VERSION_LIVE if v.live else VERSION_KEPT,
            when=vn_datetime(v.ingested_at) if v.ingested_at else PREVIEW_NONE, chunks=int(v.chunks), source=source,
        ))
    return split_html("\n".join(lines))[0]


def render_people(people: Sequence[Person], chats: Sequence[AllowedChat]) -> list[str]:
    """/nguoidung: everyone on the list with their role and unit, then the allowed groups."""
    lines = [PEOPLE_TITLE.format(count=len(people))]
    for p in people:
        role = PEOPLE_PINNED if p.pinned else PEOPLE_ADMIN if p.role == "admin" else PEOPLE_USER
        line = f"• <code>{int(p.user_id)}</code>"
        if p.name:
            line += f" {esc(p.name)}"
        line += f" — {role}"
        if p.district and p.role != "admin":
            line += f" — {PEOPLE_DISTRICT}"
        if p.member_of:
            line += f" — {PEOPLE_MEMBER.format(unit=esc(p.member_of))}"
        if p.unit and p.unit != p.member_of:
            line += f" — {esc(p.unit)}"
        lines.append(line)
    if not any(p.role == "user" for p in people):
        lines.append(PEOPLE_NONE)
    lines += ["", CHATS_TITLE.format(count=len(chats))]
    lines += [f"• <code>{int(c.chat_id)}</code>" + (f" {esc(c.title)}" if c.title else "") for c in chats]
    if not chats:
        lines.append(CHATS_NONE)
    lines += ["", PEOPLE_USAGE]
    return split_html("\n".join(lines))


def render_unit_names(units: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """/tendonvi: every unit with its other names, then how to edit them."""
    lines = [UNIT_NAMES_TITLE.format(count=len(units))]
    for name, aliases in units:
        line = f"• <b>{esc(name)}</b>"
        if aliases:
            line += " — " + esc("; ".join(aliases))
        lines.append(line)
    if not units:
        lines.append(UNIT_NAMES_NONE)
    lines += ["", UNIT_NAMES_USAGE]
    return split_html("\n".join(lines))


def people_outcome(command: str, target: int, outcome: str) -> str:
    """The reply to one /nguoidung change."""
    if outcome == "pinned":
        return PEOPLE_PINNED_REFUSED.format(id=int(target))
    if outcome == "unchanged":
        return PEOPLE_UNCHANGED.format(id=int(target))
    return PEOPLE_DONE[command].format(id=int(target))


def render_stats(stats: Stats, documents: int, passages: int | None) -> str:
    """/thongke."""
    body = STATS_BODY.format(
        docs=documents, passages=STATS_PASSAGES.format(n=passages) if passages is not None else "",
        days=stats.days, questions=stats.questions, askers=stats.askers, total=stats.total_questions,
        declined=stats.declined, up=stats.up, down=stats.down,
    )
    per_day = "\n".join(f"{format_date(day)}: {n}" for day, n in stats.per_day)
    return "\n\n".join([STATS_TITLE, body, f"{STATS_PER_DAY}\n{per_day}"])


def render_downvoted(items: Sequence[Downvoted], *, answer_chars: int = 300) -> list[str]:
    """/danhgia: the answers marked 👎, newest first, for review."""
    if not items:
        return [DOWNVOTED_NONE]
    blocks = [DOWNVOTED_TITLE.format(count=len(items))]
    for i, d in enumerate(items, 1):
        answer = " ".join(d.answer.split())
        if len(answer) > answer_chars:
            answer = answer[:answer_chars].rsplit(" ", 1)[0] + " …"
        sources = f"\n<b>Nguồn:</b> {esc('; '.join(d.citations))}" if d.citations else ""
        blocks.append(DOWNVOTED_ITEM.format(
            i=i, when=vn_datetime(d.at), user=int(d.user_id), up=d.up, down=d.down, question=esc(d.question),
            answer=esc(answer), sources=sources,
        ))
    return split_html("\n\n".join(blocks))
