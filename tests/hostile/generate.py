"""A corpus of hostile files, each with what ingestion must do with it (``python -m tests.hostile.generate DIR``).

Truncated, encrypted and image-only PDFs, PDF stream and page bombs, docx zip bombs (huge
unpacked size, a million paragraphs, one huge run, thousands of parts), empty files, binary
data under a text name, every Vietnamese encoding (UTF-16 with and without BOM,
Windows-1258, and the old TCVN3 and VNI), a 2 MB line, 10,000-level HTML nesting, control
characters, mixed NFD/NFC, odd file names and NFD/NFC twins. ``expect`` is "read" (stored),
"refused" (one line with a reason, nothing stored) or "skipped" (listed, not read).
"""

from __future__ import annotations

import io
import random
import sys
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

TEXT = (
    "ĐẢNG ỦY PHƯỜNG PHÚC LỢI\nSố {n}-KH/ĐU\nKẾ HOẠCH\nThực hiện công tác kiểm tra, giám sát năm 2025\n"
    "1. Mục đích\nNâng cao chất lượng sinh hoạt chi bộ, đảng viên gương mẫu chấp hành nghị quyết.\n"
    "2. Yêu cầu\nCác chi bộ trực thuộc báo cáo kết quả về Đảng ủy trước ngày 15 tháng 12 năm 2025.\n"
)
ASCII_TEXT = "DANG UY PHUONG\nSo {n}-KH/DU\nKE HOACH\n1. Muc dich\nDieu {n}. Quy dinh chung ve sinh hoat chi bo hang thang.\n"


@dataclass(frozen=True)
class Case:
    """A hostile file and what ingestion must do with it."""

    name: str
    expect: str  # read | refused | skipped
    kind: str


def text(n: int) -> str:
    return TEXT.format(n=n)


# ---- PDF -----------------------------------------------------------------------------------------
def pdf(pages: list[list[str]], *, compress: bytes | None = None) -> bytes:
    """A small valid PDF with Helvetica text (ASCII) on each page; ``compress`` replaces page 1's stream."""
    objs: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font_id = 3
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, lines in enumerate(pages):
        content = b"BT /F1 12 Tf 72 760 Td 14 TL " + b" ".join(b"(" + ln.encode("ascii") + b") '" for ln in lines) + b" ET"
        if compress is not None and i == 0:
            stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(compress) + compress + b"\nendstream"
        else:
            stream = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
        objs.append(stream)
        content_id = len(objs)
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                    b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font_id))
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def encrypted(data: bytes, user: str, owner: str, algorithm: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def deflate_bomb(size: int) -> bytes:
    comp = zlib.compressobj(9)
    block = b" " * (1 << 20)
    out = [comp.compress(b"BT /F1 12 Tf 72 760 Td (")]
    for _ in range(size >> 20):
        out.append(comp.compress(block))
    out.append(comp.compress(b") Tj ET") + comp.flush())
    return b"".join(out)


# ---- DOCX ----------------------------------------------------------------------------------------
def docx_with(document_xml_parts: list[bytes] | None = None, *, paragraphs: list[str] | None = None,
              extra_parts: int = 0) -> bytes:
    """A .docx from python-docx's own template with word/document.xml replaced (streamed, so bombs stay small here)."""
    import docx

    base = io.BytesIO()
    d = docx.Document()
    for p in paragraphs or []:
        d.add_paragraph(p)
    d.save(base)
    if document_xml_parts is None and not extra_parts:
        return base.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename == "word/document.xml" and document_xml_parts is not None:
                with dst.open("word/document.xml", "w", force_zip64=True) as fh:
                    for part in document_xml_parts:
                        fh.write(part)
            else:
                dst.writestr(info, src.read(info.filename))
        for i in range(extra_parts):
            dst.writestr(f"extra/part{i}.xml", b"<a/>")
    return out.getvalue()


HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document '
        b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
TAIL = b"</w:body></w:document>"


def repeated(unit: bytes, count: int) -> list[bytes]:
    chunk = unit * max(1, (1 << 20) // len(unit))
    per = (1 << 20) // len(unit)
    parts, left = [HEAD], count
    while left > 0:
        n = min(per, left)
        parts.append(chunk if n == per else unit * n)
        left -= n
    return parts + [TAIL]


# ---- legacy Vietnamese encodings ------------------------------------------------------------------
_TCVN3 = dict(zip("ăâêôơưđĂÂÊÔƠƯĐ", range(0xA8, 0xAF))) | dict(zip("ĂÂÊÔƠƯĐ", range(0xA1, 0xA8)))
_TCVN3 |= dict(zip("àảãáạ", (0xB5, 0xB6, 0xB7, 0xB8, 0xB9))) | dict(zip("ằẳẵắặ", (0xBB, 0xBC, 0xBD, 0xBE, 0xC6)))
_TCVN3 |= dict(zip("ầẩẫấậ", range(0xC7, 0xCC))) | dict(zip("èẻẽéẹ", (0xCC, 0xCE, 0xCF, 0xD0, 0xD1)))
_TCVN3 |= dict(zip("ềểễếệ", range(0xD2, 0xD7))) | dict(zip("ìỉĩíị", (0xD7, 0xD8, 0xDC, 0xDD, 0xDE)))
_TCVN3 |= dict(zip("òỏõóọ", (0xDF, 0xE1, 0xE2, 0xE3, 0xE4))) | dict(zip("ồổỗốộ", range(0xE5, 0xEA)))
_TCVN3 |= dict(zip("ờởỡớợ", range(0xEA, 0xEF))) | dict(zip("ùủũúụ", (0xEF, 0xF1, 0xF2, 0xF3, 0xF4)))
_TCVN3 |= dict(zip("ừửữứự", range(0xF5, 0xFA))) | dict(zip("ỳỷỹýỵ", range(0xFA, 0xFF)))
_VNI_TONE = {"\u0301": b"\xf9", "\u0300": b"\xf8", "\u0309": b"\xfb", "\u0303": b"\xf5", "\u0323": b"\xef"}
_VNI_HAT_TONE = {"\u0301": b"\xe1", "\u0300": b"\xe0", "\u0309": b"\xe5", "\u0303": b"\xe3", "\u0323": b"\xe4"}


def tcvn3(s: str) -> bytes:
    out = bytearray()
    for ch in s:
        low = ch.lower()
        out += bytes([_TCVN3[ch]]) if ch in _TCVN3 else bytes([_TCVN3[low]]) if low in _TCVN3 else (
            unicodedata.normalize("NFD", ch)[0].encode("ascii", "replace"))
    return bytes(out)


def vni(s: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", s):
        if ch in "đĐ":
            out += b"\xf1" if ch == "đ" else b"\xd1"
            continue
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        if not marks or not base.isascii():
            out += ch.encode("ascii", "replace")
            continue
        out += base.encode()
        tone = next((m for m in marks if m in _VNI_TONE), None)
        if "\u0302" in marks:
            out += _VNI_HAT_TONE[tone] if tone else b"\xe2"
        elif "\u031b" in marks:
            out += (b"\xf4" if base in "oO" else b"\xf6") + (_VNI_TONE[tone] if tone else b"")
        elif "\u0306" in marks:
            out += b"\xea" + (_VNI_TONE[tone] if tone else b"")
        elif tone:
            out += _VNI_TONE[tone]
    return bytes(out)


def cp1258(s: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", s):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += (base + tones).encode("cp1258")
    return bytes(out)


# ---- the corpus ------------------------------------------------------------------------------------
def generate(folder: Path) -> list[Case]:
    """Write the hostile corpus into ``folder``; the cases in name order."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    cases: list[Case] = []

    def put(name: str, data: bytes, expect: str, kind: str) -> None:
        (folder / name).write_bytes(data)
        cases.append(Case(name, expect, kind))

    good_pdf = pdf([[f"Dieu {p}. Quy dinh chung ve sinh hoat chi bo.", "Chi bo hop moi thang mot lan."] for p in range(1, 4)])
    put("pdf-good.pdf", good_pdf, "read", "pdf")
    for i, cut in enumerate(sorted(rng.sample(range(20, len(good_pdf) - 10), 25))):
        put(f"pdf-truncated-{i:02d}.pdf", good_pdf[:cut], "refused", "truncated pdf")
    for algo in ("RC4-40", "RC4-128", "AES-128", "AES-256"):
        put(f"pdf-user-password-{algo}.pdf", encrypted(good_pdf, "mat-khau", "chu", algo), "refused", "encrypted pdf")
        own = pdf([[f"Huong dan {algo}: so tay {w} cua chi bo {algo.lower()}." for w in ("mot", "hai", "ba", "bon")]])
        put(f"pdf-owner-only-{algo}.pdf", encrypted(own, "", "chu", algo), "read", "owner-password pdf")
    put("pdf-image-only.pdf", pdf([[]]), "refused", "image-only pdf")
    put("pdf-image-only-3-pages.pdf", pdf([[], [], []]), "refused", "image-only pdf")
    put("pdf-stream-bomb-100MB.pdf", pdf([["x"]], compress=deflate_bomb(100 << 20)), "refused", "pdf stream bomb")
    put("pdf-stream-bomb-40MB.pdf", pdf([["x"]], compress=deflate_bomb(40 << 20)), "refused", "pdf stream bomb")
    put("pdf-5000-pages.pdf", pdf([["Trang"]] * 5000), "refused", "pdf page bomb")
    put("pdf-garbage.pdf", b"%PDF-1.7\n" + rng.randbytes(5000) + b"\n%%EOF\n", "refused", "damaged pdf")

    good_docx = docx_with(paragraphs=text(1).splitlines())
    put("docx-good.docx", good_docx, "read", "docx")
    for i, cut in enumerate(sorted(rng.sample(range(30, len(good_docx) - 5), 25))):
        put(f"docx-truncated-{i:02d}.docx", good_docx[:cut], "refused", "truncated docx")
    put("docx-bomb-31M-paragraphs.docx", docx_with(repeated(b"<w:p/>", 31_000_000)), "refused", "docx zip bomb")
    put("docx-bomb-1M-paragraphs.docx", docx_with(repeated(b"<w:p><w:r><w:t>a</w:t></w:r></w:p>", 1_000_000)),
        "refused", "docx element bomb")
    put("docx-bomb-one-huge-run.docx", docx_with([HEAD, b"<w:p><w:r><w:t>", *([b"a" * (1 << 20)] * 400), b"</w:t></w:r></w:p>", TAIL]),
        "refused", "docx huge run")
    put("docx-bomb-40MB-run.docx", docx_with([HEAD, b"<w:p><w:r><w:t>", *([b"ab " * 349_525] * 40), b"</w:t></w:r></w:p>", TAIL]),
        "refused", "docx huge run")
    put("docx-20000-parts.docx", docx_with(extra_parts=20_000), "refused", "docx many parts")
    put("docx-not-a-zip.docx", b"PK\x03\x04" + rng.randbytes(3000), "refused", "damaged docx")
    put("docx-zip-without-word.docx", _zip({"hello.txt": b"hi"}), "refused", "damaged docx")

    for suffix in (".txt", ".md", ".html", ".htm", ".pdf", ".docx"):
        put(f"empty{suffix}", b"", "refused", "0-byte")
        put(f"blank{suffix}", b" \n\t \r\n", "refused", "0-byte")
    for i, blob in enumerate([rng.randbytes(4096), b"\x89PNG\r\n\x1a\n" + rng.randbytes(2000), b"\x7fELF" + rng.randbytes(3000),
                              _zip({"a.bin": rng.randbytes(2000)}), b"\x00" * 5000, bytes(range(256)) * 20,
                              b"GIF89a" + rng.randbytes(1500), b"%PDF-1.4\n" + rng.randbytes(800)]):
        for suffix in (".txt", ".md", ".html"):
            put(f"binary-{i}{suffix}", blob, "refused", "binary renamed")

    for n in range(5):
        put(f"utf16-le-bom-{n}.txt", text(n + 10).encode("utf-16"), "read", "UTF-16")
        put(f"utf16-be-bom-{n}.txt", b"\xfe\xff" + text(n + 20).encode("utf-16-be"), "read", "UTF-16")
        put(f"utf16-le-nobom-{n}.txt", text(n + 30).encode("utf-16-le"), "read", "UTF-16 without BOM")
        put(f"utf16-be-nobom-{n}.txt", text(n + 40).encode("utf-16-be"), "read", "UTF-16 without BOM")
        put(f"windows-1258-{n}.txt", cp1258(text(n + 50)), "read", "Windows-1258")
        put(f"tcvn3-{n}.txt", tcvn3(text(n + 60)), "refused", "TCVN3")
        put(f"vni-{n}.txt", vni(text(n + 70)), "refused", "VNI")
        put(f"utf8-bom-{n}.md", b"\xef\xbb\xbf" + text(n + 80).encode(), "read", "UTF-8 BOM")
        put(f"mojibake-{n}.txt", text(n + 90).encode("utf-8").decode("cp1252", "replace").encode("utf-8"), "refused", "double-encoded")

    words = " ".join(text(1).split())
    put("line-2MB-words.txt", ((words + " ") * (2_000_000 // (len(words) + 1))).encode(), "refused", "2 MB line")
    put("line-2MB-base64.txt", __import__("base64").b64encode(rng.randbytes(1_500_000)), "refused", "2 MB line")
    put("junk-long-tokens.txt", "\n".join("x" * 500 for _ in range(200)).encode(), "refused", "no prose")
    put("numbering-400-levels.txt", ("QUY ĐỊNH\n" + "\n".join(".".join(str(k) for k in range(1, d + 2)) + ". Mục con sâu." for d in range(400))).encode(),
        "refused", "deep numbering")
    put("numbering-39-levels.txt", ("QUY ĐỊNH\nSố 9-QĐ/ĐU\n" + "\n".join("1." * d + f" Mục con cấp {d} về sinh hoạt chi bộ." for d in range(1, 40))).encode(),
        "read", "deep numbering")
    put("dieu-60000-headings.txt", "\n".join(f"Điều {k}." for k in range(1, 60001)).encode(), "refused", "chunk bomb")

    for depth in (300, 1000, 10_000):
        html = "<html><head><title>Lồng sâu</title></head><body>" + "<div>" * depth + f"<p>{text(5)}</p>" + "</div>" * depth + "</body></html>"
        put(f"html-nesting-{depth}.html", html.encode(), "refused", "HTML nesting")
    put("html-nesting-40.html", ("<html><body>" + "<div>" * 40 + "".join(f"<p>{ln}</p>" for ln in text(6).splitlines()) + "</div>" * 40 + "</body></html>").encode(),
        "read", "HTML nesting")
    put("html-400k-elements.html", ("<html><body>" + "<span>a</span>" * 400_000 + "</body></html>").encode(), "refused", "HTML elements")
    put("html-script-only.html", b"<html><body><script>alert(1)</script></body></html>", "refused", "HTML no text")

    for i in range(8):
        noisy = "".join(ch + (chr(rng.choice([1, 2, 7, 8, 11, 12, 27, 127, 0x200B, 0x202E, 0xFEFF])) if rng.random() < 0.2 else "") for ch in text(100 + i))
        put(f"control-chars-{i}.txt", noisy.encode(), "read", "control characters")
        mixed = "".join(unicodedata.normalize("NFD" if rng.random() < 0.5 else "NFC", w + " ") for w in text(110 + i).split(" "))
        put(f"mixed-nfd-nfc-{i}.txt", mixed.encode(), "read", "mixed NFD/NFC")

    odd = [" khoảng trắng đầu.txt", "dấu cách  kép.txt", "emoji-📄-tài-liệu.txt", "-bat-dau-gach.txt", "a" * 200 + ".txt",
           "chấm..chấm.txt", "TÊN HOA.TXT", "Mixed.Case.Md", "có'nháy\"kép.txt", "dòng\nmới.txt", "tab\tở giữa.txt",
           "rtl-\u202eoverride.txt", "zero\u200bwidth.txt", "doc::id::sep.txt", "phien@ban.txt", "%20encoded%2F.txt",
           "<script>.txt", "Quyết định (bản cuối) [2025].txt", "gạch_dưới__.txt", "x.txt.txt"]
    for i, name in enumerate(odd):
        put(name, text(200 + i).encode(), "read", "odd file name")
    twin = "Quy định số 5.txt"
    put(unicodedata.normalize("NFC", twin), text(300).encode(), "read", "NFD/NFC twins")
    put(unicodedata.normalize("NFD", twin), text(301).replace("kiểm tra, giám sát", "thi đua, khen thưởng").encode(), "read", "NFD/NFC twins")
    same = "Hướng dẫn 7.txt"
    put(unicodedata.normalize("NFC", same), text(302).encode(), "read", "NFD/NFC twins")
    put(unicodedata.normalize("NFD", same), text(302).encode(), "read", "NFD/NFC twins (identical)")
    put(".an-file.txt", text(400).encode(), "skipped", "hidden file")
    put("bang-tinh.xlsx", b"PK\x03\x04", "skipped", "unsupported type")
    put("anh-chup.jpg", b"\xff\xd8\xff\xe0", "skipped", "unsupported type")
    put("khong-duoi", text(401).encode(), "skipped", "unsupported type")
    (folder / "vong-lap").symlink_to(folder, target_is_directory=True)
    cases.append(Case("vong-lap", "skipped", "symlink loop"))
    (folder / "lien-ket-hong.txt").symlink_to(folder / "khong-ton-tai.txt")
    cases.append(Case("lien-ket-hong.txt", "skipped", "broken symlink"))
    return sorted(cases, key=lambda c: c.name)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


if __name__ == "__main__":
    made = generate(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile"))
    print(f"{len(made)} hostile files")
