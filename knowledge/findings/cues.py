"""Sentence-level cues: is a clause a shortcoming, a strength, a requirement or a discipline, and
which clauses are no finding at all.

The patterns run on lower-case text with its diacritics (documents keep them): folded, "chậm"
and "chăm", "mới" (just) and "mới" (new) would be one word.
"""

from __future__ import annotations

import re

from knowledge.models import Kind
from knowledge.unit_names import CAP

_NEG = re.compile(
    r"\b(?:chưa|hạn chế|khuyết điểm|yếu kém|vi phạm|thiếu trách nhiệm|thiếu sót|buông lỏng|sai phạm|nể nang|né tránh"
    r"|chậm|quá hạn|quá thời hạn|sơ sài|thấp hơn|thấp nhất|lúng túng|mang tính hình thức|ít dành|nặng về|để xảy ra|vượt khối lượng|tồn tại"
    r"|không\s+(?:tổ chức|thực hiện|ban hành|sinh hoạt|trung thực|kê khai|kịp thời|đạt|bảo đảm|đảm bảo|hoàn thành|đúng"
    r"|duy trì|chấp hành|xây dựng|nghiêm|đầy đủ|thường xuyên|có kế hoạch)"
    r"|mới\s+(?:đạt|kết nạp|ban hành|có|tổ chức|thực hiện|triển khai|xây dựng|được|giám sát|kiểm tra)"
    r"|còn\s+(?:tình trạng|biểu hiện|xảy ra|để|nhiều|ít|yếu|chậm|thiếu|hạn chế|lúng túng|thấp|mỏng|chung chung"
    r"|hình thức"
    r"|bất cập|khó khăn|vướng mắc))\b"
)
_POS = re.compile(
    r"\b(?:đã|tốt|hiệu quả|kịp thời|nghiêm túc|duy trì|vượt|bảo đảm tiến độ|đúng thời gian|đúng thời hạn|đúng quy định"
    r"|biểu dương|điển hình|sáng tạo|gương mẫu|được quan tâm|kết nạp|hoàn thành|chủ động|tích cực|phối hợp chặt chẽ"
    r"|dẫn đầu|tỷ lệ[^,.;]{0,60}\bcao\b"
    r"|đồng tình|ủng hộ|nghiêm|đúng định kỳ|nền nếp|chặt chẽ|đầy đủ)\b|100\s?%"
)
_PRAISE = re.compile(r"\b(?:biểu dương|tuyên dương|khen thưởng|là điển hình)\b")
_REQUEST = re.compile(
    r"(?:^|;\s*)(?:giao|yêu cầu|đề nghị|kiến nghị)\b|\b(?:yêu cầu|đề nghị)\s+(?:các\s+)?" + CAP
    + r"|\b(?:yêu cầu|đề nghị)\s+(?:tiếp tục|khẩn trương|kịp thời|kiểm điểm|rà soát|chấn chỉnh|khắc phục|thu hồi)\b"
)
_LEAD_KIND: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("yeu_cau", re.compile(r"\b(?:yêu cầu|đề nghị|kiến nghị|cần|phải|nhiệm vụ|khắc phục|tập trung thực hiện)\b")),
    ("han_che", re.compile(r"\b(?:hạn chế|khuyết điểm|tồn tại|vi phạm)\b")),
    ("uu_diem", re.compile(r"\b(?:ưu điểm|kết quả|làm được)\b")),
)
_DISCIPLINE = re.compile(
    r"kỷ luật[^.;]{0,80}?\b(?P<form>khiển trách|cảnh cáo|cách chức|khai trừ|giải tán)\b"
    r"|hình thức kỷ luật\s*:?\s*(?P<form2>khiển trách|cảnh cáo|cách chức|khai trừ|giải tán)\b",
    re.IGNORECASE,
)
# Sentences that introduce, date or close a document: never a finding.
_NOT_FINDING = re.compile(
    r"^(?:thực hiện|căn cứ|xét (?:báo cáo|tờ trình|đề nghị)|tại hội nghị|trưởng đoàn|phó trưởng đoàn|thành phần|ngày đăng"
    r"|thời gian (?:kiểm tra|giám sát))\b"
    r"|\bđoàn (?:kiểm tra|giám sát)\b.*\bđã (?:tiến hành|làm việc (?:với|tại))\b|tiến hành kỳ họp|\bsẽ\b|tình tiết giảm nhẹ"
    r"|^\(?ảnh\s*:|^từ khóa\s*:|^[^,.;]{2,40},\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"
    r"|thông báo (?:để|cho)\b.*\bbiết\b|như sau\s*:?\s*$"
    r"|lượt xem",
)
COLLECTIVE = re.compile(
    r"\b(?:các (?:đơn vị|tổ chức(?: cơ sở)? đảng|đảng ủy|chi bộ|cấp ủy|đảng bộ)(?: được| đã| có)?"
    r"|một số (?:đơn vị|nơi|cấp ủy|chi bộ|tổ chức|đảng ủy)"
    r"|\d+/\d+ (?:đơn vị|tổ chức|đảng ủy|chi bộ)|cấp ủy các đơn vị|người đứng đầu cấp ủy)\b"
)


def discipline_form(clause: str) -> str | None:
    """The discipline form a clause imposes ("… kỷ luật bằng hình thức Khiển trách …" → "Khiển trách")."""
    m = _DISCIPLINE.search(clause)
    if not m:
        return None
    form = m.group("form") or m.group("form2")
    return form[:1].upper() + form[1:].lower()


def polarity(clause: str) -> Kind | None:
    """han_che for a shortcoming, uu_diem for a strength, None for neither."""
    low = clause.lower()
    if _NEG.search(low):
        return "han_che"
    if _POS.search(low):
        return "uu_diem"
    return None


def is_praise(clause: str) -> bool:
    return bool(_PRAISE.search(clause.lower()))


def is_request(clause: str) -> bool:
    """A clause that asks someone to do something ("Giao …", "yêu cầu Chi bộ …", "… phải …")."""
    return bool(_REQUEST.search(clause[:1].lower() + clause[1:]))


def lead_kind(text: str) -> Kind | None:
    """The kind of the list a lead-in sentence announces ("… yêu cầu các đơn vị … nội dung sau:")."""
    low = text.lower()
    for kind, cue in _LEAD_KIND:
        if cue.search(low):
            return kind
    return None


def not_a_finding(sentence: str) -> bool:
    return bool(_NOT_FINDING.search(sentence.strip().lower()))
