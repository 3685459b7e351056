"""Round-trip latency of the bot through FakeTelegram: update delivered -> reply sent.

    python benchmarks/bench_bot.py                 # 100 questions, FakeEngine, 4 users at a time
    python benchmarks/bench_bot.py -n 200 -c 8     # more questions, more concurrent users
    python benchmarks/bench_bot.py --real          # a real knowledge base (HashEmbeddings, seed article)
    python benchmarks/bench_bot.py --model         # the same with the default embedding model
    python benchmarks/bench_bot.py --flood         # keep Telegram's 30 msg/s flood limiter on

Each simulated user asks sequentially (so every reply maps to one question); users run in
parallel. Latency is measured from the moment the bot received the update (getUpdates response)
to the moment FakeTelegram received the last sendMessage of the answer; "injected" adds the
long-poll pickup.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.services import BotServices  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from knowledge.state import State  # noqa: E402
from tests.fakes.engine import FakeEngine  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402

QUESTIONS = [
    "Đoàn kiểm tra Chương trình 01-CTr/QU đã kiểm tra những đảng ủy nào?",
    "doan kiem tra chuong trinh 01-CTr/QU da kiem tra nhung dang uy nao",
    "Ai là Trưởng đoàn kiểm tra?",
    "Các đơn vị cần làm gì trong thời gian tới?",
    "Hạn chế được chỉ ra qua kiểm tra là gì?",
    "Giá vàng hôm nay bao nhiêu?",
]
SEED = "long-bien_2017-08-15_kiem-tra-chuong-trinh-01-CTr-QU.txt"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def real_engine(tmp: Path, model: bool = False) -> Any:
    from knowledge.embeddings.fake import HashEmbeddings
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings

    settings = KnowledgeSettings(data_dir=tmp / "data")
    if model:  # the default engine: the bundled e5 model, loaded once before timing starts
        from knowledge.embeddings.model import load_embeddings

        embeddings: Any = load_embeddings(settings)
    else:
        embeddings = HashEmbeddings()
    services = build_services(settings, embeddings=embeddings)
    seed = next(p for p in (ROOT / "knowledge/data/samples" / SEED, ROOT.parent / "shared/corpus" / SEED) if p.exists())
    services.ingest.ingest_paths([seed])
    return services.engine


async def run(n: int, concurrency: int, real: bool, flood: bool, model: bool = False) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-bot-"))
    engine = real_engine(tmp, model) if real or model else FakeEngine()
    fake = await FakeTelegram().start()
    users = [5000 + i for i in range(concurrency)]
    settings = BotSettings(  # type: ignore[call-arg]
        _env_file=None,
        token=fake.token,
        api_base_url=fake.base_url,
        api_file_url=fake.base_file_url,
        allowed_user_ids=frozenset(users),
        user_rate_limit=10_000,
        flood_overall_per_s=30 if flood else 100_000,
    )
    app = build_application(settings, BotServices(engine=engine), state=State.open(tmp / "state.sqlite3"))
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=5, allowed_updates=ALLOWED_UPDATES)

    delivered: list[float] = []
    injected: list[float] = []
    counter = iter(range(n))

    async def user_loop(user_id: int) -> None:
        for i in counter:
            since = fake.mark()
            update = fake.private_message(user_id, QUESTIONS[i % len(QUESTIONS)])
            reply = await fake.wait_for("sendMessage", lambda c: c.chat_id == user_id and c.reply_markup is not None,
                                        timeout=30, since=since)
            uid = update["update_id"]
            delivered.append(reply.at - fake.delivered_at[uid])
            injected.append(reply.at - fake.injected_at[uid])

    started = time.perf_counter()
    try:
        await asyncio.gather(*(user_loop(u) for u in users))
    finally:
        elapsed = time.perf_counter() - started
        await fake.release_polls()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await fake.stop()

    def ms(v: float) -> str:
        return f"{v * 1000:7.1f} ms"

    label = "real (default e5 model)" if model else "real (HashEmbeddings)" if real else "FakeEngine"
    print(f"engine={label}  questions={len(delivered)}  "
          f"concurrent users={concurrency}  flood limiter={'30/s' if flood else 'off'}")
    print(f"delivered -> reply   p50 {ms(statistics.median(delivered))}   p95 {ms(percentile(delivered, 95))}"
          f"   max {ms(max(delivered))}")
    print(f"injected  -> reply   p50 {ms(statistics.median(injected))}   p95 {ms(percentile(injected, 95))}"
          f"   max {ms(max(injected))}")
    print(f"throughput {len(delivered) / elapsed:.1f} answers/s over {elapsed:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--questions", type=int, default=100)
    parser.add_argument("-c", "--concurrency", type=int, default=4)
    parser.add_argument("--real", action="store_true", help="real knowledge base instead of FakeEngine")
    parser.add_argument("--model", action="store_true", help="real knowledge base with the default embedding model")
    parser.add_argument("--flood", action="store_true", help="keep the 30 messages/s flood limiter")
    args = parser.parse_args()
    asyncio.run(run(args.questions, args.concurrency, args.real, args.flood, args.model))


if __name__ == "__main__":
    main()
