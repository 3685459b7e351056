"""Report roles: what a paragraph of an inspection report or a programme does.

Results and strengths ("kết quả", "ưu điểm", "đã cơ bản …"), shortcomings ("hạn chế",
"Tuy vậy, … còn tình trạng …", "chưa …") and requests ("yêu cầu", "khắc phục", "thời gian
tới …"). Each line of a document gets its role when the document's outline is built; a
question asking for one ("những hạn chế nào", "phải khắc phục gì") reaches the paragraphs that
play it even when they never use the question's words.
"""

from __future__ import annotations

import re

# Report roles: what a paragraph of an inspection report or a programme does.
ROLES: dict[str, re.Pattern[str]] = {
    "shortcoming": re.compile(
        r"\b(hạn chế|khuyết điểm|tồn tại|yếu kém|thiếu sót|vi phạm|bất cập)\b"
        r"|\bTuy (?:vậy|nhiên)\b|\bcòn (?:tình trạng|một số|có)\b"
        r"|\bchưa (?:thực sự|chú trọng|kịp thời|đầy đủ|thường xuyên|nghiêm|tạo được|có nhiều)\b",
        re.IGNORECASE,
    ),
    "request": re.compile(
        r"\b(yêu cầu|kiến nghị|đề nghị|khắc phục|chấn chỉnh|thời gian tới|cần tập trung"
        r"|nhiệm vụ trọng tâm|giải pháp)\b",
        re.IGNORECASE,
    ),
    "result": re.compile(
        r"\b(ưu điểm|kết quả|đã cơ bản|nghiêm túc triển khai|đạt được|chủ động|tích cực|hoàn thành)\b", re.IGNORECASE
    ),
}

_ROLE_CUES: dict[str, re.Pattern[str]] = {
    "shortcoming": re.compile(
        r"\b(han che|khuyet diem|ton tai|yeu kem|thieu sot|vi pham|chua lam duoc|bat cap|van de gi)\b"
    ),
    "request": re.compile(
        r"\b(yeu cau|kien nghi|khac phuc|phai lam gi|can lam gi|thoi gian toi|chan chinh|giai phap)\b"
    ),
    "result": re.compile(r"\b(uu diem|ket qua|lam duoc|dat duoc)\b"),
}

def question_role(question_folded: str) -> str | None:
    """The report role a question asks about (shortcomings, requests, results), if any."""
    for role, cue in _ROLE_CUES.items():
        if cue.search(question_folded):
            return role
    return None

def line_role(text: str) -> str | None:
    """The report role of a paragraph, from its own wording."""
    for role in ("shortcoming", "request", "result"):
        if ROLES[role].search(text):
            return role
    return None
