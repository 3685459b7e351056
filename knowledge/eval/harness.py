"""Evaluation harness: ``python -m knowledge.eval --corpus PATH [--corpus PATH] --questions FILE [...]``.

Builds a fresh temporary index of the corpora (folders of documents, or passages ``.jsonl``
files, indexed together), runs every question through the same QAService the bot uses, and
reports the metrics of ``shared/eval/README.md`` per questions file: overall, on the tune half
and on the check half (questions split by a hash of their id, so the split never depends on
file order), and per ``kind`` within each. Every change is judged on the check half; a gap
between the halves means something was fitted to the tune half. Each reply's outcome is
counted: a direct answer, the closest provisions under a caveat, or a decline. ``--baseline``
runs the LangChain tutorial pipeline (RecursiveCharacterTextSplitter 1000/200 + Chroma, same
embedding model) beside it. It never touches the user's data dir.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.models import LoadedDocument
from knowledge.settings import KnowledgeSettings
from knowledge.text import normalize


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().lower()


@dataclass(frozen=True)
class Question:
    """One line of a questions file."""

    id: str
    question: str
    relevant_ids: tuple[str, ...] = ()
    relevant_text: tuple[str, ...] = ()
    answer_contains: tuple[str, ...] = ()
    unanswerable: bool = False
    kind: str | None = None
    answer_option: str | None = None  # multiple-choice: the letter of the option the documents support

    @property
    def has_relevance(self) -> bool:
        return bool(self.relevant_ids or self.relevant_text)

    def is_relevant(self, doc_id: str, text: str) -> bool:
        if self.relevant_ids and doc_id not in self.relevant_ids:
            return False
        if self.relevant_text:
            t = _norm(text)
            return any(_norm(r) in t for r in self.relevant_text)
        return True


def load_questions(path: Path) -> list[Question]:
    """Questions from a JSON Lines file."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        out.append(
            Question(
                id=str(d["id"]),
                question=d["question"],
                relevant_ids=tuple(d.get("relevant_ids") or ()),
                relevant_text=tuple(d.get("relevant_text") or ()),
                answer_contains=tuple(d.get("answer_contains") or ()),
                unanswerable=bool(d.get("unanswerable", False)),
                kind=d.get("kind") or None,
                answer_option=(str(d["answer_option"]).strip().upper() or None) if d.get("answer_option") else None,
            )
        )
    return out


def load_corpus(path: Path) -> list[LoadedDocument]:
    """Documents of a corpus folder (every supported file) or of a passages ``.jsonl``."""
    if path.is_file() and path.suffix == ".jsonl":
        docs = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            # A passage is one article of a law: give it the "Điều N." heading it has in the law,
            # so the splitter sees its clauses as siblings under one article.
            article = d.get("article_id")
            text = normalize(f"Điều {article}. {d['text']}" if article else d["text"])
            title = d.get("law_id") or None
            docs.append(
                LoadedDocument(
                    doc_id=str(d["id"]), source=str(d["id"]), text=text, fmt="txt",
                    sha256=hashlib.sha256(text.encode()).hexdigest(), size=len(text), title_hint=title,
                )
            )
        return docs
    from knowledge.documents.loaders import SUPPORTED_SUFFIXES, load_file

    # top level only: the shared corpus keeps PDF twins of some documents in a sub-folder
    files = sorted(f for f in path.iterdir() if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES)
    return [load_file(f, max_bytes=200 * 1024 * 1024) for f in files]


def found_facts(q: Question, answer_text: str) -> list[bool]:
    """For each expected fact, whether the answer contains it (NFC, folded whitespace, lower case)."""
    text = _norm(answer_text)
    return [_norm(s) in text for s in q.answer_contains]


def half_of(question_id: str) -> str:
    """The half a question belongs to, from a hash of its id: "tune" (for choosing) or "check" (for judging).

    Deterministic and independent of file order, so adding questions never moves the others.
    """
    return "tune" if int(hashlib.sha256(question_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "check"


@dataclass
class _Acc:
    ranks: list[int | None] = field(default_factory=list)
    contains: list[bool] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    answer_chars: list[int] = field(default_factory=list)
    declined_unans: list[bool] = field(default_factory=list)  # not answered directly (declined or closest)
    direct_unans: list[bool] = field(default_factory=list)
    false_decl: list[bool] = field(default_factory=list)
    direct: list[bool] = field(default_factory=list)
    closest: list[bool] = field(default_factory=list)
    options: list[bool] = field(default_factory=list)
    retrieval_ms: list[float] = field(default_factory=list)
    answer_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    n: int = 0

    def report(self, index_s: float | None) -> dict[str, Any]:
        ranked = self.ranks

        def hit(k: int) -> float | None:
            return round(sum(1 for r in ranked if r is not None and r <= k) / len(ranked), 4) if ranked else None

        def pct(values: list[float], q: float) -> float | None:
            return round(float(np.percentile(values, q)), 2) if values else None

        def share(values: list[bool]) -> float | None:
            return round(sum(values) / len(values), 4) if values else None

        return {
            "n": self.n,
            "hit@1": hit(1), "hit@3": hit(3), "hit@5": hit(5), "hit@10": hit(10),
            "mrr@10": round(sum(1.0 / r for r in ranked if r is not None and r <= 10) / len(ranked), 4) if ranked else None,
            "answer_contains": share(self.contains),
            "answer_recall": round(sum(self.recall) / len(self.recall), 4) if self.recall else None,
            "answer_chars_p50": pct([float(c) for c in self.answer_chars], 50),
            "answer_chars_p95": pct([float(c) for c in self.answer_chars], 95),
            "declined_unanswerable": share(self.declined_unans),
            "direct_unanswerable": share(self.direct_unans),
            "direct_answers": share(self.direct),
            "closest_answers": share(self.closest),
            "false_declines": share(self.false_decl),
            "option_named": share(self.options),
            "retrieval_ms_p50": pct(self.retrieval_ms, 50), "retrieval_ms_p95": pct(self.retrieval_ms, 95),
            "answer_ms_p50": pct(self.answer_ms, 50), "answer_ms_p95": pct(self.answer_ms, 95),
            "index_s": round(index_s, 2) if index_s is not None else None,
            "misses": self.misses,
        }


def _rank(q: Question, hits: Sequence[tuple[str, str]]) -> int | None:
    for i, (doc_id, text) in enumerate(hits[:10], start=1):
        if q.is_relevant(doc_id, text):
            return i
    return None


def evaluate_engine(
    services: Any, questions: Sequence[Question], index_s: float | None, answers_out: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Run every question through the QAService and compute the metrics: overall, per half
    (``tune`` and ``check``, split by a hash of the id) and per ``kind`` within each.

    ``answers_out`` receives one record per question (answer, outcome, citations, rank, recall,
    missing facts).
    """
    overall = _Acc()
    halves = {"tune": _Acc(), "check": _Acc()}
    by_kind: dict[str, dict[str, _Acc]] = {"all": {}, "tune": {}, "check": {}}
    engine = services.engine
    for q in questions:
        half = half_of(q.id)
        accs = [overall, halves[half]]
        if q.kind:
            accs += [by_kind["all"].setdefault(q.kind, _Acc()), by_kind[half].setdefault(q.kind, _Acc())]
        t0 = time.perf_counter()
        retrieval = engine.retrieve(q.question)
        t1 = time.perf_counter()
        answer = engine.answer(q.question)
        t2 = time.perf_counter()
        rank = _rank(q, [(r.chunk.doc_id, r.chunk.text) for r in retrieval.results]) if q.has_relevance else None
        found = found_facts(q, answer.text) if q.answer_contains and not q.unanswerable else []
        for acc in accs:
            _score(acc, q, answer, rank, found, (t1 - t0) * 1000, (t2 - t1) * 1000)
        if answers_out is not None:
            answers_out.append({
                "id": q.id, "half": half, "kind": q.kind, "question": q.question, "unanswerable": q.unanswerable,
                "outcome": answer.outcome, "declined": answer.declined, "option": answer.option,
                "answer": answer.text, "chars": len(answer.text),
                "citations": [{"n": c.n, "doc_id": c.doc_id, "code": c.code, "section": c.section} for c in answer.citations],
                "rank": rank, "recall": round(sum(found) / len(found), 4) if found else None,
                "missing": [s for s, ok in zip(q.answer_contains, found) if not ok],
            })
    report = overall.report(index_s)
    report["by_kind"] = {kind: _without_timing(acc.report(index_s)) for kind, acc in sorted(by_kind["all"].items())}
    for half, acc in halves.items():
        report[half] = _without_timing(acc.report(index_s)) | {
            "by_kind": {kind: _without_timing(a.report(index_s)) for kind, a in sorted(by_kind[half].items())}
        }
    return report


def _score(
    acc: _Acc, q: Question, answer: Any, rank: int | None, found: list[bool], retrieval_ms: float, answer_ms: float
) -> None:
    acc.n += 1
    acc.retrieval_ms.append(retrieval_ms)
    acc.answer_ms.append(answer_ms)
    outcome = getattr(answer, "outcome", "declined" if answer.declined else "answer")
    if q.unanswerable:
        acc.declined_unans.append(outcome != "answer")
        acc.direct_unans.append(outcome == "answer")
        if outcome == "answer":
            acc.misses.append(f"{q.id}: answered an unanswerable question")
        return
    acc.false_decl.append(outcome == "declined")
    acc.direct.append(outcome == "answer")
    acc.closest.append(outcome == "closest")
    if q.answer_option:
        acc.options.append((getattr(answer, "option", None) or "") == q.answer_option)
    if outcome != "declined":
        acc.answer_chars.append(len(answer.text))
    if q.has_relevance:
        acc.ranks.append(rank)
        if rank != 1:
            acc.misses.append(f"{q.id}: rank {rank}")
    if outcome == "declined":
        acc.misses.append(f"{q.id}: declined (relevant passage at rank {rank})")
    elif found:
        if not all(found):
            missing = tuple(s for s, ok in zip(q.answer_contains, found) if not ok)
            acc.misses.append(f"{q.id}: {outcome} lacks {missing}")
    if found:
        acc.contains.append(all(found))
        acc.recall.append(sum(found) / len(found))


def _without_timing(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if not k.endswith(("_ms_p50", "_ms_p95")) and k not in ("index_s", "misses")}


class Baseline:
    """The LangChain RAG tutorial pipeline: RecursiveCharacterTextSplitter(1000, 200) + Chroma."""

    def __init__(self, embeddings: Embeddings, workdir: Path) -> None:
        self.embeddings = embeddings
        self.workdir = workdir
        self.store: Any = None

    def index(self, docs: Sequence[LoadedDocument]) -> float:
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        t0 = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        pieces = splitter.split_documents([Document(page_content=d.text, metadata={"doc_id": d.doc_id}) for d in docs])
        self.store = Chroma(
            collection_name="baseline", embedding_function=self.embeddings, persist_directory=str(self.workdir / "baseline")
        )
        for start in range(0, len(pieces), 4000):
            self.store.add_documents(pieces[start : start + 4000])
        self.chunks = len(pieces)
        return time.perf_counter() - t0

    def evaluate(self, questions: Sequence[Question], index_s: float) -> dict[str, Any]:
        acc = _Acc()
        for q in questions:
            acc.n += 1
            t0 = time.perf_counter()
            found = self.store.similarity_search(q.question, k=10)
            acc.retrieval_ms.append((time.perf_counter() - t0) * 1000)
            if q.unanswerable:
                acc.declined_unans.append(False)  # the tutorial pipeline never declines
                continue
            acc.false_decl.append(False)
            if q.has_relevance:
                acc.ranks.append(_rank(q, [(d.metadata["doc_id"], d.page_content) for d in found]))
        report = acc.report(index_s)
        report.pop("misses")
        report["chunks"] = self.chunks
        return report


@dataclass
class Indexed:
    """A corpus indexed in a temporary folder: the services over it and what indexing took."""

    services: Any
    docs: list[LoadedDocument]
    index_s: float
    chunks: int
    workdir: Path


@contextmanager
def indexed(
    corpus: Path | Sequence[Path],
    *,
    embeddings: Embeddings,
    settings_overrides: dict[str, Any] | None = None,
    log: Callable[[str], None] = lambda s: None,
) -> Iterator[Indexed]:
    """The corpora (folders or passages files) indexed together in a temporary folder."""
    from knowledge.services.compose import build_services

    corpora = [corpus] if isinstance(corpus, Path) else list(corpus)
    docs = [d for c in corpora for d in load_corpus(c)]
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        settings = KnowledgeSettings(data_dir=Path(tmp) / "data", **(settings_overrides or {}))
        services = build_services(settings, embeddings=embeddings)
        log(f"indexing {len(docs)} documents…")
        t0 = time.perf_counter()
        ingest_results = services.ingest.ingest_documents(docs)
        services.retriever.snapshot()
        index_s = time.perf_counter() - t0
        failed = [r for r in ingest_results if r.status == "failed"]
        chunks = sum(r.chunks for r in ingest_results)
        log(f"indexed {chunks} chunks in {index_s:.1f}s ({len(failed)} failed)")
        yield Indexed(services, docs, index_s, chunks, Path(tmp))


def run(
    corpus: Path | Sequence[Path],
    question_files: Sequence[Path],
    *,
    embeddings: Embeddings,
    baseline: bool = False,
    settings_overrides: dict[str, Any] | None = None,
    log: Callable[[str], None] = lambda s: None,
    answers_out: list[dict[str, Any]] | None = None,
    half: str | None = None,
) -> dict[str, Any]:
    """Index the corpus (one or several: folders or passages files, indexed together) in a
    temporary folder and evaluate every questions file (``half``: only its "tune" or "check" questions)."""
    results: dict[str, Any] = {}
    with indexed(corpus, embeddings=embeddings, settings_overrides=settings_overrides, log=log) as kb:
        base = None
        base_index_s = 0.0
        if baseline:
            base = Baseline(embeddings, kb.workdir)
            base_index_s = base.index(kb.docs)
            log(f"baseline indexed {base.chunks} chunks in {base_index_s:.1f}s")
        for qf in question_files:
            questions = [q for q in load_questions(qf) if half is None or half_of(q.id) == half]
            rows: list[dict[str, Any]] | None = [] if answers_out is not None else None
            report = evaluate_engine(kb.services, questions, kb.index_s, rows)
            if answers_out is not None and rows is not None:
                answers_out.extend({"set": qf.stem, **row} for row in rows)
            report["chunks"] = kb.chunks
            if base is not None:
                report["baseline"] = base.evaluate(questions, base_index_s)
            results[qf.stem] = report
    return results


METRICS = ("n", "hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "answer_contains", "answer_recall",
           "answer_chars_p50", "answer_chars_p95", "direct_answers", "closest_answers", "false_declines",
           "declined_unanswerable", "direct_unanswerable", "option_named",
           "retrieval_ms_p50", "retrieval_ms_p95", "answer_ms_p50", "answer_ms_p95", "index_s")
KIND_METRICS = ("n", "hit@1", "mrr@10", "answer_contains", "answer_recall", "answer_chars_p50", "direct_answers",
                "closest_answers", "false_declines", "declined_unanswerable", "direct_unanswerable")


def _fmt(value: Any) -> str:
    return "—" if value is None else str(value)


def print_table(results: dict[str, Any]) -> None:
    """The figures as tables on stdout: each questions file overall, on its tune half and on its
    check half (and the baseline's, when run), then the check half by kind."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(120, Console().width))
    for name, rep in results.items():
        table = Table(title=f"{name}: all / tune / check")
        table.add_column("metric")
        columns = [("all", rep), ("tune", rep.get("tune")), ("check", rep.get("check"))]
        if "baseline" in rep:
            columns.append(("baseline", rep["baseline"]))
        columns = [(label, r) for label, r in columns if r]
        for label, _ in columns:
            table.add_column(label)
        for metric in METRICS:
            values = [r.get(metric) for _, r in columns]
            if all(v is None for v in values):
                continue
            table.add_row(metric, *(_fmt(v) for v in values))
        console.print(table)
        kinds = (rep.get("check") or {}).get("by_kind") or {}
        if kinds:
            per_kind = Table(title=f"{name}: check half by kind")
            per_kind.add_column("metric")
            for kind in kinds:
                per_kind.add_column(kind)
            for metric in KIND_METRICS:
                values = [k.get(metric) for k in kinds.values()]
                if all(v is None for v in values):
                    continue
                per_kind.add_row(metric, *(_fmt(v) for v in values))
            console.print(per_kind)
    for name, rep in results.items():
        if rep.get("misses"):
            print(f"{name} misses: " + "; ".join(rep["misses"][:30]))


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m knowledge.eval``."""
    p = argparse.ArgumentParser(prog="python -m knowledge.eval", description=__doc__)
    p.add_argument("--corpus", type=Path, action="append", required=True,
                   help="a folder of documents or a passages .jsonl (repeat to index several together)")
    p.add_argument("--questions", type=Path, action="append", required=True)
    p.add_argument("--json", type=Path, help="write the figures as JSON here")
    p.add_argument("--answers", type=Path, metavar="OUT.jsonl",
                   help="write every question's answer, citations, recall and missing facts here")
    p.add_argument("--baseline", action="store_true", help="also run the LangChain tutorial pipeline")
    p.add_argument("--half", choices=["tune", "check"], help="only the questions of one half (split by a hash of the id)")
    p.add_argument("--model", help="embedding model (default: KB_EMBEDDING_MODEL or the bundled e5-small)")
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "party-assistant" / "eval-embeddings.sqlite",
                   help="embedding cache file (speeds up repeated runs)")
    p.add_argument("--no-cache", action="store_true")
    args = p.parse_args(argv)

    base_settings = KnowledgeSettings(**({"embedding_model": args.model} if args.model else {}))
    from knowledge.embeddings.model import load_embeddings

    embeddings: Embeddings = load_embeddings(base_settings)
    if not args.no_cache:
        from knowledge.embeddings.cache import CachedEmbeddings

        embeddings = CachedEmbeddings(embeddings, args.cache)
    overrides = {"embedding_model": base_settings.embedding_model}
    answers: list[dict[str, Any]] | None = [] if args.answers else None
    results = run(args.corpus, args.questions, embeddings=embeddings, baseline=args.baseline,
                  settings_overrides=overrides, log=lambda s: print(s, file=sys.stderr, flush=True),
                  answers_out=answers, half=args.half)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.answers and answers is not None:
        args.answers.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
