"""Which files an ingest run reads: folders walked (symlink loops and unsupported files reported, not hidden)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from knowledge.documents.loaders import SUPPORTED_SUFFIXES
from knowledge.models import FileResult
from knowledge.text import nfc


def skipped(path: Path, reason: str) -> FileResult:
    """One line for a file that is not read."""
    return FileResult(str(path), nfc(path.stem), "skipped", reason=reason)


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """Files to ingest (folders walked recursively, in name order) and one result per path not read.

    A folder's unsupported files, hidden files and symlinks that loop or point nowhere each get
    a "skipped" line; a path given explicitly that does not exist is a failure.
    """
    files: list[Path] = []
    results: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            found, notes = _walk(path)
            files.extend(found)
            results.extend(notes)
        elif path.is_file():
            files.append(path)
        elif path.is_symlink():
            results.append(FileResult(str(path), nfc(path.stem), "failed", reason="liên kết hỏng hoặc vòng lặp (broken or looping symlink)"))
        else:
            results.append(FileResult(str(path), nfc(path.stem), "failed", reason="không tìm thấy tệp (file not found)"))
    return list(dict.fromkeys(files)), results


def _walk(root: Path) -> tuple[list[Path], list[FileResult]]:
    files: list[Path] = []
    notes: list[FileResult] = []
    seen_dirs: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(dirpath)
        try:
            st = here.stat()
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen_dirs:  # a symlink back up the tree
            notes.append(skipped(here, "thư mục lặp lại qua liên kết vòng (symlink loop)"))
            dirnames[:] = []
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        dirnames.sort()
        for name in sorted(filenames):
            path = here / name
            if name.startswith("."):  # editor and OS leftovers (.DS_Store, lock files)
                notes.append(skipped(path, "tệp ẩn (hidden file)"))
            elif not path.exists():
                notes.append(skipped(path, "liên kết hỏng hoặc vòng lặp (broken or looping symlink)"))
            elif not path.is_file():
                notes.append(skipped(path, "không phải tệp thường (not a regular file)"))
            elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
                notes.append(skipped(path, f"không hỗ trợ định dạng {path.suffix or '(không có đuôi)'} (unsupported type)"))
            else:
                files.append(path)
    return files, notes
