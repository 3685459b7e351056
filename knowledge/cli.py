"""Admin CLI: ingest files and folders, list, delete, history, restore, dry-run (``python ingest.py --help``)."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from knowledge.access import readers
from knowledge.models import FileResult, IngestReport
from knowledge.settings import KnowledgeSettings

STATUS_VI = {
    "added": "đã thêm",
    "replaced": "đã thay",
    "restored": "đã khôi phục",
    "unchanged": "không đổi",
    "skipped": "bỏ qua",
    "failed": "LỖI",
    "dry-run": "thử (không ghi)",
}
# libraries that log at INFO/WARNING about things the admin cannot act on (shown with -v)
_CHATTY = ("trafilatura", "htmldate", "courlan", "justext", "readability", "pypdf", "chromadb", "httpx", "httpcore", "bm25s")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ingest.py",
        description="Nạp tài liệu vào kho tri thức (ingest documents into the knowledge base).",
    )
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (recursive): .txt .md .html .pdf .docx")
    p.add_argument("--data-dir", type=Path, help="data folder (default: KB_DATA_DIR or ./data)")
    p.add_argument("--list", action="store_true", help="list the ingested documents")
    p.add_argument("--json", action="store_true", help="with --list or --history: JSON for scripts")
    p.add_argument("--delete", metavar="DOC_ID", action="append", default=[], help="delete a document (it stays restorable; repeatable)")
    p.add_argument("--history", metavar="DOC_ID", help="the kept versions of a document, newest first")
    p.add_argument("--restore", metavar="DOC_ID[@VERSION]", help="make a kept version live again (default: the newest replaced one)")
    p.add_argument("--dry-run", action="store_true", help="parse and split, show chunks and metadata, write nothing")
    p.add_argument("--show", type=int, default=5, metavar="N", help="chunks shown per file with --dry-run (default 5)")
    p.add_argument(
        "--replace-code", action="store_true",
        help="a file that is the same document as a stored one (same code and date, or nearly the same text) replaces it",
    )
    p.add_argument(
        "--code", metavar="CODE",
        help="set the document code of a single file whose number the text leaves blank (e.g. 02-HD/BTCTU)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when nothing changed; otherwise the summary on stderr")
    p.add_argument(
        "--restricted", action="store_true",
        help="only members of the units the document concerns (and admins, district readers) may read it",
    )
    p.add_argument(
        "--restricted-to", metavar="UNIT", action="append", default=[],
        help="only members of this unit may read the ingested files (repeatable; implies --restricted)",
    )
    p.add_argument("--restrict", metavar="DOC_ID", action="append", default=[],
                   help="restrict a stored document to the units it concerns (or to --restricted-to units)")
    p.add_argument("--unrestrict", metavar="DOC_ID", action="append", default=[],
                   help="make a stored document public again")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def configure_logging(verbose: bool) -> None:
    """Warnings only, libraries silenced (their complaints about a bad file become its one line), unless -v."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:
        for name in _CHATTY:
            logging.getLogger(name).setLevel(logging.CRITICAL)


def shown(name: str) -> str:
    """A file name safe to print on one line: control and bidi characters made visible."""
    import unicodedata

    return "".join(ch if unicodedata.category(ch)[0] != "C" else f"\\u{ord(ch):04x}" for ch in name)


def _summary(report: IngestReport, console: Console) -> None:
    rows = []
    for r in report.results:
        if r.status == "skipped":
            continue  # one line each below
        m = r.meta
        rows.append([
            shown(r.doc_id),
            (m.code if m else None) or "—",
            (m.doc_type if m else None) or "—",
            (m.issue_date if m else None) or "—",
            str(r.chunks) if r.chunks else "—",
            str(len(m.units)) if m else "—",
            STATUS_VI.get(r.status, r.status) + (f": {r.reason}" if r.reason and r.status != "failed" else ""),
        ])
    header = ["doc_id", "số hiệu", "loại", "ngày", "đoạn", "đơn vị", "trạng thái"]
    _print_rows(console, "Kết quả nạp tài liệu", header, rows, "trạng thái")
    counts = {s: sum(1 for r in report.results if r.status == s) for s in STATUS_VI}
    console.print(
        "Tổng: " + ", ".join(f"{STATUS_VI[s]} {n}" for s, n in counts.items() if n) if report.results else "Không có tệp nào."
    )


def _problems(report: IngestReport, console: Console) -> None:
    """One line per file that was not stored: failures in red, skipped files in yellow."""
    for r in report.results:
        if r.status == "failed":
            console.print(f"[red]✗ {escape(shown(Path(r.source).name))}: {escape(r.reason or '')}[/red]", highlight=False, soft_wrap=True)
        elif r.status == "skipped":
            console.print(f"[yellow]– {escape(shown(Path(r.source).name))}: {escape(r.reason or '')}[/yellow]", highlight=False, soft_wrap=True)


def _dry_run_details(services: Any, results: list[FileResult], show: int, console: Console, code: str | None) -> None:
    from knowledge.documents.loaders import load_file
    from knowledge.documents.splitter import breadcrumb

    ingest = services.ingest
    for r in results:
        if r.status != "dry-run":
            continue
        prepared = ingest.prepare(load_file(Path(r.source), limits=ingest.limits), code)
        m = prepared.meta
        console.rule(f"{r.doc_id}")
        console.print(
            f"tiêu đề: {m.title}\nsố hiệu: {m.code or '—'} | loại: {m.doc_type or '—'} | ngày: {m.issue_date or '—'} | "
            f"cơ quan: {m.issuing_body or '—'}\nthay thế: {', '.join(m.replaces) or '—'}\nđơn vị: {', '.join(m.units) or '—'}",
            highlight=False,
        )
        for c in prepared.chunks[:show]:
            console.print(f"[bold]#{c.position} {breadcrumb(m, c)}[/bold] ({len(c.text)} ký tự)", highlight=False)
            console.print(c.text[:400] + ("…" if len(c.text) > 400 else ""), highlight=False)
        if len(prepared.chunks) > show:
            console.print(f"… và {len(prepared.chunks) - show} đoạn nữa")


def plain_table(header: list[str], rows: list[list[str]]) -> str:
    """Columns padded with spaces, nothing cut or wrapped (for pipes, files and narrow terminals)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def _print_rows(console: Console, title: str, header: list[str], rows: list[list[str]], fold: str) -> None:
    if not console.is_terminal:
        console.file.write(f"{title}\n{plain_table(header, rows)}\n")
        return
    table = Table(title=title)
    for col in header:
        table.add_column(col, no_wrap=col != fold, overflow="fold" if col == fold else "ignore")
    for row in rows:
        table.add_row(*map(escape, row))
    console.print(table, soft_wrap=True)


def _list(services: Any, console: Console, as_json: bool) -> None:
    records = sorted(services.store.documents(), key=lambda r: r.meta.doc_id)
    if as_json:
        print(json.dumps([
            {"doc_id": r.meta.doc_id, "code": r.meta.code, "type": r.meta.doc_type, "date": r.meta.issue_date,
             "title": r.meta.title, "chunks": r.chunks, "format": r.fmt, "version": r.version, "sha256": r.sha256}
            for r in records
        ], ensure_ascii=False, indent=2))
        return
    rows = [[r.meta.doc_id, r.meta.code or "—", r.meta.doc_type or "—", r.meta.issue_date or "—", r.meta.title,
             str(r.chunks), r.fmt, "; ".join(readers(r.meta)) or "(công khai)"] for r in records]
    header = ["doc_id", "số hiệu", "loại", "ngày", "tiêu đề", "đoạn", "định dạng", "chỉ đơn vị được xem"]
    _print_rows(console, "Tài liệu trong kho", header, rows, "tiêu đề")


def _history(services: Any, doc_id: str, console: Console, as_json: bool) -> None:
    versions = services.admin.history(doc_id)
    if as_json:
        print(json.dumps([
            {"doc_id": v.doc_id, "version": v.version, "live": v.live, "code": v.code, "date": v.issue_date,
             "title": v.title, "chunks": v.chunks, "ingested_at": v.ingested_at, "source": v.source, "format": v.fmt}
            for v in versions
        ], ensure_ascii=False, indent=2))
        return
    rows = [[v.version, "● hiện hành" if v.live else "", time.strftime("%Y-%m-%d %H:%M", time.localtime(v.ingested_at)),
             v.code or "—", v.issue_date or "—", str(v.chunks), Path(v.source).name, v.title] for v in versions]
    _print_rows(console, f"Các phiên bản của {doc_id}", ["phiên bản", "trạng thái", "nạp lúc", "số hiệu", "ngày", "đoạn", "tệp", "tiêu đề"], rows, "tiêu đề")


def _ingest(services: Any, args: argparse.Namespace, console: Console) -> IngestReport:
    with Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("Nạp tài liệu", total=None)

        def progress(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"Nạp {name}" if name else "Xong")

        return services.ingest.ingest_paths(
            args.paths, replace_same_code=args.replace_code, dry_run=args.dry_run, progress=progress, code=args.code,
            restricted=_restriction(args),
        )


def _restriction(args: argparse.Namespace) -> list[str] | bool | None:
    """--restricted-to units, else True for --restricted (the units the document concerns), else None (public)."""
    return list(args.restricted_to) or (True if args.restricted else None)


def _restrictions(services: Any, args: argparse.Namespace, console: Console) -> int:
    """Apply --restrict / --unrestrict to stored documents; 1 when one of them failed."""
    from knowledge.errors import KnowledgeError

    code = 0
    for doc_id in dict.fromkeys(args.restrict):
        try:
            units = services.findings.restrict(doc_id, list(args.restricted_to) or None)
            _audit(services, "restrict", f"{doc_id}: {'; '.join(units)}")
            console.print(f"{doc_id}: chỉ đơn vị được xem — {'; '.join(units)}.", soft_wrap=True)
        except KnowledgeError as exc:
            console.print(f"[red]{doc_id}: {exc.message}[/red]", soft_wrap=True)
            code = 1
    for doc_id in dict.fromkeys(args.unrestrict):
        try:
            services.findings.unrestrict(doc_id)
            _audit(services, "unrestrict", doc_id)
            console.print(f"{doc_id}: công khai.", soft_wrap=True)
        except KnowledgeError as exc:
            console.print(f"[red]{doc_id}: {exc.message}[/red]", soft_wrap=True)
            code = 1
    return code


def _report(report: IngestReport, args: argparse.Namespace, services: Any, console: Console) -> None:
    quiet_ok = args.quiet and all(r.status == "unchanged" for r in report.results)
    if quiet_ok:
        return
    out = Console(stderr=True) if args.quiet else console
    if args.dry_run:
        _dry_run_details(services, list(report.results), args.show, out, args.code)
    _summary(report, out)
    _problems(report, out)


def main(argv: list[str] | None = None, *, embeddings: Embeddings | None = None) -> int:
    """Entry point of ``ingest.py`` / ``kb-ingest``; returns the exit code (1: a file failed, 2: nothing could run).

    ``embeddings`` replaces the configured model (tests pass a fake).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    console = Console(highlight=False)
    if not (args.paths or args.list or args.delete or args.history or args.restore or args.restrict or args.unrestrict):
        parser.print_help()
        return 2
    from knowledge.errors import KnowledgeError
    from knowledge.services.compose import build_services

    overrides = {"data_dir": args.data_dir} if args.data_dir else {}
    if args.data_dir is not None and args.data_dir.exists() and not args.data_dir.is_dir():
        console.print(
            f"[red]{escape(str(args.data_dir))} không phải là thư mục: --data-dir cần một thư mục dữ liệu "
            f"(not a folder).[/red]", soft_wrap=True,
        )
        return 2
    try:
        services = build_services(KnowledgeSettings(**overrides), embeddings=embeddings)
        exit_code = _run(services, args, console)
    except KnowledgeError as exc:
        console.print(f"[red]{exc.message}[/red]", soft_wrap=True)
        return 2
    return exit_code


def _restore_target(services: Any, given: str) -> tuple[str, str]:
    """(doc_id, version) of ``--restore DOC_ID[@VERSION]``: a doc_id may itself hold "@"
    (a stored id given whole has no version; otherwise the version follows the last "@")."""
    if services.store.document(given) is not None or services.store.versions(given):
        return given, ""
    doc_id, _, version = given.rpartition("@")
    return (doc_id, version) if doc_id else (given, "")


def _audit(services: Any, action: str, detail: str) -> None:
    """Record a write made from the command line in the admin log the bot exports (/xuat,
    ``python -m bot.audit admin``): the state file in the data dir, the OS user in the detail.
    A log that cannot be written never undoes or fails the action (it is said on stderr)."""
    from knowledge.state import STATE_FILE, State
    from knowledge.state.audit import CLI_USER

    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        who = str(os.getuid())
    try:
        state = State.open(services.settings.data_dir / STATE_FILE)
        try:
            state.audit.admin_action(CLI_USER, f"cli {action}", f"{detail} (ingest.py, {who})")
        finally:
            state.close()
    except (OSError, sqlite3.Error) as exc:
        print(f"nhật ký quản trị không ghi được (admin log not written): {exc}", file=sys.stderr)


def _run(services: Any, args: argparse.Namespace, console: Console) -> int:
    """The requested actions in order: delete, restore, ingest, history, list."""
    from knowledge.errors import KnowledgeError

    exit_code = 0
    for doc_id in args.delete:
        if services.admin.delete(doc_id):
            _audit(services, "delete", doc_id)
            console.print(f"Đã xóa {doc_id} (khôi phục được: --restore {doc_id}).", soft_wrap=True)
        else:
            console.print(f"[red]Không có tài liệu {doc_id}.[/red]", soft_wrap=True)
            exit_code = 1
    if args.restore:
        doc_id, version = _restore_target(services, args.restore)
        try:
            r = services.admin.restore(doc_id, version or None)
            _audit(services, "restore", f"{doc_id}@{version or 'newest'} ({r.status})")
            console.print(f"{STATUS_VI.get(r.status, r.status)} {doc_id}: {r.reason}", soft_wrap=True)
        except KnowledgeError as exc:
            console.print(f"[red]{exc.message}[/red]", soft_wrap=True)
            exit_code = 1
    if args.paths:
        report = _ingest(services, args, console)
        if not args.dry_run:
            for r in report.results:
                if r.status in ("added", "replaced"):
                    _audit(services, r.status, f"{r.source} -> {r.doc_id}")
        _report(report, args, services, console)
        if not report.ok:
            exit_code = 1
        if _restriction(args) is not None and not args.dry_run:  # unchanged files take it without being re-read
            args.restrict.extend(r.doc_id for r in report.results if r.status == "unchanged")
    exit_code = max(exit_code, _restrictions(services, args, console))
    if args.history:
        try:
            _history(services, args.history, console, args.json)
        except KnowledgeError as exc:
            console.print(f"[red]{exc.message}[/red]", soft_wrap=True)
            exit_code = 1
    if args.list:
        _list(services, console, args.json)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
