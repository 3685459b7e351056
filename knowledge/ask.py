"""``python -m knowledge.ask "câu hỏi" [--data-dir DIR] [--json]``: one answer from the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from knowledge.answer.render import to_json, to_text
from knowledge.settings import KnowledgeSettings


def main(argv: list[str] | None = None) -> int:
    """Answer one question with the same engine the bot uses."""
    p = argparse.ArgumentParser(prog="python -m knowledge.ask", description="Hỏi kho tri thức một câu.")
    p.add_argument("question")
    p.add_argument("--data-dir", type=Path)
    p.add_argument("--json", action="store_true", help="print {answer, grounded, citations[…]} as JSON")
    args = p.parse_args(argv)
    from knowledge.errors import KnowledgeError
    from knowledge.services.compose import build_services

    try:
        services = build_services(KnowledgeSettings(**({"data_dir": args.data_dir} if args.data_dir else {})))
        answer = services.engine.answer(args.question)
    except KnowledgeError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(to_json(answer), ensure_ascii=False, indent=2))
    else:
        print(to_text(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
