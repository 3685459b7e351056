"""Questions about a document itself rather than its content: when it was issued or posted.

"Bài tin … được đăng ngày nào?", "Quyết định 271 ban hành ngày nào?" are answered from the
document's metadata (the date parsed from its header or posting line), cited to the
document, instead of from a sentence that happens to contain some date.
"""

from __future__ import annotations

import re

from knowledge.answer.render import format_date
from knowledge.models import DocumentMeta
from knowledge.text import fold

_DOC_NOUN = (
    r"(?:van ban|bai tin|bai viet|bai bao|ban tin|tin bai|bai|tin|quyet dinh|quy dinh|huong dan|chuong trinh|ke hoach"
    r"|thong bao|bao cao|nghi quyet|chi thi|ket luan|dieu le|tai lieu|so tay)"
)
_ASKS_DATE = re.compile(
    rf"\b{_DOC_NOUN}\b.*\b(?P<verb>ban hanh|dang|dang tai|ky|phat hanh|thong qua|co hieu luc)\b.*"
    r"\b(?:ngay (?:thang nam )?nao|khi nao|bao gio|thoi gian nao|luc nao|nam nao|thang nao)\b"
)
_VERBS = {
    "dang": "được đăng", "dang tai": "được đăng", "ky": "được ký", "ban hanh": "được ban hành",
    "phat hanh": "được phát hành", "thong qua": "được thông qua", "co hieu luc": "đề",
}


def asks_document_date(question: str) -> str | None:
    """The verb of a question asking when a document was issued/posted ("ban hanh", "dang"), else None."""
    m = _ASKS_DATE.search(fold(question))
    return m.group("verb") if m else None


def date_fact(meta: DocumentMeta, verb: str) -> str | None:
    """One sentence giving a document's date ("Bài tin “…” được đăng ngày 15/08/2017."), or None."""
    date = format_date(meta.issue_date)
    if not date:
        return None
    kind = "Bài tin" if (meta.doc_type or "") == "Tin bài" else (meta.doc_type or "Văn bản")
    if kind in ("QĐ", "HD", "CTr", "KH", "BC", "NQ", "CT", "KL", "TB", "QC", "TTr"):
        kind = "Văn bản"
    name = meta.code or f"“{meta.title}”"
    when = "ngày" if date.count("/") == 2 else "tháng"
    return f"{kind} {name} {_VERBS.get(verb, 'đề')} {when} {date}."


_ASKS_SIGNER = re.compile(r"\b(?:ai|nguoi nao|dong chi nao) (?:da )?ky\b|\bnguoi ky\b|\bdo ai ky\b|\bky boi ai\b")
_TITLE_LINE = re.compile(r"^(?:[KT]/[TM]\.?|TM\.?|KT\.?)?\s*[A-ZĐÀ-Ỹ ./]{3,}$")


def asks_signer(question: str) -> bool:
    """Whether a question asks who signed a document ("Ai ký Hướng dẫn 02-HD/BTCTU?")."""
    return bool(_ASKS_SIGNER.search(fold(question)))


def signer_fact(meta: DocumentMeta, closing: list[str]) -> str | None:
    """"Văn bản X do đồng chí Y (CHỨC VỤ) ký.", from the signature block of a document, or None."""
    from knowledge.question.focus import names_a_person

    for n in range(len(closing) - 1, -1, -1):
        line = closing[n].strip()
        titles = [t.strip() for t in closing[max(0, n - 3) : n] if _TITLE_LINE.match(t.strip())]
        # a name on its own line under the signer's title ("TỔNG BÍ THƯ" / "Tô Lâm") is a name
        # even with two syllables, which running text would not prove ("Hà Nội")
        if not (names_a_person(line) or (titles and _bare_name(line))) or len(line.split()) > 6:
            continue
        role = f" ({' '.join(titles)})" if titles else ""
        name = meta.code or f"“{meta.title}”"
        return f"Văn bản {name} do đồng chí {line}{role} ký."
    return None


def _bare_name(line: str) -> bool:
    """A line that is only a person's name: a family name and one to three capitalised syllables."""
    from knowledge.vocab import SURNAMES

    words = line.split()
    return (
        2 <= len(words) <= 4
        and words[0].title() in SURNAMES
        and all(w[0].isupper() and w.isalpha() and not w.isupper() for w in words)
    )

