"""What a findings or programme question asks: which kinds, a deadline, who, which units, discipline, targets.

Patterns run on the folded question (typed with or without diacritics). They recognise the
question's form only; which unit or programme it is about is resolved against the registry
and the stored documents by the answerer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.models import Kind
from knowledge.text import fold
from knowledge.unit_names import expand_abbreviations

_HAN_CHE = re.compile(
    r"\b(han che|khuyet diem|ton tai|yeu kem|vi pham|thieu sot|chua lam duoc|diem yeu|sai pham"
    r"|con yeu|yeu (o|ve) (nhung |mat )|mat (nao )?(con )?yeu)\b"
)
_UU_DIEM = re.compile(r"\b(uu diem|lam tot|lam duoc|diem manh|thanh tich|duoc bieu duong|ket qua tot|mat tot)\b")
_YEU_CAU = re.compile(
    r"\b(khac phuc|yeu cau|kien nghi|de nghi|chan chinh|nhiem vu khac phuc"
    r"|phai (lam|thuc hien|hoan thanh|ban hanh|xay dung"
    r"|nang|chan chinh|kiem diem|to chuc|gui|thu hoi|bo tri|khac phuc|sua chua|bao cao)|theo doi|don doc)\b"
)
_DEADLINE = re.compile(
    r"\b(thoi han|han chot|den khi nao|truoc ngay nao|truoc thoi han nao|cham nhat|xong truoc|hoan thanh truoc"
    r"|trong thoi han nao|truoc khi nao|den bao gio)\b"
)
_WHEN = re.compile(r"\b(khi nao|ngay nao|bao gio|luc nao|thoi gian nao)\b")
# "được kiểm tra vào thời gian nào / từ ngày nào": when the inspection took place, not a deadline
WHEN_INSPECTED = re.compile(
    r"\b(duoc|bi|da duoc|da bi) (kiem tra|giam sat)\b[^?]{0,30}"
    r"\b(khi nao|ngay nao|thoi gian nao|bao gio|luc nao|nam nao)\b"
)
_MUST = re.compile(r"\b(phai|khac phuc|hoan thanh|thuc hien xong)\b")
_WHO = re.compile(
    r"\b(ai|dong chi nao|nguoi nao)\b[^?]*\b(chiu trach nhiem|phu trach|chi dao|theo doi|don doc)\b"
    r"|\bchiu trach nhiem\b"
)
_RESULT = re.compile(
    r"\b(ket qua (kiem tra|giam sat)|ket luan (kiem tra|giam sat)|duoc danh gia|danh gia (the nao|ra sao)"
    r"|(kiem tra|giam sat)[^?]{0,40}(the nao|ra sao)|duoc (kiem tra|giam sat)[^?]{0,30}(gi|the nao|ra sao)"
    r"|(kiem tra|giam sat)[^?]{0,30}phat hien)\b"
)
_DISCIPLINE = re.compile(
    r"\b(bi ky luat|da ky luat|ky luat (nhung|ai|gi|the nao|ra sao|hinh thuc)|thi hanh ky luat|hinh thuc (ky luat )?gi"
    r"|khien trach|canh cao|cach chuc|khai tru|bi xu ly|xu ly ky luat)\b"
)
_INSPECTED = re.compile(
    r"\b(kiem tra|giam sat)( chuyen de)?( (o|tai))? (nhung |cac )?"
    r"(don vi|to chuc( co so)? dang|dang uy|chi bo|dang bo|co so"
    r"|noi|phuong|xa)( co so)?( nao| o dau)\b"
    r"|\b(kiem tra|giam sat)( chuyen de)? bao nhieu"
    r" (don vi|to chuc( co so)? dang|dang uy|chi bo|dang bo|co so|noi|phuong|xa)\b"
    r"|\b(don vi|to chuc( co so)? dang|dang uy|chi bo|noi|phuong) nao (duoc|bi|da duoc|da bi) (kiem tra|giam sat)\b"
    r"|\b(kiem tra|giam sat) (o |tai )?(nhung )?dau\b"
    r"|\blam viec (voi|tai|o) (nhung |cac )?(don vi|dang uy|chi bo|dang bo|co so|noi|phuong|xa)( nao| o dau)\b"
    # "Đợt giám sát chuyên đề … gồm những đơn vị nào?"
    r"|\b(dot|doan|cuoc) (kiem tra|giam sat)\b.*\bgom (nhung |cac )?(don vi|to chuc( co so)? dang|dang uy|chi bo|noi)"
    r" nao\b"
)
PROGRAMME = re.compile(r"\b(?:chuong trinh|ctr)\b")  # a programme named (frame routing reads it too)
_TARGETS = re.compile(r"\bchi tieu\b")
# "hoàn thành (tốt / xuất sắc) nhiệm vụ" is a rating, not a programme's task
_TASKS = re.compile(r"(?<!hoan thanh )(?<!hoan thanh tot )(?<!hoan thanh xuat sac )\b(nhiem vu|giai phap)\b")
_QUOTA = re.compile(r"\b(giao|chi tieu)\b[^?]*\b(bao nhieu|may|la gi)\b|\bduoc giao\b")
_NUMBERS = {
    "mot": 1, "nhat": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
    "muoi": 10,
}
_NTH = re.compile(
    r"\b(nhiem vu|giai phap|chi tieu)\s+(?:thu|so)?\s*(\d{1,2}|mot|nhat|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi)\b"
)
_PERSONS = re.compile(r"\b(dang vien nao|nhung ai|ai bi|nhung dong chi|dong chi nao|ca nhan nao|can bo nao)\b")
_ORGS = re.compile(r"\b(don vi nao|to chuc( dang)? nao|tap the nao|chi bo nao|dang uy nao|nhung don vi|to chuc nao)\b")
# "những đơn vị nào", "đảng bộ nào", "ở những phường nào", "tại đâu"
_ASKS_UNITS = re.compile(
    r"\b(?:don vi|dang bo|dang uy|chi bo|phuong|xa|co quan|doanh nghiep|cong ty|noi)(?: co so)? nao\b"
    r"|\bnhung (?:don vi|dang bo|dang uy|chi bo|phuong|xa|co quan|doanh nghiep|noi(?! dung))\b"
    r"|\b(?:o|tai) dau\b"
)
_FINDINGS_WORDS = re.compile(
    r"\b(han che|khuyet diem|ton tai|uu diem|yeu cau|kien nghi|khac phuc|ket qua (kiem tra|giam sat)"
    r"|duoc (kiem tra|giam sat)"
    r"|bi (kiem tra|giam sat)|qua (kiem tra|giam sat)|ky luat|vi pham|thoi han|danh gia|theo doi|don doc|chan chinh)\b"
)

# Words that put a question inside an inspection's findings: a remedy, a shortcoming, a conclusion,
# a unit that was inspected, a programme. A deadline question without them ("Thời hạn xét công
# nhận đảng viên chính thức là bao lâu?") asks about a rule, not a remedy.
_REMEDY_CONTEXT = re.compile(
    r"\b(khac phuc|kien nghi|chan chinh|han che|khuyet diem|ton tai|ket luan|sai pham"
    r"|(duoc|bi|qua|doan|sau|da) (kiem tra|giam sat)|(kiem tra|giam sat) (chuyen de|chuong trinh|ctr)"
    r"|chuong trinh|ctr|thong bao ket qua)\b"
)


@dataclass(frozen=True)
class Ask:
    """The form of a question."""

    folded: str
    kinds: tuple[Kind, ...] = ()  # the kinds of finding asked for (empty: all)
    deadline: bool = False
    who: bool = False
    result: bool = False  # "kết quả kiểm tra … thế nào": a summary of everything
    discipline: bool = False
    inspected: bool = False  # "đã kiểm tra những đơn vị nào"
    which: bool = False  # "những đơn vị nào chưa …"
    findings_words: bool = False
    programme: bool = False
    targets: bool = False
    tasks: bool = False
    quota: bool = False
    nth: int | None = None
    nth_of: str | None = None  # "task" or "target"
    persons: bool = False  # asks which party members
    orgs: bool = False  # asks which organisations
    remedy_context: bool = False  # names a remedy, a shortcoming, an inspection or a programme


def read(question: str) -> Ask:
    """The form of a question (see ``Ask``)."""
    f = " ".join(fold(expand_abbreviations(question)).replace("?", " ? ").split())
    kinds: list[Kind] = []
    if _HAN_CHE.search(f):
        kinds.append("han_che")
    if _UU_DIEM.search(f):
        kinds.append("uu_diem")
    deadline = bool(_DEADLINE.search(f) or (_WHEN.search(f) and _MUST.search(f)))
    who = bool(_WHO.search(f))
    if _YEU_CAU.search(f) or deadline or who:
        kinds.append("yeu_cau")
    discipline = bool(_DISCIPLINE.search(f))
    if discipline:
        kinds.append("ky_luat")
    nth = nth_of = None
    m = _NTH.search(f)
    if m:
        raw = m.group(2)
        nth = int(raw) if raw.isdigit() else _NUMBERS.get(raw)
        nth_of = "target" if m.group(1) == "chi tieu" else "task"
    return Ask(
        folded=f,
        kinds=tuple(dict.fromkeys(kinds)),
        deadline=deadline,
        who=who,
        result=bool(_RESULT.search(f)),
        discipline=discipline,
        inspected=bool(_INSPECTED.search(f)) and not kinds,
        which=bool(_ASKS_UNITS.search(f) or _ORGS.search(f)),
        findings_words=bool(_FINDINGS_WORDS.search(f)),
        programme=bool(PROGRAMME.search(f)),
        targets=bool(_TARGETS.search(f)),
        tasks=bool(_TASKS.search(f)),
        quota=bool(_QUOTA.search(f)),
        nth=nth,
        nth_of=nth_of,
        persons=bool(_PERSONS.search(f)),
        orgs=bool(_ORGS.search(f)),
        remedy_context=bool(_REMEDY_CONTEXT.search(f)),
    )


# Phrases and words that say what kind of answer is wanted, not what it is about: left out of topic matching.
QUESTION_PHRASES = re.compile(
    r"\b(?:han che|khuyet diem|ton tai|uu diem|yeu cau|kien nghi|khac phuc|ket qua|thoi han|han chot|cham nhat"
    r"|luc nao|truoc ngay"
    r"|den khi nao|khi nao"
    r"|bao gio|nhung gi|the nao|ra sao|don vi|danh gia|ky luat|hinh thuc|chiu trach nhiem|phu trach|dong chi|dang uy"
    r"|dang bo|chi bo|to chuc dang|cap uy|vi sao|tai sao|muc nao|bao nhieu|phat hien|chi ra|vi pham gi)\b"
)
# Folded function words left out of topic matching (a question's topic is its content words).
TOPIC_STOPWORDS = frozenset(
    """
    la cua va cac nhung duoc cho co trong voi de khi thi nay do ve tu den mot theo tai
    hay hoac nhu ma se da dang bi boi vao ra len nen neu sao gi nao ai bao nhieu the
    khong chua con cung rat moi phai vay a o u nhe ha chu
    """.split()
)
QUESTION_WORDS = frozenset(
    "phai duoc nao ai gi la bi da con chua co nhung cac cua o tai ve trong theo qua lam may phuong xa".split()
)
