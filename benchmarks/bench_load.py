"""Load: many users at once through the fake Bot API, with the default engine; nothing may be lost.

    python benchmarks/bench_load.py                    # 50 users x 10 questions, default engine (e5 model)
    python benchmarks/bench_load.py --fake             # FakeEngine: the bot's own overhead only
    python benchmarks/bench_load.py --faults 0.05      # and 5% of sendMessage calls answer 500
    python benchmarks/bench_load.py --burst            # each user sends all 10 questions at once
    python benchmarks/bench_load.py --no-flood         # without the 30 messages/s flood limiter
    python benchmarks/bench_load.py --data-dir DIR     # reuse a data dir (the samples are ingested once)

The default engine is what ``python -m bot`` runs: the bundled sample documents ingested with the
default embedding model (no LLM). The model is loaded and one question answered before timing.
Each simulated user asks its questions one after another (the next when the answer arrived;
``--burst``: all at once); all users start together. Latency runs from the moment the question
was injected into the fake Bot API to the moment the fake received the answer (it includes the
long-poll pickup and Telegram's flood limit: the bot keeps under 30 messages/s as Telegram
requires). "Lost" counts questions without an answer, "duplicated" answers beyond one per question.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.services import BotServices  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from knowledge.state import State  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402

QUESTIONS = [
    "Đoàn kiểm tra Chương trình 01-CTr/QU đã kiểm tra những đảng ủy nào?",
    "doan kiem tra chuong trinh 01-CTr/QU da kiem tra nhung dang uy nao",
    "Ai là Trưởng đoàn kiểm tra Chương trình 01-CTr/QU?",
    "Đảng viên có những nhiệm vụ gì theo Điều lệ Đảng?",
    "Đảng viên không đóng đảng phí bao lâu thì bị xóa tên?",
    "Chi bộ họp thường lệ mấy lần một tháng?",
    "Quy định 294-QĐ/TW hướng dẫn thi hành Điều lệ Đảng về những gì?",
    "Thẩm quyền kết nạp đảng viên thuộc về ai?",
    "Hướng dẫn 06-HD/TW nói gì về đảng viên dự bị?",
    "Giá vàng hôm nay bao nhiêu?",
]


def rss_mb() -> float:
    """Current resident memory of this process (bot, engine and the fake Bot API together)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def default_engine(data_dir: Path) -> Any:
    """The knowledge services ``python -m bot`` builds, over the bundled samples."""
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings

    services = build_services(KnowledgeSettings(data_dir=data_dir))  # type: ignore[call-arg]
    samples = Path(str(resources.files("knowledge").joinpath("data/samples")))
    started = time.perf_counter()
    report = services.ingest.ingest_paths([samples])
    print(f"knowledge base ready in {time.perf_counter() - started:.1f} s "
          f"({sum(r.chunks for r in report.results)} passages)", file=sys.stderr)
    services.engine.answer(QUESTIONS[0])  # load the model before timing
    return services.engine


async def run(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    if args.fake:
        from tests.fakes.engine import FakeEngine

        engine: Any = FakeEngine()
    else:
        engine = default_engine(Path(args.data_dir) if args.data_dir else tmp / "data")
    fake = await FakeTelegram().start()
    users = [6000 + i for i in range(args.users)]
    settings = BotSettings(  # type: ignore[call-arg]
        _env_file=None, token=fake.token, api_base_url=fake.base_url, api_file_url=fake.base_file_url,
        allowed_user_ids=frozenset(users), user_rate_limit=10_000,
        flood_overall_per_s=30 if args.flood else 100_000,
    )
    state = State.open(tmp / "bot_state.sqlite3")
    app = build_application(settings, BotServices(engine=engine), state=state)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=5, allowed_updates=ALLOWED_UPDATES)
    if args.faults:
        fake.flaky("sendMessage", args.faults, status=500, seed=1)

    latencies: list[float] = []
    asked: dict[int, int] = {u: 0 for u in users}

    def answers_in(chat: int, since: int = 0) -> list[Any]:
        return [c for c in fake.calls[since:] if c.method == "sendMessage" and c.chat_id == chat
                and c.reply_markup and "_error" not in c.params]

    async def user_loop(user_id: int) -> None:
        pending = []
        for i in range(args.questions):
            since = fake.mark()
            update = fake.private_message(user_id, QUESTIONS[(user_id + i) % len(QUESTIONS)])
            asked[user_id] += 1
            if args.burst:
                pending.append(update)
                continue
            try:
                reply = await fake.wait_for("sendMessage", lambda c: c.chat_id == user_id and c.reply_markup
                                            is not None, timeout=args.timeout, since=since)
            except AssertionError:
                continue  # counted as lost below
            latencies.append(reply.at - fake.injected_at[update["update_id"]])
        if args.burst:
            first = min(fake.injected_at[u["update_id"]] for u in pending)
            deadline = time.monotonic() + args.timeout
            while len(answers_in(user_id)) < len(pending) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            latencies.extend(c.at - first for c in answers_in(user_id))

    rss_before = rss_mb()
    started = time.perf_counter()
    try:
        await asyncio.gather(*(user_loop(u) for u in users))
        elapsed = time.perf_counter() - started
        await asyncio.sleep(1.0)  # late duplicates would show up now
        delivered = {u: len(answers_in(u)) for u in users}
        rss_after = rss_mb()
    finally:
        await fake.release_polls()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await fake.stop()
        state.close()

    total = sum(asked.values())
    lost = sum(max(0, asked[u] - delivered[u]) for u in users)
    duplicated = sum(max(0, delivered[u] - asked[u]) for u in users)
    faults = sum(1 for c in fake.calls if "_fault" in c.params)
    audited = State.open(tmp / "bot_state.sqlite3").audit.count()

    def ms(v: float) -> str:
        return f"{v * 1000:8.1f} ms"

    engine_label = "FakeEngine" if args.fake else "default (samples, e5-small int8, no LLM)"
    print(f"engine={engine_label}  users={args.users} x {args.questions} questions "
          f"({'all at once' if args.burst else 'one after another'})  "
          f"flood limiter={'30/s' if args.flood else 'off'}  injected 5xx on sendMessage={faults}")
    print(f"questions {total}  answered {total - lost}  lost {lost}  duplicated {duplicated}  audit rows {audited}")
    if latencies:
        print(f"question -> answer   p50 {ms(statistics.median(latencies))}   p95 {ms(percentile(latencies, 95))}"
              f"   max {ms(max(latencies))}")
    print(f"wall time {elapsed:.1f} s, {(total - lost) / elapsed:.1f} answers/s; "
          f"RSS {rss_before:.0f} MB before the load, {rss_after:.0f} MB after (process peak "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, including any model export)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-u", "--users", type=int, default=50)
    p.add_argument("-q", "--questions", type=int, default=10, help="questions per user")
    p.add_argument("--fake", action="store_true", help="FakeEngine instead of the default engine")
    p.add_argument("--faults", type=float, default=0.0, help="share of sendMessage calls that answer 500")
    p.add_argument("--burst", action="store_true", help="each user sends all questions at once")
    p.add_argument("--no-flood", dest="flood", action="store_false", help="no 30 messages/s flood limiter")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for one answer")
    p.add_argument("--data-dir", help="knowledge data dir to (re)use for the default engine")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
