"""Engine and units of work.

One `Database` per process. `db.write()` is the one transaction of a request or a flow
step: it commits when the block ends and rolls back on error. On SQLite a write
transaction starts with BEGIN IMMEDIATE so that concurrent writers queue instead of
failing when a read lock cannot be upgraded; and the writers of this process queue in
arrival order on a lock of their own first. SQLite's busy timeout is no queue: a waiting
writer sleeps and retries, and a newcomer can take the lock before it, again and again.
With fifty clients at once some writers waited out the 60 s timeout and failed while the
others went on (bench/burst.py).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import TimeoutError as BusyTimeout
from sqlalchemy.orm import Session, sessionmaker

SQLITE_WAIT_SECONDS = 60.0


class FifoLock:
    """A lock handed to its waiters in the order they asked for it."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Event] = deque()
        self._held = False

    def acquire(self) -> None:
        with self._mutex:
            if not self._held:
                self._held = True
                return
            turn = threading.Event()
            self._waiters.append(turn)
        if turn.wait(self.timeout):
            return  # the previous holder handed the lock over
        with self._mutex:
            if turn.is_set():  # handed over just as the wait ended
                return
            self._waiters.remove(turn)
        raise BusyTimeout(f"no turn to write within {self.timeout:.0f} s")

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().set()
            else:
                self._held = False

    @contextmanager
    def held(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()


def normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        # More connections than threads that may want one (the request threads, the
        # flows' worker threads): writers wait on SQLite's lock while holding theirs, and a
        # small pool then starves the readers (bench/burst.py: 500s after 30 s).
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 60)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_WAIT_SECONDS},
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let the "begin" hook below issue BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={int(SQLITE_WAIT_SECONDS * 1000)}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get("tdkt_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # Connections kept open. With 50 clients on two web processes a pool of 10 opened and
    # closed a connection (a PostgreSQL backend) for every 7 to 10 requests
    # (bench/api_latency.py); the most a process may open stays 30.
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 10)
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Database:
    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, **engine_kwargs)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(tdkt_write=True), expire_on_commit=False
        )
        self._writers = FifoLock(SQLITE_WAIT_SECONDS) if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Commit when the block ends (an early `session.commit()` is allowed); roll back
        when it raises. On SQLite, waits for this process's earlier writers first (a
        `sqlalchemy.exc.TimeoutError` after a minute: the API answers 503 `busy`)."""
        turn = self._writers.held() if self._writers is not None else nullcontext()
        with turn, self._write() as session:
            yield session
            session.commit()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading. Closing it ends the transaction without expiring what
        was loaded, so objects stay readable after the block."""
        with self.reader() as session:
            yield session

    def reader(self) -> Session:
        """The session `read` opens, for a caller that closes it itself."""
        return self._read()

    def dispose(self) -> None:
        self.engine.dispose()
