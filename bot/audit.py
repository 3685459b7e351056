"""Admin CLI for the bot's audit log: the same CSV as /xuat, statistics, answers marked 👎.

    python -m bot.audit export -o nhat-ky.csv [--days 30]   # every question and answer (CSV, UTF-8 BOM)
    python -m bot.audit admin -o quan-tri.csv [--days 30]   # every admin action (bot and ingest.py)
    python -m bot.audit stats [--days 7]
    python -m bot.audit downvoted [-n 20]

The state file is BOT_STATE_PATH, else KB_DATA_DIR/bot_state.sqlite3 (``--db`` or ``--data-dir``
override). No Telegram token is needed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pydantic_settings import SettingsConfigDict

from knowledge.settings import EnvSettings, KnowledgeSettings
from knowledge.state import STATE_FILE, State


class _StatePath(EnvSettings):
    """Only the one BOT_ setting this CLI needs (so it runs without BOT_TOKEN)."""

    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")
    state_path: Path | None = None


def _db(args: argparse.Namespace) -> Path:
    if args.db:
        return Path(args.db)
    if args.data_dir:
        return Path(args.data_dir) / STATE_FILE
    return _StatePath().state_path or KnowledgeSettings().data_dir / STATE_FILE  # type: ignore[call-arg]


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; 0 on success."""
    p = argparse.ArgumentParser(prog="python -m bot.audit", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--db", help="the bot's state file")
    where.add_argument("--data-dir", help="the knowledge data dir holding " + STATE_FILE)
    sub = p.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="the audit log as CSV", parents=[where])
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.add_argument("--days", type=int, help="only the last N days")
    admin = sub.add_parser("admin", help="admin actions as CSV (uploads, replaces, restores, roles…)",
                           parents=[where])
    admin.add_argument("-o", "--output", help="file to write (default: standard output)")
    admin.add_argument("--days", type=int, help="only the last N days")
    stats = sub.add_parser("stats", help="questions, declines and votes per day", parents=[where])
    stats.add_argument("--days", type=int, default=7)
    down = sub.add_parser("downvoted", help="answers marked 👎, newest first", parents=[where])
    down.add_argument("-n", type=int, default=20)
    args = p.parse_args(argv)

    path = _db(args)
    if not path.exists():
        print(f"no bot state at {path} (set BOT_STATE_PATH, --db or --data-dir)", file=sys.stderr)
        return 2
    state = State.open(path)
    try:
        if args.command in ("export", "admin"):
            since = time.time() - args.days * 86400 if args.days else None
            admin_log = args.command == "admin"
            if args.output:
                audit = state.audit
                data, n = audit.export_admin_bytes(since=since) if admin_log else audit.export_bytes(since=since)
                Path(args.output).write_bytes(data)
                print(f"{n} {'admin actions' if admin_log else 'exchanges'} -> {args.output}", file=sys.stderr)
            elif admin_log:
                state.audit.export_admin_csv(sys.stdout, since=since)
            else:
                state.audit.export_csv(sys.stdout, since=since)
        elif args.command == "stats":
            s = state.audit.stats(args.days)
            print(f"questions (last {s.days} days): {s.questions} from {s.askers} users; declined: {s.declined}; "
                  f"votes: {s.up} up, {s.down} down; all time: {s.total_questions}")
            for day, n in s.per_day:
                print(f"  {day}  {n}")
        else:
            for d in state.audit.downvoted(args.n):
                print(f"{d.answer_id}\tup {d.up} down {d.down}\tuser {d.user_id}\t{d.question}\t"
                      f"{' | '.join(d.citations)}")
    finally:
        state.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
