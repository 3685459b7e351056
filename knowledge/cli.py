"""Admin CLI: ingest files and folders, list, delete, dry-run (``python ingest.py --help``)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from langchain_core.embeddings import Embeddings
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from knowledge.models import FileResult, IngestReport
from knowledge.settings import KnowledgeSettings

STATUS_VI = {
    "added": "đã thêm",
    "replaced": "đã thay",
    "unchanged": "không đổi",
    "failed": "LỖI",
    "dry-run": "thử (không ghi)",
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ingest.py",
        description="Nạp tài liệu vào kho tri thức (ingest documents into the knowledge base).",
    )
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (recursive): .txt .md .html .pdf .docx")
    p.add_argument("--data-dir", type=Path, help="data folder (default: KB_DATA_DIR or ./data)")
    p.add_argument("--list", action="store_true", help="list the ingested documents")
    p.add_argument("--delete", metavar="DOC_ID", action="append", default=[], help="delete a document (repeatable)")
    p.add_argument("--dry-run", action="store_true", help="parse and split, show chunks and metadata, write nothing")
    p.add_argument("--show", type=int, default=5, metavar="N", help="chunks shown per file with --dry-run (default 5)")
    p.add_argument(
        "--replace-code", action="store_true",
        help="a new document whose code matches a stored one replaces it (e.g. a corrected re-issue)",
    )
    p.add_argument(
        "--code", metavar="CODE",
        help="set the document code of a single file whose number the text leaves blank (e.g. 02-HD/BTCTU)",
    )
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
    p.add_argument("--unrestrict", metavar="DOC_ID", action="append", default=[], help="make a stored document public again")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def _summary(report: IngestReport, console: Console) -> None:
    table = Table(title="Kết quả nạp tài liệu", show_lines=False)
    for col in ("doc_id", "số hiệu", "loại", "ngày", "đoạn", "đơn vị", "trạng thái"):
        table.add_column(col, overflow="fold")
    for r in report.results:
        m = r.meta
        table.add_row(
            r.doc_id,
            (m.code if m else None) or "—",
            (m.doc_type if m else None) or "—",
            (m.issue_date if m else None) or "—",
            str(r.chunks) if r.chunks else "—",
            str(len(m.units)) if m else "—",
            STATUS_VI.get(r.status, r.status) + (f": {r.reason}" if r.reason else ""),
        )
    console.print(table)
    counts = {s: sum(1 for r in report.results if r.status == s) for s in STATUS_VI}
    console.print(
        "Tổng: " + ", ".join(f"{STATUS_VI[s]} {n}" for s, n in counts.items() if n) if report.results else "Không có tệp nào."
    )


def _failures(report: IngestReport, console: Console) -> None:
    for r in report.failed:
        console.print(f"[red]✗ {Path(r.source).name}: {r.reason}[/red]", highlight=False)


def _dry_run_details(
    services: object, results: list[FileResult], show: int, console: Console, code: str | None
) -> None:
    from knowledge.documents.loaders import load_file
    from knowledge.documents.splitter import breadcrumb

    ingest = services.ingest  # type: ignore[attr-defined]
    for r in results:
        if r.status != "dry-run":
            continue
        doc = load_file(Path(r.source), max_bytes=ingest.max_bytes, ocr_language=ingest.settings.ocr_language)
        prepared = ingest.prepare(doc, code)
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


def _restrictions(services: object, args: argparse.Namespace, console: Console) -> int:
    """Apply --restrict / --unrestrict to stored documents; 1 when one of them failed."""
    from knowledge.errors import KnowledgeError

    findings = services.findings  # type: ignore[attr-defined]
    code = 0
    for doc_id in dict.fromkeys(args.restrict):
        try:
            units = findings.restrict(doc_id, list(args.restricted_to) or None)
            console.print(f"{doc_id}: chỉ đơn vị được xem — {'; '.join(units)}.", highlight=False)
        except KnowledgeError as exc:
            console.print(f"[red]{doc_id}: {exc.message}[/red]", highlight=False)
            code = 1
    for doc_id in dict.fromkeys(args.unrestrict):
        try:
            findings.unrestrict(doc_id)
            console.print(f"{doc_id}: công khai.", highlight=False)
        except KnowledgeError as exc:
            console.print(f"[red]{doc_id}: {exc.message}[/red]", highlight=False)
            code = 1
    return code


def main(argv: list[str] | None = None, *, embeddings: Embeddings | None = None) -> int:
    """Entry point of ``ingest.py`` / ``kb-ingest``; returns the exit code.

    ``embeddings`` replaces the configured model (tests pass a fake).
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    console = Console()
    if not (args.paths or args.list or args.delete or args.restrict or args.unrestrict):
        build_parser().print_help()
        return 2
    from knowledge.errors import KnowledgeError
    from knowledge.services.compose import build_services

    overrides = {"data_dir": args.data_dir} if args.data_dir else {}
    try:
        services = build_services(KnowledgeSettings(**overrides), embeddings=embeddings)
    except KnowledgeError as exc:
        console.print(f"[red]{exc.message}[/red]", highlight=False)
        return 1
    exit_code = 0
    for doc_id in args.delete:
        if services.ingest.delete(doc_id):
            console.print(f"Đã xóa {doc_id}.", highlight=False)
        else:
            console.print(f"[red]Không có tài liệu {doc_id}.[/red]", highlight=False)
            exit_code = 1
    restriction = list(args.restricted_to) or (True if args.restricted else None)
    if args.paths:
        with Progress(
            TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal,
        ) as bar:
            task = bar.add_task("Nạp tài liệu", total=None)

            def progress(name: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=f"Nạp {name}" if name else "Xong")

            try:
                report = services.ingest.ingest_paths(
                    args.paths, replace_same_code=args.replace_code, dry_run=args.dry_run, progress=progress,
                    code=args.code, restricted=restriction,
                )
            except KnowledgeError as exc:
                console.print(f"[red]{exc.message}[/red]", highlight=False)
                return 2
        if args.dry_run:
            _dry_run_details(services, list(report.results), args.show, console, args.code)
        elif restriction is not None:  # unchanged files take the restriction without being re-read
            for r in report.results:
                if r.status == "unchanged":
                    args.restrict.append(r.doc_id)
        _summary(report, console)
        _failures(report, console)
        if not report.ok:
            exit_code = 1
    exit_code = max(exit_code, _restrictions(services, args, console))
    if args.list:
        table = Table(title="Tài liệu trong kho")
        for col in ("doc_id", "số hiệu", "loại", "ngày", "tiêu đề", "đoạn", "định dạng", "chỉ đơn vị được xem"):
            table.add_column(col, overflow="fold")
        for rec in sorted(services.store.documents(), key=lambda r: r.meta.doc_id):
            m = rec.meta
            table.add_row(
                m.doc_id, m.code or "—", m.doc_type or "—", m.issue_date or "—", m.title, str(rec.chunks), rec.fmt,
                "; ".join(m.restricted_units) or "(công khai)",
            )
        console.print(table)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
