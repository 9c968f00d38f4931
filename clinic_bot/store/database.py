"""One connection to the conversation store's database: an SQLite file or a PostgreSQL server.

A store's location is either a file path (the embedded profile: `make run`) or a `postgresql://` URL (the
scaled profile: `make run-scaled`, where several Rasa servers share one database). clinic_bot/store/events.py
writes its SQL once, with `?` placeholders and SQL both understand; this module runs it on either.

Why sqlite3 and psycopg2 directly rather than SQLAlchemy: the store runs a few tiny indexed queries per
message inside Rasa's event loop; the ORM layer cost more CPU than the queries (bench/tuning.md).
"""
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Type, Union

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
StoreLocation = Union[str, Path]


def is_server_url(location: StoreLocation) -> bool:
    return str(location).startswith(POSTGRES_SCHEMES)


def describe(location: StoreLocation) -> str:
    """The location for messages and logs, without a password."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", str(location))


class SQLiteDatabase:
    dialect = "sqlite"
    errors: Tuple[Type[BaseException], ...] = (sqlite3.Error,)

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def for_server(cls, path: Path) -> "SQLiteDatabase":
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit; Rasa calls the store from its one event-loop thread.
        connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
        # Write-ahead log: a commit is one append, not a sync of journal and file; a power cut may lose the
        # last turns, never the file's consistency. secure_delete: deleted rows are overwritten.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA secure_delete=ON")
        return cls(connection)

    @classmethod
    def existing(cls, path: Path, read_only: bool) -> "SQLiteDatabase":
        if not Path(path).is_file():
            raise FileNotFoundError(f"no conversation store at {path}")
        mode = "ro" if read_only else "rw"
        connection = sqlite3.connect(f"file:{Path(path).resolve()}?mode={mode}", uri=True, timeout=30,
                                     isolation_level=None)
        if not read_only:
            connection.execute("PRAGMA secure_delete = ON")
        return cls(connection)

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> List[Tuple[Any, ...]]:
        return self.connection.execute(sql, tuple(parameters)).fetchall()

    def run(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        return int(self.connection.execute(sql, tuple(parameters)).rowcount)

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.connection.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.connection.execute("BEGIN")
        try:
            yield
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise

    def after_delete(self, tables: Sequence[str]) -> None:
        """Moves the write-ahead log into the (secure-deleted) file and empties it, so no copy of deleted rows
        stays there."""
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.connection.close()


class PostgresDatabase:
    """A psycopg2 connection in autocommit mode that reconnects after the server went away.

    A lost connection (PostgreSQL restarted, network cut) fails the call that met it; the next call opens a new
    one. Reads are tried once more on a fresh connection, so the first message after PostgreSQL came back is
    answered rather than apologised for; writes are not repeated (the failed one may have committed)."""

    dialect = "postgresql"

    def __init__(self, url: str, read_only: bool = False) -> None:
        import psycopg2  # only the scaled profile needs it (a Rasa dependency; not in requirements/actions.txt)

        self._psycopg2 = psycopg2
        self.errors: Tuple[Type[BaseException], ...] = (psycopg2.Error,)
        self.url = url
        self.read_only = read_only
        self._connection: Optional[Any] = None
        self._connect()

    def _connect(self) -> Any:
        if self._connection is None or self._connection.closed:
            self._connection = self._psycopg2.connect(self.url, connect_timeout=5,
                                                      application_name="clinic_bot")
            self._connection.autocommit = True
            if self.read_only:
                self._connection.set_session(readonly=True, autocommit=True)
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except self._psycopg2.Error:
                pass
        self._connection = None

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def _execute(self, sql: str, parameters: Sequence[Any], fetch: bool) -> Any:
        try:
            with self._connect().cursor() as cursor:
                cursor.execute(self._sql(sql), tuple(parameters))
                return cursor.fetchall() if fetch else cursor.rowcount
        except (self._psycopg2.OperationalError, self._psycopg2.InterfaceError):
            self._drop()
            raise

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> List[Tuple[Any, ...]]:
        try:
            return list(self._execute(sql, parameters, fetch=True))
        except (self._psycopg2.OperationalError, self._psycopg2.InterfaceError):
            return list(self._execute(sql, parameters, fetch=True))  # once, on a new connection

    def run(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        return int(self._execute(sql, parameters, fetch=False))

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            with self._connect().cursor() as cursor:
                cursor.executemany(self._sql(sql), [tuple(row) for row in rows])
        except (self._psycopg2.OperationalError, self._psycopg2.InterfaceError):
            self._drop()
            raise

    def insert_returning_ids(self, insert_sql: str, rows: Sequence[Sequence[Any]]) -> List[int]:
        """One multi-row INSERT (`insert_sql` ends in `VALUES ?`) in one round trip, atomic by itself; the new ids.
        (psycopg2's executemany would send one statement per row: ten round trips for a typical turn.)"""
        from psycopg2.extras import execute_values

        try:
            with self._connect().cursor() as cursor:
                returned = execute_values(cursor, self._sql(insert_sql) + " RETURNING id",
                                          [tuple(row) for row in rows], fetch=True, page_size=max(len(rows), 1))
                return [int(row[0]) for row in returned]
        except (self._psycopg2.OperationalError, self._psycopg2.InterfaceError):
            self._drop()
            raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        connection = self._connect()
        connection.autocommit = False
        try:
            yield
            connection.commit()
        except BaseException:
            if not connection.closed:
                connection.rollback()
            raise
        finally:
            if not connection.closed:
                connection.autocommit = True

    def after_delete(self, tables: Sequence[str]) -> None:
        """PostgreSQL keeps deleted row versions until VACUUM reclaims them; run it now on ``tables``."""
        self.run(f"VACUUM {', '.join(tables)}")

    def close(self) -> None:
        self._drop()


Database = Union[SQLiteDatabase, PostgresDatabase]


def open_for_server(location: StoreLocation) -> Database:
    if is_server_url(location):
        return PostgresDatabase(str(location))
    return SQLiteDatabase.for_server(Path(location).resolve())


def open_existing(location: StoreLocation, read_only: bool = False) -> Database:
    """For the staff tools: refuses a missing SQLite file rather than creating an empty one."""
    if is_server_url(location):
        return PostgresDatabase(str(location), read_only=read_only)
    return SQLiteDatabase.existing(Path(location), read_only)


def store_errors() -> Tuple[Type[BaseException], ...]:
    """What opening or querying either kind of store raises, for the staff tools' plain error messages."""
    try:
        import psycopg2
    except ImportError:  # the action server's environment has no psycopg2 and no store
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg2.Error)
