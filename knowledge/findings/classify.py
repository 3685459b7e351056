"""Which documents carry findings: inspection conclusions, supervision reports, discipline, remedy
plans, news reports of an inspection, and programmes.

Decided from the document's own type and title, never from words in its body alone:
regulations about inspection and discipline (296-QĐ/TW, Điều lệ Đảng) talk about "kỷ luật"
on every page but report no findings about anyone.
"""

from __future__ import annotations

import re

from knowledge.findings.models import DocKind
from knowledge.models import DocumentMeta
from knowledge.text import CODE_RE, code_key, fold

# Titles of rules and guidance: they describe inspection, they do not report one.
_RULE_TITLES = re.compile(r"^(quy dinh|huong dan|dieu le|quy che|nghi quyet|chi thi|so tay|luat|nghi dinh|thong tu)\b")
_RULE_TYPES = {"HD", "Điều lệ", "QC", "NQ", "CT", "Sổ tay", "Hướng dẫn"}
# A plan or decision to carry out an inspection (before it happens) has no findings yet.
_BEFORE = re.compile(
    r"\b(ke hoach kiem tra|ke hoach giam sat|thanh lap doan|quyet dinh kiem tra|chuong trinh kiem tra)\b"
)
# A report that reviews how something is carried out ("Báo cáo sơ kết 6 tháng thực hiện Chương trình 07")
_REPORT = re.compile(r"\b(so ket|tong ket|ket qua thuc hien|ket qua cong tac|tinh hinh thuc hien|danh gia (ket qua|viec) thuc hien)\b")
_CARRIES_OUT_CONCLUSION = re.compile(r"\bthuc hien (?:(?:thong bao|van ban) )?(?:ket luan|thong bao ket luan)\b")
_NEWS_BODY = re.compile(r"\b(da tien hanh (kiem tra|giam sat)|doan (kiem tra|giam sat)|ket qua (kiem tra|giam sat))\b")


def classify(meta: DocumentMeta, text: str) -> DocKind:
    """The kind of document as far as findings go ("none" for everything else)."""
    title = fold(meta.title or "")
    code_type = fold(meta.doc_type or "")
    if meta.doc_type in _RULE_TYPES or _RULE_TITLES.match(title):
        return "none"
    if code_type == "ctr" or title.startswith("chuong trinh"):
        return "programme"
    if (code_type == "bc" or title.startswith("bao cao")) and _REPORT.search(title):
        return "report"  # a review by theme, unit by unit ("… công tác kiểm tra, giám sát và thi hành kỷ luật năm 2026")
    if "ky luat" in title or "dau hieu vi pham" in title:
        return "discipline"
    if "khac phuc" in title:
        return "remedy_plan"
    if (code_type == "kh" or title.startswith("ke hoach")) and _CARRIES_OUT_CONCLUSION.search(title):
        return "remedy_plan"  # "Kế hoạch thực hiện Thông báo kết luận số 25-TB/QU": the unit's answer to it
    if _BEFORE.search(title) and "ket qua" not in title and "ket luan" not in title:
        return "none"
    if meta.doc_type == "Tin bài":
        head = fold(text[:3000])
        if re.search(r"\b(kiem tra|giam sat)\b", title) and _NEWS_BODY.search(head):
            return "news"
        return "none"
    if "giam sat" in title and "kiem tra" not in title:
        return "supervision"
    if re.search(r"\b(kiem tra|ket luan|giam sat)\b", title):
        return "inspection"
    return "none"


def programme_code(meta: DocumentMeta, text: str) -> str | None:
    """The programme (or decision) an inspection concerns: the first CTr code in the title, else in the text."""
    if meta.doc_type == "CTr" and meta.code:
        return meta.code
    for source in (meta.title or "", *meta.mentions, text[:4000]):
        for m in CODE_RE.finditer(source):
            if code_key(m.group(0)).split("/")[0].endswith("-CTR"):
                return " ".join(m.group(0).split())
    return None
