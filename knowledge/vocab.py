"""Vietnamese vocabulary every stage shares: function words and the kinds of party documents.

One list of function words serves the lexical coverage of questions, quote selection, the
grounding check of generated answers and the end of unit names. It is written with its
diacritics: "đang" (in progress) is a function word, "Đảng" (the Party) is not. Where only the
folded form is known (a question typed without marks), a syllable counts as a function word
only when no common content word folds to the same letters ("dang", "de", "tra" stay content).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from knowledge.text import fold

FUNCTION_WORDS: frozenset[str] = frozenset(
    """
    và với của là các những một được bị đã sẽ mà này đó kia ấy ở tại từ đến cho trong ngoài trên
    dưới về theo như sau trước khi nếu nên hay hoặc cũng còn rất nhiều ít mọi từng gồm bao ra vào
    lại vậy tuy nhiên gì nào ai đâu sao không chưa cần phải nhất rằng thấy có liệu thì do
    bởi nhằm để đang vẫn vừa cùng nay thuộc đối nơi lên nhé hả chứ ạ ư à thế
    rồi nhỉ đấy nữa lắm chăng ơi dạ vâng luôn nhá
    tôi mình tớ
    """.split()
)
# (the line of particles of spoken questions: "… rồi thì phải chờ mấy năm?", "… được không ạ?";
# "thôi" is not one of them: the documents' "thôi giữ chức vụ", "thôi tham gia cấp ủy", "thôi việc";
# the last line: the asker speaking of themself, "Mình mới được kết nạp, cho hỏi …", "chi bộ tôi")
# Folded syllables shared by a function word and a frequent content word of party documents
# ("đang" / "Đảng", "để" / "vấn đề", "đối" / "đối tượng" is fine, "tra" / "kiểm tra", "rồi" / "rời",
# "nữa" / "nửa", "lắm" / "làm", "đấy" / "đầy đủ"...):
# without diacritics they must count as content.
_AMBIGUOUS_FOLDED = frozenset(
    {"dang", "de", "tra", "chi", "vi", "dong", "ban", "noi", "doi", "bao", "so", "sau", "nam", "the", "co", "lai", "ra",
     "roi", "nhi", "day", "nua", "lam", "vang"}
)
FOLDED_FUNCTION_WORDS: frozenset[str] = frozenset(fold(w) for w in FUNCTION_WORDS) - _AMBIGUOUS_FOLDED


@lru_cache(maxsize=1 << 16)
def is_function_word(syllable: str) -> bool:
    """True for a function word: an accented syllable by its spelling, a bare one by its folded form."""
    low = syllable.lower()
    if low in FUNCTION_WORDS:
        return True
    return fold(low) == low and low in FOLDED_FUNCTION_WORDS


@dataclass(frozen=True)
class DocType:
    """A kind of party document: its name, the abbreviation in codes, how questions name it."""

    name: str  # "Quy định"
    abbreviation: str  # as written in codes and shown to users: "QĐ"
    code_types: tuple[str, ...]  # folded upper-case type keys a code of this kind may carry
    question_abbreviations: tuple[str, ...] = ()  # short forms users type before a number ("qd 294")


DOC_TYPES: tuple[DocType, ...] = (
    DocType("Quy định", "QĐ", ("QD", "QDI"), ("qd", "qdi")),
    DocType("Quyết định", "QĐ", ("QD", "QDI"), ("qd",)),
    DocType("Hướng dẫn", "HD", ("HD",), ("hd",)),
    DocType("Chương trình", "CTr", ("CTR",), ("ctr",)),
    DocType("Kế hoạch", "KH", ("KH",), ("kh",)),
    DocType("Báo cáo", "BC", ("BC",)),
    DocType("Nghị quyết", "NQ", ("NQ",), ("nq",)),
    DocType("Chỉ thị", "CT", ("CT",)),
    DocType("Kết luận", "KL", ("KL",)),
    DocType("Thông báo", "TB", ("TB",)),
    DocType("Quy chế", "QC", ("QC",)),
    DocType("Tờ trình", "TTr", ("TTR",)),
    DocType("Điều lệ", "Điều lệ", ()),
    DocType("Sổ tay", "Sổ tay", ()),
    DocType("Luật", "Luật", ()),
    DocType("Nghị định", "NĐ", ("ND",)),
    DocType("Thông tư", "TT", ("TT",)),
)


def doc_type_by_heading() -> dict[str, str]:
    """The kind line of a document header ("QUY ĐỊNH") -> the type's abbreviation ("QĐ")."""
    return {t.name.upper(): t.abbreviation for t in DOC_TYPES}


def code_types_by_word() -> dict[str, tuple[str, ...]]:
    """Folded words that name a document kind in a question ("quyet dinh", "qd") -> code type keys."""
    out: dict[str, tuple[str, ...]] = {}
    for t in DOC_TYPES:
        if not t.code_types:
            continue
        for word in (fold(t.name), *t.question_abbreviations):
            known = out.get(word, ())
            out[word] = known + tuple(k for k in t.code_types if k not in known)
    return out


# Vietnamese family names (the first syllable of nearly every name in party documents).
SURNAMES: frozenset[str] = frozenset(
    """
    Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Hà Triệu Đinh Lâm Mai
    Trương Đào Cao Lương Tô Chu Tạ Quách Thái Kiều Vương Phùng Hứa Lưu Đoàn Tăng Khúc Nông Lò Lục
    Giang Ông Thân Tống Văn Từ Trịnh Doãn Kim Đàm Mạc Khổng Lạc Nghiêm Quan Tôn Hàn Diệp Châu Âu
    Đồng Ninh Thạch Bạch Tiêu Khuất Lã Mạnh Viên Yên Bế Hoa Mã Đường Lai Vi Lữ Ung Phí Cù Kha Ma
    """.split()
)


# Who or what a rule is about, in families of bodies or members a question tells apart: a rule
# for the "đảng bộ cơ sở" does not answer a question about the "chi bộ", nor one for "đảng viên
# chính thức" a question about "đảng viên dự bị". Longest phrases first within a family.
SUBJECT_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("chi bộ cơ sở", "chi bộ trực thuộc", "đảng bộ cơ sở", "đảng bộ bộ phận", "đảng ủy cơ sở", "tổ chức cơ sở đảng",
     "chi bộ", "đảng bộ", "tổ đảng"),
    ("đảng viên dự bị", "đảng viên chính thức"),
    ("chi ủy", "đảng ủy", "ban thường vụ", "ban chấp hành", "ủy ban kiểm tra", "cấp ủy"),
    ("phó bí thư", "bí thư", "ủy viên"),
)


# Words that make a procedure or a body a special case of itself: "kết nạp lại" is not "kết nạp",
# "chuyển sinh hoạt tạm thời" not "chuyển sinh hoạt". A passage headed by the qualified form
# answers a question about the plain one only when the question says the qualifier too.
QUALIFIERS: tuple[str, ...] = (
    "lại", "sớm", "tạm thời", "chính thức", "dự bị", "đặc biệt", "cơ sở", "trực thuộc", "bộ phận", "ngoài nước",
    "trong nước", "lần đầu", "bổ sung",
)


# Alternatives a follow-up switches between: "còn chính thức thì sao?" after a question on the
# temporary transfer asks the same about the official one (the previous word is replaced, not
# added to). The subject families count too (SUBJECT_FAMILIES).
CONTRASTS: tuple[tuple[str, ...], ...] = (
    ("tạm thời", "chính thức"),
    ("dự bị", "chính thức"),
    ("trong nước", "ngoài nước", "nước ngoài"),
    ("khiển trách", "cảnh cáo", "cách chức", "khai trừ", "giải tán"),
    ("kết nạp lại", "kết nạp"),
    ("truy tặng", "tặng"),
    ("lưu trữ lịch sử", "lưu trữ hiện hành"),
    *SUBJECT_FAMILIES,
)


# Headings that set apart special cases from the general rule ("3. Tiêu chuẩn, điều kiện một số
# nhóm đối tượng cụ thể", "b) Một số trường hợp đặc biệt cần bổ sung thủ tục"): what is under them
# answers a question about the general rule only when the question names the case.
SPECIAL_CASE_MARKERS: tuple[str, ...] = (
    "trường hợp đặc biệt", "một số trường hợp", "một số nhóm", "nhóm đối tượng", "một số đối tượng",
    "đối tượng cụ thể", "trường hợp cụ thể", "đặc thù",
)
