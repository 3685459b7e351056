"""The import contract: ``knowledge`` works without Telegram (CLI, evaluation, a REPL), so it never imports it.

Checked twice: statically over every module's syntax tree (an import inside a function counts
too), and at run time by importing every ``knowledge`` module in a fresh interpreter.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
FORBIDDEN = ("telegram", "bot")  # python-telegram-bot, and our own Telegram layer


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)  # importlib.import_module("telegram") / __import__("telegram")
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            out.append((node.lineno, node.args[0].value))
    return out


def _violations(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _imported(tree):
            if name.split(".")[0] in FORBIDDEN:
                found.append(f"{path.relative_to(root)}:{line} imports {name}")
    return found


def test_no_knowledge_module_imports_telegram_or_the_bot() -> None:
    assert _violations(KNOWLEDGE) == []


def test_the_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The static check would catch a violation (so the test above can fail)."""
    (tmp_path / "a.py").write_text("import telegram.ext\n")
    (tmp_path / "b.py").write_text("def f():\n    from telegram import Update\n")
    (tmp_path / "c.py").write_text("import importlib\nimportlib.import_module('telegram')\n")
    (tmp_path / "d.py").write_text("from bot.texts import render\n")
    (tmp_path / "ok.py").write_text("from knowledge.text import fold\nimport telegraph_like\n")
    assert [v.split(":")[0] for v in _violations(tmp_path)] == ["a.py", "b.py", "c.py", "d.py"]


@pytest.mark.slow
def test_importing_all_of_knowledge_loads_no_telegram_module() -> None:
    code = (
        "import importlib, json, pkgutil, sys\n"
        "import knowledge\n"
        "names = [m.name for m in pkgutil.walk_packages(knowledge.__path__, 'knowledge.')"
        " if not m.name.endswith('__main__')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps({'imported': len(names),"
        " 'telegram': sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'bot'))}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["imported"] > 40  # every module was imported, not just the package
    assert result["telegram"] == []
