"""One Chroma client per store per process: one writer at a time across processes, fresh readers.

Why this exists. The embedded Chroma (``PersistentClient``) keeps each collection's HNSW vector
index in memory, loads it from disk once per process and then only applies the writes *this*
process makes; it persists the index every ``hnsw:sync_threshold`` records. So

* a long-running reader (the bot) never sees vectors another process (``ingest.py``) wrote, and
  its stale index can return ids whose rows the other process already deleted ("Error finding
  id");
* two processes writing at once each persist their own in-memory index over the other's, and
  vectors are lost for good.

The cure is a *write session*: a file lock in the data dir serialises writers across processes;
a writer whose client is older than the last write session (the ``store.epoch`` counter moved)
reopens its client first, so it writes on top of what is on disk (index file plus Chroma's own
log of later writes). Readers compare the epoch before a dense search and reopen when it moved;
a reopen also happens under the lock, because opening replays Chroma's log and may persist the
index. With ``KB_CHROMA_HOST`` the server owns the index (no reopen is needed) and the lock
still serialises this host's writers, so the generation counter counts every commit.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from knowledge.errors import StoreError
from knowledge.settings import KnowledgeSettings

log = logging.getLogger(__name__)

_HANDLES: dict[str, ChromaHandle] = {}
_HANDLES_LOCK = threading.Lock()


class ReadWriteLock:
    """Many readers or one exclusive holder (a client reopen must not pull the client from under a query)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._exclusive = False

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._exclusive:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            while self._exclusive or self._readers:
                self._cond.wait()
            self._exclusive = True
        try:
            yield
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()


def disk_full(exc: BaseException) -> bool:
    """Whether an error (the OS's, SQLite's through Chroma, Chroma's own) means the disk is full."""
    text = f"{type(exc).__name__}: {exc}".lower()
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "disk is full" in text or "no space left" in text


def store_error(exc: BaseException, settings: KnowledgeSettings) -> StoreError:
    """A one-line, actionable StoreError for whatever Chroma (or the disk under it) raised."""
    text = f"{type(exc).__name__}: {exc}".lower()
    if disk_full(exc):
        return StoreError(
            "Ổ đĩa chứa kho dữ liệu đã đầy; chưa ghi gì, tài liệu cũ vẫn được dùng. Hãy giải phóng dung lượng rồi nạp lại.",
            english="The disk holding the store is full; nothing was written and the previous version still answers. "
            "Free some space and ingest again.",
        )
    if settings.chroma_host and any(
        s in text for s in ("connect", "connection", "timed out", "timeout", "refused", "unreachable", "name or service")
    ):
        where = f"{settings.chroma_host}:{settings.chroma_port}"
        return StoreError(
            f"Không kết nối được máy chủ Chroma tại {where}; hãy kiểm tra máy chủ đang chạy (KB_CHROMA_HOST/KB_CHROMA_PORT).",
            english=f"Cannot reach the Chroma server at {where}; check that it runs (KB_CHROMA_HOST/KB_CHROMA_PORT).",
        )
    return StoreError(
        "Kho dữ liệu Chroma báo lỗi; kho giữ nguyên như trước. Chi tiết có trong nhật ký.",
        english=f"The Chroma store failed ({type(exc).__name__}); it is unchanged. See the log for details.",
    )


class ChromaHandle:
    """The process's client for one store, its reopen logic and the cross-process writer lock."""

    def __init__(self, settings: KnowledgeSettings) -> None:
        self.settings = settings
        self.server = bool(settings.chroma_host)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._epoch_path = settings.data_dir / "store.epoch"
        # thread_local=False: one lock state per process; threads are serialised by _writer below
        self._file_lock = FileLock(str(settings.data_dir / "store.lock"), thread_local=False)
        self._writer = threading.RLock()  # one writing thread per process (FileLock is re-entrant)
        self._rw = ReadWriteLock()
        self._client: Any = None
        self._collections: dict[str, Any] = {}
        self._specs: dict[str, dict[str, Any]] = {}
        self._epoch = -1  # the write epoch our client has seen
        with self._locked(self.settings.store_lock_timeout_s):
            self._open()

    # ---- lifecycle -------------------------------------------------------------------------
    def _open(self) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if self.server:
                self._client = chromadb.HttpClient(
                    host=self.settings.chroma_host,
                    port=self.settings.chroma_port,
                    ssl=self.settings.chroma_ssl,
                    settings=chroma_settings,
                )
                self._client.heartbeat()
            else:
                self.settings.chroma_dir.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(self.settings.chroma_dir), settings=chroma_settings)
        except Exception as exc:  # connection refused, unreadable folder…
            log.info("cannot open the Chroma store: %s", exc)
            if not self.server and disk_full(exc):  # Chroma writes as it opens: a full disk stops it
                raise StoreError(
                    "Ổ đĩa chứa kho dữ liệu đã đầy nên không mở được kho (Chroma cần ghi khi mở); tiến trình đang "
                    "chạy (bot) vẫn trả lời. Hãy giải phóng dung lượng rồi thử lại.",
                    english="The disk holding the store is full, so the store cannot be opened (Chroma writes as "
                    "it opens); a process already running (the bot) still answers. Free some space and retry.",
                ) from exc
            raise store_error(exc, self.settings) if self.server else StoreError(
                "Không mở được kho dữ liệu Chroma; kiểm tra KB_DATA_DIR (quyền ghi, dung lượng đĩa).",
                english="Cannot open the Chroma store; check KB_DATA_DIR (permissions, free space).",
            ) from exc
        self._collections = {}
        self._epoch = self._disk_epoch()
        for name in self._specs:
            self.collection(name).count()  # replays Chroma's log into the index now, under the lock

    def _close(self) -> None:
        from chromadb.api.shared_system_client import SharedSystemClient

        client, self._client = self._client, None
        self._collections = {}
        if client is None:
            return
        identifier = getattr(client, "_identifier", None)
        with contextlib.suppress(Exception):
            client.close()
        # another client object on the same path would keep the cached system (and its stale
        # index) alive: drop it so that the next client really reads the disk
        system = SharedSystemClient._identifier_to_system.pop(identifier, None) if identifier else None
        if system is not None:
            with contextlib.suppress(Exception):
                system.stop()

    def _reopen(self) -> None:
        with self._rw.exclusive():
            log.info("the store changed in another process; reopening the vector index")
            self._close()
            self._open()

    # ---- the write epoch ---------------------------------------------------------------------
    def _disk_epoch(self) -> int:
        try:
            return int(self._epoch_path.read_text(encoding="ascii").strip() or 0)
        except (OSError, ValueError):
            return 0

    def _bump_epoch(self) -> None:
        value = self._disk_epoch() + 1
        tmp = self._epoch_path.with_suffix(".tmp")
        try:
            with open(tmp, "w", encoding="ascii") as fh:
                fh.write(str(value))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._epoch_path)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
        self._epoch = value

    # ---- locks -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self, timeout: float) -> Iterator[None]:
        if not self._writer.acquire(timeout=timeout if timeout >= 0 else -1):
            raise self._busy()
        try:
            try:
                self._file_lock.acquire(timeout=timeout)
            except Timeout:
                raise self._busy() from None
            try:
                yield
            finally:
                self._file_lock.release()
        finally:
            self._writer.release()

    def _busy(self) -> StoreError:
        return StoreError(
            "Một tiến trình khác đang ghi vào kho dữ liệu quá lâu; hãy thử lại sau.",
            english="Another process has been writing to the store for too long; try again later.",
        )

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """A write session: other writers wait; our client is brought up to date first."""
        with self._locked(self.settings.store_lock_timeout_s):
            if not self.server and self._disk_epoch() != self._epoch:
                self._reopen()
            if not self.server:
                try:
                    self._bump_epoch()  # before any write: a writer killed midway still marks the change
                except OSError as exc:  # a full or read-only disk: nothing was written yet
                    raise store_error(exc, self.settings) from exc
            yield

    def refresh(self) -> None:
        """Reopen the client when another process wrote since we opened it (never blocks for long)."""
        if self.server or self._disk_epoch() == self._epoch:
            return
        if not self._writer.acquire(blocking=False):
            return  # this process is writing: its client is the freshest there is
        try:
            try:
                self._file_lock.acquire(timeout=0.5)
            except Timeout:
                return  # a writer is busy; the next question tries again
            try:
                if self._disk_epoch() != self._epoch:
                    self._reopen()
            finally:
                self._file_lock.release()
        finally:
            self._writer.release()

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Use the client (a reopen waits until the call is done)."""
        with self._rw.shared():
            yield

    # ---- collections -------------------------------------------------------------------------
    def open_collections(self, specs: dict[str, dict[str, Any]]) -> None:
        """Create or open these collections and load their indexes (under the lock: loading replays Chroma's log)."""
        if all(name in self._specs for name in specs):
            return
        with self._locked(self.settings.store_lock_timeout_s):
            for name, spec in specs.items():
                self._specs.setdefault(name, spec)
                with self.reading():
                    self.collection(name).count()
                    self._update_search_ef(name, spec)

    def _update_search_ef(self, name: str, spec: dict[str, Any]) -> None:
        """A collection made before its spec asked for a wider search (``hnsw:search_ef``) gets it
        now: Chroma applies the spec's metadata only when it creates a collection."""
        wanted = (spec.get("metadata") or {}).get("hnsw:search_ef")
        if wanted is None:
            return
        found = self.collection(name)
        hnsw = (getattr(found, "configuration_json", None) or {}).get("hnsw") or {}
        if int(hnsw.get("ef_search", wanted)) < wanted:
            try:
                found.modify(configuration={"hnsw": {"ef_search": wanted}})
            except Exception:  # a full or read-only disk: reads go on with the narrower search
                log.warning("could not widen the vector search of %s; the next open tries again", name, exc_info=True)

    def collection(self, name: str) -> Any:
        """The named collection of the current client (``open_collections`` first)."""
        found = self._collections.get(name)
        if found is None:
            found = self._client.get_or_create_collection(name, embedding_function=None, **self._specs[name])
            self._collections[name] = found
        return found


def handle_for(settings: KnowledgeSettings) -> ChromaHandle:
    """The process-wide handle of the store the settings point at."""
    key = (
        f"http://{settings.chroma_host}:{settings.chroma_port}|{Path(settings.data_dir).resolve()}"
        if settings.chroma_host
        else str(Path(settings.chroma_dir).resolve())
    )
    with _HANDLES_LOCK:
        handle = _HANDLES.get(key)
        if handle is None or handle._client is None:
            handle = ChromaHandle(settings)
            _HANDLES[key] = handle
        return handle
