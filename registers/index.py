"""The index of parsed records: `.git/coc/index.sqlite`, derived and disposable (SPEC §7).

Every reading command asks it first for the records whose git blob ids it knows, and parses
only blobs it has not seen. It is never the truth and never trusted blindly:

- a row is keyed by the blob id git gives the file's bytes, so a changed file is a new key;
  only tracked files that git's own stat cache says are unchanged are looked up (modified and
  untracked files are always parsed);
- every row carries a keyed MAC (BLAKE2b with the user's own key, kept outside any repository
  like the audit cache's), so a row edited to hide or change a record is not believed: it is
  parsed again and rewritten;
- the whole file is bound to this toolkit's version and the digest of its code
  (`toolkit_digest`), so a new toolkit never serves an old answer;
- a missing, corrupted or half-written file is deleted and built again; one that cannot be
  used at all only costs speed.

SQLite with WAL: readers never wait for a writer, updates are atomic, and two coc processes at
once both get right answers (a writer that waits too long skips its write).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import sqlite3
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Iterable

SCHEMA = "4"
BUSY_MS = 3000
_MAC_SIZE = 16
ANSWERS_KEPT = 16


def user_key() -> bytes | None:
    """The user's own secret (the file the audit cache is signed with, made on first use),
    outside any repository: nobody who can write a clone's .git can forge what it signs.
    None when it cannot be kept (then nothing is cached)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    path = Path(base) / "coc" / "audit.key"
    try:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(os.urandom(32))
        secret = path.read_bytes()
    except OSError:
        return None
    return secret if len(secret) >= 32 else None


def toolkit_digest() -> str:
    """This toolkit's version and a digest of its own code below the command line (the parser,
    the derived status, every built-in policy): any change to them, released or not, is a new
    toolkit whose answers are not those kept. Costs reading ~40 small files."""
    from .version import __version__

    digest = hashlib.sha256(f"{SCHEMA}\0{__version__}\0".encode())
    package = Path(__file__).resolve().parent.parent
    for folder in ("registers", "policies"):
        for source in sorted((package / folder).glob("*.py")):
            digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


class _Unpickler(pickle.Unpickler):
    """Only the value types the YAML loader makes: no other class, no callable, no code."""

    ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "timezone"),
               ("datetime", "timedelta")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a record value")
        return super().find_class(module, name)


def encode(value: Any) -> bytes:
    return pickle.dumps(value, protocol=5)


def decode(payload: bytes) -> Any:
    return _Unpickler(BytesIO(payload)).load()


# The record's history lists: most of its values (decisions carry date-times), and what
# `list` and `register` never read (the status is kept beside them), so decoded only if asked.
TAIL_KEYS = ("decisions", "amendments")


def pack(data: Mapping[str, Any], status: str) -> tuple[bytes, bytes]:
    """A parsed record as the index keeps it: (head, tail) payloads, where the tail holds the
    history lists and the head everything else, the status and the keys in their order."""
    head = {k: v for k, v in data.items() if k not in TAIL_KEYS}
    tail = {k: data[k] for k in TAIL_KEYS if k in data}
    return encode((head, status, list(data))), encode(tail)


class LazyData(Mapping[str, Any]):
    """A record's data from the index: the head decoded, the history lists when first read."""

    def __init__(self, head: dict[str, Any], order: list[Any], tail: bytes,
                 loads: Any = None) -> None:
        self._head, self._order, self._tail, self._loads = head, order, tail, loads or decode
        self._full: dict[str, Any] | None = None

    def _all(self) -> dict[str, Any]:
        if self._full is None:
            tail = self._loads(self._tail)
            if not isinstance(tail, dict):
                raise ValueError("not a record's history")
            self._full = {k: tail[k] if k in TAIL_KEYS else self._head[k] for k in self._order}
        return self._full

    def __getitem__(self, key: Any) -> Any:
        if key in self._head:
            return self._head[key]
        if key in TAIL_KEYS and key in self._order:
            return self._all()[key]
        raise KeyError(key)

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self._head:
            return self._head[key]
        return self._all()[key] if key in TAIL_KEYS and key in self._order else default

    def __contains__(self, key: object) -> bool:
        return key in self._head or key in TAIL_KEYS and key in self._order

    def __iter__(self) -> Iterator[Any]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __reduce__(self) -> Any:
        return dict, (self._all(),)


@dataclass(frozen=True)
class Parsed:
    """A record file's parse as the index keeps it: its data and derived status."""

    data: Mapping[str, Any]
    status: str


def unpack(head: bytes, tail: bytes, loads: Any = None) -> Parsed | None:
    """`pack`'s payloads back, or None when they are not a record's (`loads`: our own
    worker's bytes, which need no restricted decoding)."""
    try:
        return _parsed((loads or decode)(head), tail, loads)
    except Exception:   # a row from nowhere we know: parse the file instead
        return None


def _parsed(value: Any, tail: bytes, loads: Any = None) -> Parsed | None:
    data, status, order = value
    if not (type(data) is dict and type(status) is str and type(order) is list):
        return None
    if "decisions" not in order and "amendments" not in order:
        return Parsed(data, status) if len(data) == len(order) else None
    return Parsed(LazyData(data, order, tail, loads), status)


class Index:
    """One register's index (its `.git/coc/index.sqlite`); see the module's docstring."""

    def __init__(self, path: Path, secret: bytes) -> None:
        self.path, self._secret = path, secret
        self._db: sqlite3.Connection | None = None
        self._hashers: dict[bytes, Any] = {}

    # opening -------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None,
                             check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            version = toolkit_digest()
            row = None
            try:
                row = db.execute("SELECT value FROM meta WHERE name='version'").fetchone()
            except sqlite3.OperationalError as exc:
                if "no such table" not in str(exc):
                    raise
            if row is None or row[0] != version:
                self._create(db, version)
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _create(db: sqlite3.Connection, version: str) -> None:
        """A fresh schema for this toolkit (what an older one kept is dropped, not trusted)."""
        db.execute("BEGIN IMMEDIATE")
        try:
            for table in ("meta", "parsed", "findings", "answers"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE parsed (blob TEXT PRIMARY KEY, payload BLOB NOT NULL, "
                       "tail BLOB NOT NULL, mac BLOB NOT NULL)")
            db.execute("CREATE TABLE findings (key TEXT NOT NULL, path TEXT NOT NULL, "
                       "blob TEXT NOT NULL, payload BLOB NOT NULL, mac BLOB NOT NULL, "
                       "PRIMARY KEY (key, path))")
            db.execute("CREATE TABLE answers (name TEXT PRIMARY KEY, key TEXT NOT NULL, "
                       "payload BLOB NOT NULL, mac BLOB NOT NULL)")
            db.execute("INSERT INTO meta VALUES ('version', ?)", (version,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _discard(self) -> None:
        """Delete a file SQLite cannot read (corrupted, half-written, not a database)."""
        if self._db is not None:
            self._db.close()
            self._db = None
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except OSError:
                pass

    def _run(self, work: Any) -> Any:
        """`work(db)` on the open database; a broken file is deleted and built again once;
        anything else that fails (locked too long, disk full) returns None: only speed lost."""
        for attempt in (1, 2):
            try:
                if self._db is None:
                    self._db = self._connect()
                return work(self._db)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and _transient(exc):
                    return None
                self._discard()
                if attempt == 2:
                    return None
            except OSError:
                return None
        return None  # pragma: no cover

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # MACs ----------------------------------------------------------------------------------
    def _mac(self, table: bytes, *parts: str | bytes) -> bytes:
        """BLAKE2b keyed with the user's secret, one table's rows apart from another's; every
        part but the last is length-prefixed, so no two rows' parts run together alike."""
        mac = self._keyed(table).copy()
        for part in parts[:-1]:
            data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
            mac.update(len(data).to_bytes(8, "big"))
            mac.update(data)
        last = parts[-1]
        mac.update(last.encode("utf-8", "surrogatepass") if isinstance(last, str) else last)
        return mac.digest()

    def _signed(self, mac: Any, table: bytes, *parts: Any) -> bool:
        """Whether a row read back carries its MAC: every part of the kind written (a row whose
        columns were given other types by hand is not believed, and does not crash us)."""
        return type(mac) is bytes and all(type(p) in (str, bytes) for p in parts) and \
            hmac.compare_digest(mac, self._mac(table, *parts))

    def _keyed(self, table: bytes) -> Any:
        """The keyed hash of one table, made once and copied for each row."""
        if table not in self._hashers:
            self._hashers[table] = hashlib.blake2b(key=self._secret, digest_size=_MAC_SIZE,
                                                   person=table)
        return self._hashers[table]

    # parsed records ------------------------------------------------------------------------
    def parsed(self, blobs: Iterable[str]) -> dict[str, Parsed]:
        """The records the index holds for these blob ids, each one's MAC checked; a row that
        fails its check or does not decode is left out (so it is parsed again)."""
        wanted = set(blobs)
        if not wanted:
            return {}

        def read(db: sqlite3.Connection) -> list[tuple[str, bytes, bytes, bytes]]:
            if len(wanted) < 500:
                marks = ",".join("?" * len(wanted))
                return db.execute("SELECT blob, payload, tail, mac FROM parsed "
                                  f"WHERE blob IN ({marks})", tuple(wanted)).fetchall()
            return db.execute("SELECT blob, payload, tail, mac FROM parsed").fetchall()

        good = [(blob, payload, tail) for blob, payload, tail, mac in self._run(read) or ()
                if blob in wanted and self._signed(mac, b"parsed", blob, payload, tail)]
        # One unpickler per row: one reading many pickles in a stream keeps the first one's
        # memo, and a later one's references then name the wrong objects.
        out: dict[str, Parsed] = {}
        for blob, payload, tail in good:
            parsed = unpack(payload, tail)
            if parsed is not None:
                out[blob] = parsed
        return out

    def store_parsed(self, rows: Iterable[tuple[str, tuple[bytes, bytes]]]) -> None:
        """(blob id, `pack(data, status)`) rows, in one transaction."""
        signed = [(blob, head, tail, self._mac(b"parsed", blob, head, tail))
                  for blob, (head, tail) in rows]
        if signed:
            self._write("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?)", signed)

    # findings ------------------------------------------------------------------------------
    def findings(self, key: str) -> dict[str, tuple[str, bytes]]:
        """path -> (blob id, payload) of the findings kept under `key`, each MAC checked."""
        def read(db: sqlite3.Connection) -> list[tuple[str, str, bytes, bytes]]:
            return db.execute("SELECT path, blob, payload, mac FROM findings WHERE key = ?",
                              (key,)).fetchall()

        return {path: (blob, payload) for path, blob, payload, mac in self._run(read) or ()
                if self._signed(mac, b"findings", key, path, blob, payload)}

    def store_findings(self, key: str, rows: Iterable[tuple[str, str, bytes]],
                       keep_only: set[str] | None = None) -> None:
        """(path, blob id, payload) rows under `key`; rows under other keys are dropped (they
        were made with another coc.yaml, people.yaml or toolkit), and with `keep_only`, rows of
        paths no longer there."""
        signed = [(key, path, blob, payload, self._mac(b"findings", key, path, blob, payload))
                  for path, blob, payload in rows]

        def write(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM findings WHERE key != ?", (key,))
            if keep_only is not None:
                kept = {p for p, in db.execute("SELECT path FROM findings WHERE key = ?", (key,))}
                gone = [(key, p) for p in kept - keep_only]
                db.executemany("DELETE FROM findings WHERE key = ? AND path = ?", gone)
            db.executemany("INSERT OR REPLACE INTO findings VALUES (?, ?, ?, ?, ?)", signed)

        self._transaction(write)

    # answers -------------------------------------------------------------------------------
    def answer(self, name: str, key: str) -> bytes | None:
        """What a reading command printed, kept under `name` (the command and its arguments)
        for `key` (everything that answer depends on), MAC checked; None when not kept."""
        def read(db: sqlite3.Connection) -> tuple[str, bytes, bytes] | None:
            return db.execute("SELECT key, payload, mac FROM answers WHERE name = ?",
                              (name,)).fetchone()

        row = self._run(read)
        if row is None or row[0] != key or not self._signed(row[2], b"answers", name, key, row[1]):
            return None
        return row[1]

    def store_answer(self, name: str, key: str, payload: bytes) -> None:
        """One answer per `name`: the one kept for an older key is replaced; only the
        ANSWERS_KEPT answers written last are kept (each may be megabytes)."""
        row = (name, key, payload, self._mac(b"answers", name, key, payload))

        def write(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", row)
            db.execute("DELETE FROM answers WHERE rowid NOT IN (SELECT rowid FROM answers "
                       "ORDER BY rowid DESC LIMIT ?)", (ANSWERS_KEPT,))

        self._transaction(write)

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._transaction(lambda db: db.executemany(sql, rows))

    def _transaction(self, body: Callable[[sqlite3.Connection], object]) -> None:
        """`body` in one write transaction (BEGIN IMMEDIATE: one writer at a time), all or none."""
        def write(db: sqlite3.Connection) -> bool:
            db.execute("BEGIN IMMEDIATE")
            try:
                body(db)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return True

        self._run(write)


def _transient(exc: sqlite3.OperationalError) -> bool:
    """Locked or busy (another coc is writing), or no space: the file itself is fine."""
    text = str(exc).lower()
    return any(word in text for word in ("locked", "busy", "disk is full", "readonly",
                                         "unable to open"))


def open_index(root: Path) -> Index | None:
    """The index of the register at `root`, or None outside git or without the user's key."""
    git_dir = root / ".git"
    if not git_dir.is_dir():
        return None
    secret = user_key()
    return Index(git_dir / "coc" / "index.sqlite", secret) if secret is not None else None
