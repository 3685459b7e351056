"""The main job: ingest the bundled samples, then the Telegram bot (BOT_TOKEN set) or a terminal prompt.

``python main.py [--data-dir DIR] [--no-samples] [-q QUESTION]``
"""

from __future__ import annotations

import argparse
import logging
import sys
from importlib import resources
from pathlib import Path


def sample_dir() -> Path:
    """The bundled sample documents (shipped inside the package)."""
    return Path(str(resources.files("knowledge").joinpath("data/samples")))


def repl(engine: object, questions: list[str]) -> None:
    """Ask the given questions (one: only its answer is printed), or read questions from the terminal until EOF or 'q'."""
    from knowledge.answer.render import to_text

    def ask(q: str) -> None:
        print(to_text(engine.answer(q)))  # type: ignore[attr-defined]

    if len(questions) == 1:
        ask(questions[0])
        return
    if questions:
        for q in questions:
            print(f"? {q}")
            ask(q)
            print()
        return
    print("Đặt câu hỏi về các tài liệu (Enter trống hoặc 'q' để thoát). Ví dụ:")
    for ex in engine.example_questions(3):  # type: ignore[attr-defined]
        print(f"  • {ex}")
    while True:
        try:
            q = input("\n? ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if not q or q.lower() in {"q", "quit", "exit", "thoat"}:
            return
        ask(q)
        print()


def bot_token_configured() -> bool:
    """True when BOT_TOKEN is set in the environment or in .env (the bot reads both)."""
    from pydantic import ValidationError

    from bot.settings import BotSettings

    try:
        return bool(BotSettings().token.get_secret_value().strip())  # type: ignore[call-arg]
    except ValidationError as exc:
        # no token: the terminal. A token with other mistakes: the bot, which explains them.
        return any(err["loc"] != ("token",) for err in exc.errors())


def main(argv: list[str] | None = None) -> int:
    """Ingest samples, then run the bot or the terminal prompt."""
    p = argparse.ArgumentParser(prog="main.py", description=__doc__)
    p.add_argument("--data-dir", type=Path)
    p.add_argument("--no-samples", action="store_true", help="do not ingest the bundled sample documents")
    p.add_argument("-q", "--question", action="append", default=[], help="ask this and exit (repeatable)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from knowledge.cli import main as ingest_main
    from knowledge.services.compose import build_services
    from knowledge.settings import KnowledgeSettings

    # --data-dir is passed on explicitly: the process environment is never changed
    settings = KnowledgeSettings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    if not args.no_samples:
        # with -q only the answer goes to stdout; what ingesting did (if anything) goes to stderr
        if not args.question:
            print("Nạp tài liệu mẫu (lần đầu tiên cần vài phút để lập chỉ mục)…", flush=True)
        quiet = ["--quiet"] if args.question else []
        code = ingest_main([str(sample_dir()), "--data-dir", str(settings.data_dir), *quiet])
        if code != 0:
            return code
    if bot_token_configured() and not args.question:
        from bot.__main__ import main as bot_main

        bot_main(settings)
        return 0
    services = build_services(settings)
    repl(services.engine, args.question)
    return 0


if __name__ == "__main__":
    sys.exit(main())
