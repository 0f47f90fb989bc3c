"""A register repository on disk: its config, people, record paths, ids, loads and saves.

Every id and path component is validated here before it reaches the filesystem or git.
"""
from __future__ import annotations

import base64
import os
import re
import secrets
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from .config import Config, load_config
from .errors import CocError
from .people import People, load_people
from .record import DEPARTMENT_RE, ID_CHARS, ID_RE, Record
from .yamlio import dump_roundtrip, load_roundtrip, read_fast, write_atomic

if TYPE_CHECKING:
    from .people import Person
    from .writing import Change

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
KIND_RE = re.compile(r"^[a-z][a-z-]*$")
RECORD_PATH_RE = re.compile(
    r"^registers/(?P<department>[a-z0-9-]+)/(?P<kind>[a-z][a-z-]*)/(?P<year>[0-9]{4})/"
    rf"(?P<id>{ID_CHARS})\.yaml$")
CONFIG_FILE, PEOPLE_FILE, RECORDS_DIR = "coc.yaml", "people.yaml", "registers"


ID_RANDOM_CHARS = 12


def new_id(prefix: str, year: int) -> str:
    """`GIF-2026-K3FQ2MX7TAB4`: 60 random bits, so parallel branches never need to coordinate:
    at 1,000,000 records of one kind in a year, the chance that any two share an id is about
    n²/2^61 = 4e-7 (6 characters gave 4.5% at 10,000). Duplicates are still reported."""
    # base32 of 64 random bits, cut to 60: the same alphabet and the same uniform choice per
    # character as secrets.choice(BASE32) twelve times, at a tenth of its cost
    return f"{prefix}-{year:04d}-" + base64.b32encode(secrets.token_bytes(8)).decode()[
        :ID_RANDOM_CHARS]


def duplicate_ids(rels: Iterable[str]) -> dict[str, list[str]]:
    """Record id -> every path holding it, for the ids at more than one path (by file name).

    Ids are made without coordination, so two branches can (rarely) make the same one, and a
    collision across departments merges cleanly: validate, the hook and audit all ask this.
    """
    by_name: dict[str, list[str]] = {}
    for rel in rels:
        by_name.setdefault(rel.rpartition("/")[2].rpartition(".")[0], []).append(rel)
    return {stem: sorted(paths) for stem, paths in by_name.items()
            if len(paths) > 1 and ID_RE.match(stem)}


def check_id(record_id: str) -> str:
    if not isinstance(record_id, str) or not ID_RE.match(record_id):
        raise CocError(f"{record_id!r} is not a record id (like GIF-2026-K3FQ2MX7TAB4)", field="id")
    return record_id


@dataclass(frozen=True)
class Loaded:
    """A record file as read in bulk: the record, or the error that stopped it being read."""

    path: str
    record: Record | None
    error: CocError | None = None


class Register:
    """A register checkout: `coc.yaml`, `people.yaml` and `registers/`."""

    def __init__(self, root: Path, check: Callable[[Register], object] | None = None) -> None:
        """`check` is run on the register once it is read, and on its restricted register when
        that is opened: the layer above passes the policy's check of coc.yaml's parameters
        (every command makes it, issue 2), since this layer knows no policy."""
        self.root = root.resolve()
        if not (self.root / CONFIG_FILE).is_file():
            raise CocError(f"{root} is not a coc register (no {CONFIG_FILE}); "
                           "run `coc init DIR --policy NAME` to make one")
        self._settings_seen = self._settings_stat()   # before they are read: see fingerprint
        self.config: Config = load_config(self.root / CONFIG_FILE)
        self.people: People = load_people(self.root / PEOPLE_FILE, self.config.grades)
        self._check = check
        if check is not None:
            check(self)

    @classmethod
    def find(cls, start: Path | None = None,
             check: Callable[[Register], object] | None = None) -> Register:
        """The register containing `start` (default: the working directory, or $COC_REGISTER)."""
        start = Path(os.environ.get("COC_REGISTER") or start or Path.cwd()).resolve()
        for folder in (start, *start.parents):
            if (folder / CONFIG_FILE).is_file():
                return cls(folder, check)
            if (folder / ".git").exists():
                break
        raise CocError(f"no coc register here ({start}): no {CONFIG_FILE} in this folder or above; "
                       "run `coc init DIR --policy NAME` or cd into a register")

    def restricted(self) -> Register | None:
        """The restricted register that coc.yaml's `restricted_register` names, when it is on
        this machine; None when none is configured or this clone's user has no copy (everyone
        without access works on the main register alone, and is told nothing sensitive).

        Something at that path that is not a separate restricted register of the same policy
        (a file, a symbolic link, this register or a folder around or inside it, a folder
        without its own git repository or without `restricted: true`) is an error naming
        coc.yaml's field. Nothing there is ever run: it is read as data, like this register.
        """
        return self._restricted   # found once per command: it reads its own people.yaml

    @cached_property
    def _restricted(self) -> Register | None:
        from .yamlio import located

        value = self.config.restricted_register
        if not value:
            return None

        def bad(why: str) -> CocError:
            return located(CocError(f"{value!r} {why}", path=CONFIG_FILE,
                                    field="restricted_register"), self.root / CONFIG_FILE)

        given = Path(value)
        path = given if given.is_absolute() else self.root / given
        if path.is_symlink():
            raise bad("is a symbolic link: name the restricted register's folder itself")
        if not path.exists():
            return None
        if not path.is_dir():
            raise bad("is not a folder: it must be the restricted register's repository")
        real = path.resolve()
        if real == self.root or real.is_relative_to(self.root) or self.root.is_relative_to(real):
            raise bad("is this register, or a folder inside or around it: the restricted "
                      "register is a separate repository")
        if not (real / ".git").is_dir() or (real / ".git").is_symlink():
            raise bad("is not a git repository of its own (run `coc init MAIN --restricted "
                      "DIR` to make one)")
        config_path = real / CONFIG_FILE
        if config_path.is_symlink() or not config_path.is_file():
            raise bad(f"has no {CONFIG_FILE} (run `coc init MAIN --restricted DIR` to make one)")
        try:
            other = Register(real, self._check)
        except CocError as exc:   # its own coc.yaml or people.yaml, named from here
            raise CocError("\n".join(f"{value.rstrip('/')}/{line}"
                                     for line in str(exc).splitlines())) from None
        if not other.config.restricted:
            raise bad(f"is not marked as a restricted register (its {CONFIG_FILE} needs "
                      "`restricted: true`)")
        if other.config.policy != self.config.policy:
            raise bad(f"uses policy {other.config.policy!r}, this register "
                      f"{self.config.policy!r}: both must name the same policy")
        return other

    def readers(self) -> list[tuple[str, Register]]:
        """The registers a reading command looks in, each with the prefix its paths are shown
        with: this one (""), then the restricted one when it is on this machine."""
        other = self.restricted()
        if other is None:
            return [("", self)]
        return [("", self), ((self.config.restricted_register or "").rstrip("/") + "/", other)]

    def holding(self, record_id: str) -> Register:
        """The register a record is in: this one, else the restricted one when that has it
        (in its working tree or on its pull-request branch); else this one, which says so."""
        if self.path_of(record_id, missing_ok=True) is not None:
            return self
        other = self.restricted()
        if other is not None and (other.path_of(record_id, missing_ok=True) is not None
                                  or other.find_on_branch(record_id) is not None):
            return other
        return self

    # paths ---------------------------------------------------------------------------------
    def rel(self, path: Path | str) -> str:
        """`path` relative to the register root, as a posix string (cheap: no filesystem calls)."""
        text, root = str(path), str(self.root)
        if text.startswith(root + os.sep):
            return text[len(root) + 1:].replace(os.sep, "/")
        path = Path(path)
        if path.is_absolute():
            resolved = path.resolve()
            if not resolved.is_relative_to(self.root):
                raise CocError(f"not inside the register {self.root}", path=str(path))
            return resolved.relative_to(self.root).as_posix()
        return path.as_posix()

    def record_path(self, department: str, kind: str, record_id: str) -> Path:
        """`registers/<department>/<kind>/<year>/<id>.yaml`, every part checked first."""
        check_id(record_id)
        if not DEPARTMENT_RE.match(department):
            raise CocError(f"bad department {department!r}", field="department")
        if not KIND_RE.match(kind):
            raise CocError(f"bad kind {kind!r}", field="kind")
        path = self.root.joinpath(RECORDS_DIR, department, kind, record_id[4:8],
                                  f"{record_id}.yaml")
        if path.parent in self._folders_inside:   # `coc import` asks for thousands in a few
            if path.is_symlink():
                raise CocError("symbolic links are not allowed in a register",
                               path=self.rel(path))
        else:
            self._inside(path)
            self._folders_inside.add(path.parent)
        return path

    @cached_property
    def _folders_inside(self) -> set[Path]:
        """Folders `record_path` found inside the records folder, no link on the way to them."""
        return set()

    def _inside(self, path: Path) -> None:
        """Refuse a path that leaves the register or passes through a symlink."""
        records = self.root / RECORDS_DIR
        current = path
        while current != self.root:
            if current.is_symlink():
                raise CocError("symbolic links are not allowed in a register",
                               path=self.rel(current))
            current = current.parent
        if not path.resolve().is_relative_to(records.resolve()):
            raise CocError("path leaves the register's records folder", path=str(path))

    def allocate_id(self, prefix: str, year: int | None = None,
                    taken: set[str] | None = None) -> str:
        """A fresh id: in no record file's name, or none of `taken` (the names of every file
        under registers/, listed once by a caller that needs thousands of ids)."""
        year = year or date.today().year
        for _ in range(20):
            record_id = new_id(prefix, year)
            if record_id not in taken if taken is not None else \
                    self.path_of(record_id, missing_ok=True) is None:
                return record_id
        raise CocError("could not allocate a fresh record id")  # pragma: no cover - 2^30 space

    def path_of(self, record_id: str, *, missing_ok: bool = False) -> Path | None:
        """The file of record `record_id`, found by its year folder; the id is validated first."""
        check_id(record_id)
        pattern = f"*/*/{record_id[4:8]}/{record_id}.yaml"
        matches = sorted((self.root / RECORDS_DIR).glob(pattern))
        if not matches:
            if missing_ok:
                return None
            raise CocError(f"no record {record_id} in this register", field="id")
        if len(matches) > 1:
            raise CocError(f"record {record_id} exists twice: "
                           + ", ".join(self.rel(m) for m in matches), field="id")
        self._inside(matches[0])
        return matches[0]

    def iter_record_files(self) -> Iterator[Path]:
        """Every YAML file under registers/, sorted; misplaced ones are reported by validate.

        A symbolic link anywhere (registers/ itself, a department or year folder, a file) and
        anything else named like a record (a folder, a FIFO) is listed too, never followed or
        skipped, so that reading it reports it and `coc list` counts it (issue 9 item 8).
        Uses scandir so that 10,000 files cost one directory read per folder, not a stat each.
        """
        return map(Path, self.record_file_names())

    def record_file_names(self) -> Iterator[str]:
        """`iter_record_files` as path strings (cheaper when only the names are compared)."""
        def walk(folder: str) -> Iterator[str]:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda e: e.name)
            for entry in listed:
                if entry.is_symlink() or entry.name.endswith((".yaml", ".yml")):
                    yield entry.path
                elif entry.is_dir(follow_symlinks=False):
                    yield from walk(entry.path)

        records = self.root / RECORDS_DIR
        if records.is_symlink():
            yield str(records)
        elif records.is_dir():
            yield from walk(str(records))

    def linked(self, path: Path) -> bool:
        """True when `path` or a folder it is in (below the root) is a symbolic link."""
        try:
            self._inside(path)
        except CocError:
            return True
        return False

    # records -------------------------------------------------------------------------------
    def load(self, record_id: str) -> Record:
        path = self.path_of(record_id)
        assert path is not None
        return self.read(path)

    def read(self, path: Path) -> Record:
        rel = self.rel(path)
        data = read_fast(path, rel)
        if not isinstance(data, dict):
            raise CocError("a record must be a YAML mapping", path=rel)
        return Record(data=data, path=rel)

    def find_on_branch(self, record_id: str) -> tuple[str, Record] | None:
        """A record that is not in the working tree but on its pull-request branch
        `declare/<id>` (local, else fetched from a remote), as (branch, record); None if none.

        A reviewer who has only fetched the pull request can still read what was declared."""
        from .git import branch_exists, git, newest_first, read_blobs, remote_branches
        from .yamlio import load_fast

        check_id(record_id)
        branch = f"declare/{record_id}"
        refs = newest_first(self.root, ([branch] if branch_exists(self.root, branch) else [])
                            + remote_branches(self.root, branch))
        for ref in refs:
            listed = git(self.root, "ls-tree", "-r", "--name-only", ref, "--", RECORDS_DIR + "/",
                         check=False).splitlines()
            wanted = [name for name in listed if name.endswith(f"/{record_id[4:8]}/{record_id}.yaml")]
            if len(wanted) != 1:
                continue
            blob = read_blobs(self.root, [f"{ref}:{wanted[0]}"])[0]
            data = load_fast(blob, wanted[0]) if blob is not None else None
            if isinstance(data, dict):
                return ref, Record(data=data, path=wanted[0])
        return None

    def load_for_edit(self, record_id: str) -> tuple[Path, Any]:
        path = self.path_of(record_id)
        assert path is not None
        return path, load_roundtrip(path, self.rel(path))

    def save(self, path: Path, data: Any) -> None:
        self._inside(path)
        write_atomic(path, dump_roundtrip(data))

    def load_all(self, paths: Sequence[Path | str] | None = None,
                 on_progress: Callable[[int, int], None] | None = None) -> list[Loaded]:
        """Read many records fast: from the index of parsed records (registers.index) for files
        git knows unchanged, parsing (libyaml, on every core) only the rest; a broken file is
        reported and the rest still read; `on_progress(done, total)`, from cli/."""
        from .bulk import read_many

        names = list(self.record_file_names()) if paths is None else paths
        return read_many(self, names, self.known_blobs(), on_progress)

    def known_blobs(self) -> dict[str, str]:
        """rel -> git blob id of each record file git knows is unchanged in the working tree (a
        plain file, staged, not modified since); modified, untracked and odd files are absent,
        so they are always read from disk. Asked of git once per command."""
        return dict(self._known_blobs)

    @cached_property
    def _known_blobs(self) -> dict[str, str]:
        from .git import index_entries

        entries = index_entries(self.root, RECORDS_DIR + "/") or {}
        return {rel: blob for rel, (mode, blob) in entries.items()
                if blob and mode in ("100644", "100755")}

    def _settings_stat(self) -> list[tuple[int, ...] | None]:
        def one(name: str) -> tuple[int, ...] | None:
            try:
                st = os.stat(self.root / name)
            except OSError:
                return None
            return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

        return [one(CONFIG_FILE), one(PEOPLE_FILE)]

    def fingerprint(self, fresh: bool = False) -> str | None:
        """A digest of everything read from this register: coc.yaml and people.yaml as they
        were read when it was opened, and every record file by its path and git blob id. None
        when any record file is not one git knows unchanged (modified, untracked, a link, a
        folder named like a record) or coc.yaml or people.yaml changed since they were read:
        then nothing may be answered from what was kept. `fresh`: ask git again (after a
        command's work, to see that nothing changed while it ran)."""
        import hashlib

        digest = hashlib.sha256()
        for name in (CONFIG_FILE, PEOPLE_FILE):
            try:
                data = (self.root / name).read_bytes()
            except OSError:
                return None
            digest.update(b"%d\0" % len(data) + data)
        if self._settings_stat() != self._settings_seen:
            return None
        if fresh:
            self.__dict__.pop("_known_blobs", None)
        known = self._known_blobs
        start = len(str(self.root)) + 1
        for path in self.record_file_names():
            rel = path[start:].replace(os.sep, "/")
            blob = known.get(rel)
            if blob is None:
                return None
            digest.update(f"{rel}\0{blob}\n".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def changing(self, record_id: str | None = None, branch: str | None = None,
                 new_from: str | None = None) -> "Change":
        """A locked, journalled change (registers.writing): read the record inside it, then
        `.commit(...)`; on any failure the index, files and branch are put back as they were.
        A new `branch` starts from `new_from` (default: HEAD)."""
        from .writing import Change

        return Change(self.root, record_id, branch, new_from)

    def write_and_commit(self, path: Path, data: Any, message: str, author: "Person",
                         branch: str | None = None, *, record_id: str | None = None) -> str:
        """Write one record and commit it as `author`; on any failure put everything back.

        With `branch`, the commit goes on that branch for a pull request; a new branch starts
        from the main branch, so a pull request carries only its own record.
        Returns the commit id.
        """
        from .git import main_branch

        self._inside(path)
        new_from = main_branch(self.root) if branch else None
        with self.changing(record_id or path.stem, branch, new_from) as change:
            self._inside(path)   # again: the branch switched to may differ
            return change.commit([(path, dump_roundtrip(data))], message, author.name,
                                 author.email)

    def write_new_and_commit(self, files: list[tuple[Path, Any]], message: str,
                             author: "Person") -> str:
        """Write many new records and commit them in ONE commit as `author` (`coc import`).

        All or nothing: on any failure every file written is removed and unstaged.
        """
        for path, _ in files:
            self._inside(path)
        with self.changing() as change:
            return change.commit([(path, dump_roundtrip(data)) for path, data in files], message,
                                 author.name, author.email, new=True)
