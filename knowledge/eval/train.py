"""Learn the answer choices: ``python -m knowledge.eval.train --corpus DIR --questions FILE [...]``.

Rebuilds ``knowledge/data/answer_model.json`` from the tune half of the development questions
(split by a hash of the id, as the harness does; the check half is never read here):

1. every tune question is read, retrieved and turned into candidate units with their features,
   exactly as the answer engine does (``QAService.candidates``); a candidate is labelled 1 when
   the text it would show holds one of the question's expected facts;
2. the unit model is a ranker: a logistic regression on the differences between a candidate that
   holds an expected fact and one of the same question that does not, then calibrated to a
   probability; its regularisation is chosen by grouped k-fold cross-validation (questions never
   split across folds), judged by how often the top candidate holds an expected fact;
3. with each fold's unit model, the held-out questions' units are selected as the engine would,
   and the gate's features computed: the gate model (answerable or not) is fitted on those
   out-of-fold features, so it learns how far the unit model can be trusted on questions it has
   not seen;
4. the thresholds come from the gate's out-of-fold probabilities: the highest answer threshold
   that still answers 85% of the answerable questions directly (so as few unanswerable ones as
   the gate can tell apart are: they get the closest provisions instead), a decline only below
   where 95% of answerable questions lie; how many units an answer quotes is chosen by answer
   recall over the tune questions; the off-topic floor is the lowest best-passage cosine of an
   answerable tune question, less a margin (recorded with the embedding model it holds for).

Needs scikit-learn (the ``eval`` extra). Prints the cross-validated figures; commit the file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.answer.features import GATE_FEATURES, GATE_SIGNS, UNIT_FEATURES, Retrieved, text_of
from knowledge.answer.gate import gate_values
from knowledge.answer.model import CLIP, AnswerModel, LinearModel, Thresholds
from knowledge.answer.selection import Candidate, select_units
from knowledge.answer.units import Scorer
from knowledge.embeddings.model import embedding_name
from knowledge.eval.harness import Question, _norm, half_of, indexed, load_questions
from knowledge.models import ScoredChunk
from knowledge.question.frame import QuestionFrame

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "answer_model.json"
SHOWN_CHARS = 1800  # what an answer shows of one unit at most (answer.composition.MAX_ANSWER_CHARS)
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
MIN_DIRECT = 0.85  # of answerable questions, at least this share at or above the answer threshold
MAX_DECLINED = 0.05  # of answerable questions, at most this share below the decline threshold
MORE_UNITS_GRID = (0.35, 0.5, 0.65, 0.8, 1.01)
RECALL_SLACK = 0.01
OFF_TOPIC_MARGIN = 0.01  # the off-topic floor lies this far under the lowest answerable tune question's cosine


def off_topic_floor(rows: Sequence[Row]) -> float:
    """The cosine under which no answerable tune question's best passage lies, less a margin: a
    question whose best passage is further still is about something the documents do not cover
    (0, never applied, without a dense leg)."""
    tops = [r.top_cosine for r in rows if not r.question.unanswerable and r.top_cosine > 0]
    return round(min(tops) - OFF_TOPIC_MARGIN, 4) if tops else 0.0


@dataclass
class Row:
    """One tune question as the engine sees it."""

    question: Question
    frame: QuestionFrame
    passages: list[ScoredChunk]
    scorer: Scorer
    candidates: list[Candidate]
    labels: list[int]
    dense_stats: tuple[float, float] | None = None
    top_cosine: float = 0.0  # the best cosine of any passage retrieval found, as the engine's gate reads it
    gate: dict[str, float] = field(default_factory=dict)
    correct: bool = False  # the unit the engine would lead with (by a model that did not see it) holds an expected fact


def _label(text: str, facts: Sequence[str]) -> int:
    shown = _norm(text[:SHOWN_CHARS])
    return int(any(_norm(f) in shown for f in facts))


def collect(services: Any, questions: Sequence[Question]) -> list[Row]:
    """Every question's candidates, features and labels (questions with no candidate are left out)."""
    engine = services.engine
    rows = []
    for q in questions:
        frame = engine.frame(q.question)
        retrieval = engine.retriever.retrieve(frame, k=services.settings.top_k)
        if not retrieval.results:
            continue
        prepared = engine.candidates(retrieval)
        if prepared is None or not prepared[1]:
            continue
        scorer, candidates = prepared
        labels = [
            0 if q.unanswerable else _label(
                text_of(engine.retriever.outline(c.unit.doc_id), c.unit.start, c.unit.stop), q.answer_contains
            )
            for c in candidates
        ]
        top = Retrieved.of(retrieval.results, retrieval.signals, retrieval.dense_stats).top_cosine
        rows.append(Row(q, frame, list(retrieval.results), scorer, candidates, labels, retrieval.dense_stats, top))
    return rows


def _fit(
    x: np.ndarray, y: np.ndarray, c: float, names: Sequence[str], signs: Mapping[str, int] | None = None
) -> LinearModel:
    """A logistic regression on standardised features; with ``signs``, a feature whose weight comes
    out with the wrong sign is dropped and the rest refitted, until every weight pulls its way."""
    from sklearn.linear_model import LogisticRegression

    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales < 1e-9] = 1.0
    z = np.clip((x - means) / scales, -CLIP, CLIP)
    keep = list(range(len(names)))
    while True:
        lr = LogisticRegression(C=c, max_iter=5000)
        lr.fit(z[:, keep], y)
        wrong = [i for i, w in zip(keep, lr.coef_[0]) if signs and w * signs.get(names[i], 0) < 0]
        if not wrong:
            break
        keep = [i for i in keep if i not in wrong]
    weights = np.zeros(len(names))
    weights[keep] = lr.coef_[0]
    return LinearModel(tuple(names), tuple(float(w) for w in weights), float(lr.intercept_[0]),
                       tuple(float(m) for m in means), tuple(float(s) for s in scales))


def _fit_ranker(rows: Sequence[Row], c: float, names: Sequence[str]) -> LinearModel:
    """A ranker of one question's candidates: logistic regression on the differences between a
    candidate that holds an expected fact and one that does not (pairs within a question only),
    then calibrated to a probability on all candidates (a scale and an intercept)."""
    from sklearn.linear_model import LogisticRegression

    x_all = _matrix([cd.features for r in rows for cd in r.candidates], names)
    means = x_all.mean(axis=0)
    scales = x_all.std(axis=0)
    scales[scales < 1e-9] = 1.0
    diffs = []
    for r in rows:
        x = np.clip((_matrix([cd.features for cd in r.candidates], names) - means) / scales, -CLIP, CLIP)
        pos = [i for i, lab in enumerate(r.labels) if lab]
        neg = [i for i, lab in enumerate(r.labels) if not lab]
        for i in pos:
            for j in neg:
                diffs.append(x[i] - x[j])
    d = np.array(diffs)
    xd = np.concatenate([d, -d])
    yd = np.concatenate([np.ones(len(d)), np.zeros(len(d))])
    ranker = LogisticRegression(C=c, max_iter=5000, fit_intercept=False)
    ranker.fit(xd, yd)
    w = ranker.coef_[0]
    z = np.clip((x_all - means) / scales, -CLIP, CLIP) @ w
    y = np.array([lab for r in rows for lab in r.labels])
    calib = LogisticRegression(C=1e6, max_iter=5000)
    calib.fit(z.reshape(-1, 1), y)
    a, b = float(calib.coef_[0][0]), float(calib.intercept_[0])
    return LinearModel(tuple(names), tuple(float(a * wi) for wi in w), b,
                       tuple(float(m) for m in means), tuple(float(s) for s in scales))


def _matrix(values: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    return np.array([[v.get(n, 0.0) for n in names] for v in values], dtype=np.float64)


def _folds(n: int, k: int) -> list[np.ndarray]:
    """Question indices in k folds (deterministic, interleaved)."""
    order = np.arange(n)
    return [order[i::k] for i in range(k)]


def _top1(rows: Sequence[Row], probs: Sequence[np.ndarray]) -> float:
    """How often the most probable candidate (ties as the engine breaks them) holds an expected fact."""
    hits = []
    for row, p in zip(rows, probs):
        if row.question.unanswerable or not any(row.labels):
            continue
        order = sorted(range(len(row.candidates)), key=lambda i: (
            -p[i], row.candidates[i].unit.stop - row.candidates[i].unit.start, row.candidates[i].unit.rank,
            row.candidates[i].unit.start))
        hits.append(row.labels[order[0]])
    return float(np.mean(hits)) if hits else 0.0


def train_unit(rows: Sequence[Row], folds: int, log: Any) -> tuple[LinearModel, float, list[LinearModel], list[np.ndarray]]:
    """The unit model, its regularisation chosen by grouped k-fold CV (top-1 hit), and the fold models."""
    fold_idx = _folds(len(rows), folds)
    best: tuple[float, float] | None = None
    for c in C_GRID:
        probs: list[np.ndarray] = [np.zeros(0)] * len(rows)
        for test in fold_idx:
            train = [r for i, r in enumerate(rows) if i not in set(test)]
            model = _fit_ranker(train, c, UNIT_FEATURES)
            for i in test:
                probs[i] = np.array([model.probability(cd.features) for cd in rows[i].candidates])
        score = _top1(rows, probs)
        log(f"unit model C={c}: cross-validated top-1 hit {score:.3f}")
        if best is None or score > best[1] + 1e-9:
            best = (c, score)
    assert best is not None
    c = best[0]
    fold_models = []
    oof: list[np.ndarray] = [np.zeros(0)] * len(rows)
    for test in fold_idx:
        train = [r for i, r in enumerate(rows) if i not in set(test)]
        model = _fit_ranker(train, c, UNIT_FEATURES)
        fold_models.append(model)
        for i in test:
            oof[i] = np.array([model.probability(cd.features) for cd in rows[i].candidates])
    return _fit_ranker(rows, c, UNIT_FEATURES), c, fold_models, oof


def gate_inputs(rows: Sequence[Row], fold_models: Sequence[LinearModel], folds: int, services: Any) -> None:
    """Each question's gate features, with the unit model of the fold that did not see it."""
    engine = services.engine
    placeholder = LinearModel.uniform(GATE_FEATURES, {})
    for test, unit in zip(_folds(len(rows), folds), fold_models, strict=True):
        model = AnswerModel(unit, placeholder, engine.model.thresholds)
        for i in test:
            row = rows[i]
            selection = select_units(row.candidates, row.scorer, engine.retriever.outline, model)
            row.gate = gate_values(row.frame, selection, row.passages, row.scorer, engine.known_term, row.dense_stats)
            lead = selection.units[0] if selection.units else None
            text = text_of(engine.retriever.outline(lead.doc_id), lead.start, lead.stop) if lead else ""
            row.correct = not row.question.unanswerable and bool(_label(text, row.question.answer_contains))


def train_gate(rows: Sequence[Row], log: Any) -> tuple[LinearModel, float, np.ndarray]:
    """The gate model (do the documents answer the question?), its regularisation chosen by CV
    log-loss, and its out-of-fold probabilities."""
    x = _matrix([r.gate for r in rows], GATE_FEATURES)
    y = np.array([0 if r.question.unanswerable else 1 for r in rows])
    fold_idx = _folds(len(rows), 5)
    best: tuple[float, float, np.ndarray] | None = None
    for c in C_GRID:
        oof = np.zeros(len(rows))
        for test in fold_idx:
            train = np.array([i for i in range(len(rows)) if i not in set(test)])
            model = _fit(x[train], y[train], c, GATE_FEATURES, GATE_SIGNS)
            for i in test:
                oof[i] = model.probability(rows[i].gate)
        eps = 1e-6
        loss = float(-np.mean(y * np.log(oof + eps) + (1 - y) * np.log(1 - oof + eps)))
        log(f"gate model C={c}: cross-validated log-loss {loss:.3f}")
        if best is None or loss < best[1] - 1e-9:
            best = (c, loss, oof)
    assert best is not None
    return _fit(x, y, best[0], GATE_FEATURES, GATE_SIGNS), best[0], best[2]


def _below(sorted_values: np.ndarray, share: float) -> float:
    """A threshold that leaves ``share`` of the values below it, between two neighbouring values."""
    if not len(sorted_values):
        return 0.0
    k = int(np.floor(share * len(sorted_values)))
    if k <= 0:
        return float(sorted_values[0]) - 1e-6
    return float((sorted_values[k - 1] + sorted_values[k]) / 2)


def thresholds(oof: np.ndarray, answerable: np.ndarray) -> tuple[float, float]:
    """(answer, closest) thresholds from the gate's out-of-fold probabilities: the highest answer
    threshold that still answers ``MIN_DIRECT`` of the answerable questions directly (so as few
    unanswerable ones as the gate can tell apart are), and a decline only below the lowest
    ``MAX_DECLINED`` of them."""
    ans = np.sort(oof[answerable])
    answer = _below(ans, 1.0 - MIN_DIRECT)
    closest = _below(ans, MAX_DECLINED)
    return answer, min(max(closest, 0.0), answer)


def outcomes(oof: np.ndarray, answerable: np.ndarray, t: Thresholds) -> dict[str, float]:
    def share(mask: np.ndarray, of: np.ndarray) -> float:
        return round(float(np.sum(mask & of) / max(1, np.sum(of))), 4)

    direct, closest = oof >= t.answer, (oof >= t.closest) & (oof < t.answer)
    declined = oof < t.closest
    return {
        "answerable_direct": share(direct, answerable), "answerable_closest": share(closest, answerable),
        "answerable_declined": share(declined, answerable), "unanswerable_direct": share(direct, ~answerable),
    }


def choose_more_units(services: Any, questions: Sequence[Question], model: AnswerModel, log: Any) -> tuple[float, dict[str, float]]:
    """The share of the best unit's probability another unit needs to be quoted, by tune-half recall."""
    from knowledge.eval.harness import found_facts

    engine = services.engine
    grid: dict[str, float] = {}
    for share in MORE_UNITS_GRID:
        engine.model = replace(model, thresholds=replace(model.thresholds, more_units=share))
        recalls = []
        for q in questions:
            if q.unanswerable or not q.answer_contains:
                continue
            found = found_facts(q, engine.answer(q.question).text)
            recalls.append(sum(found) / len(found))
        recall = float(np.mean(recalls)) if recalls else 0.0
        grid[str(share)] = round(recall, 4)
        log(f"more_units={share}: tune-half answer recall {recall:.4f}")
    top = max(grid.values())
    # the fewest extra units whose recall is within RECALL_SLACK of the best: completeness must
    # not come from quoting everything
    chosen = max(float(k) for k, v in grid.items() if v >= top - RECALL_SLACK)
    return chosen, grid


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m knowledge.eval.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, action="append", required=True)
    p.add_argument("--questions", type=Path, action="append", required=True)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--dump", type=Path, help="also write each tune question's gate features and labels (JSON lines)")
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "party-assistant" / "eval-embeddings.sqlite")
    args = p.parse_args(argv)

    from knowledge.embeddings.cache import CachedEmbeddings
    from knowledge.embeddings.model import load_embeddings
    from knowledge.settings import KnowledgeSettings

    def log(s: str) -> None:
        print(s, file=sys.stderr, flush=True)

    settings = KnowledgeSettings()
    embeddings = CachedEmbeddings(load_embeddings(settings), args.cache)
    questions = [q for f in args.questions for q in load_questions(f) if half_of(q.id) == "tune"]
    log(f"{len(questions)} tune-half questions from {', '.join(f.stem for f in args.questions)}")
    with indexed(args.corpus, embeddings=embeddings, settings_overrides={"embedding_model": settings.embedding_model},
                 log=log) as kb:
        services = kb.services
        rows = collect(services, questions)
        log(f"{len(rows)} questions, {sum(len(r.candidates) for r in rows)} candidate units, "
            f"{sum(sum(r.labels) for r in rows)} holding an expected fact")
        unit, unit_c, fold_models, oof_units = train_unit(rows, args.folds, log)
        top1 = _top1(rows, oof_units)
        gate_inputs(rows, fold_models, args.folds, services)
        gate, gate_c, oof = train_gate(rows, log)
        if args.dump:
            with args.dump.open("w", encoding="utf-8") as out:
                for row, p_oof in zip(rows, oof, strict=True):
                    out.write(json.dumps({
                        "id": row.question.id, "question": row.question.question,
                        "answerable": not row.question.unanswerable, "correct": row.correct,
                        "gate_oof": round(float(p_oof), 4), "features": row.gate,
                    }, ensure_ascii=False) + "\n")
        answerable = np.array([not r.question.unanswerable for r in rows])
        t_answer, t_closest = thresholds(oof, answerable)
        model = AnswerModel(unit, gate, Thresholds(t_answer, t_closest))
        more, grid = choose_more_units(services, questions, model, log)
        floor = off_topic_floor(rows)
        thresholds_ = Thresholds(t_answer, t_closest, more, floor, embedding_name(services.engine.retriever.embeddings))
        cv = outcomes(oof, answerable, thresholds_)
        off = sum(1 for r in rows if r.question.unanswerable and 0 < r.top_cosine < floor)
        log(f"thresholds: answer {t_answer:.3f}, closest {t_closest:.3f}, more_units {more}, off_topic {floor} "
            f"({off} unanswerable tune questions under it); out-of-fold outcomes {cv}")
        trained = {
            "command": "python -m knowledge.eval.train " + " ".join(
                [f"--corpus {c}" for c in args.corpus] + [f"--questions {q}" for q in args.questions]),
            "date": date.today().isoformat(),
            "sets": [f.stem for f in args.questions],
            "half": "tune",
            "questions": len(rows),
            "candidates": sum(len(r.candidates) for r in rows),
            "folds": args.folds,
            "unit_C": unit_c,
            "gate_C": gate_c,
            "cv_unit_top1": round(top1, 4),
            "cv_outcomes": cv,
            "more_units_recall": grid,
        }
        final = AnswerModel(unit, gate, thresholds_, trained)
    args.out.write_text(json.dumps(final.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
