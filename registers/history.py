"""A register's git history, read in bulk: one streamed `git log`, one `git cat-file --batch`.

A process or a diff per commit costs 35-63x the plain log (SPEC §7), so whatever the length of
the history, reading it takes two git processes: `git log --raw` names every changed file
with its old and new blob id, and `git cat-file --batch` returns the blobs that matter. The
same log tells which coc.yaml and people.yaml were in force at each commit, so a decision is
judged by the organisation and the policy of its day, not of today.
"""
from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from .config import Config, parse_config
from .errors import CocError
from .people import People, Person, parse_people
from .record import ID_RE, Record
from .yamlio import load_fast, load_fast_parts

CONFIG_FILE, PEOPLE_FILE, RECORDS_DIR = "coc.yaml", "people.yaml", "registers/"
NO_BLOB = "0" * 40
# Free text (name, subject) comes last and is split on NUL, which git never prints inside them.
LOG_FORMAT = "%x1e%H %P%x00%aI%x00%cI%x00%ae%x00%ce%x00%an%x00%cn%x00%s"
# Options that keep a user's or a repository's git config from changing what the log prints.
GIT_SAFE = ("-c", "log.showRoot=true", "-c", "core.quotePath=false", "--no-replace-objects")
LOG_OPTIONS = ("--topo-order", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-color",
               "--no-show-signature", "--no-mailmap", "--diff-merges=first-parent",
               f"--format={LOG_FORMAT}")


@dataclass(frozen=True)
class Change:
    """One file changed by a commit (against its first parent), as blob ids."""

    status: str            # A added, M modified, D deleted, T type changed
    path: str
    old: str | None        # blob id before, None when added
    new: str | None        # blob id after, None when deleted
    new_mode: str = "100644"

    @property
    def record_id(self) -> str | None:
        """The record this file holds, by its name `registers/.../<ID>.yaml`."""
        if not self.path.startswith(RECORDS_DIR) or not self.path.endswith(".yaml"):
            return None
        name = self.path.rsplit("/", 1)[-1][:-5]
        return name if ID_RE.match(name) else None


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    date: datetime          # author date, with the author's UTC offset
    email: str
    name: str
    subject: str
    changes: tuple[Change, ...] = ()
    committed: datetime | None = None   # committer date (None: as the author date)
    committer_email: str = ""           # '' : the author
    committer_name: str = ""

    @property
    def commit_date(self) -> datetime:
        return self.committed or self.date

    @property
    def committer(self) -> tuple[str, str]:
        """(name, email) of who made the commit: `--author` and `--amend` keep another's."""
        return (self.committer_name or self.name, self.committer_email or self.email)

    @property
    def short(self) -> str:
        return self.sha[:10]

    def describe(self) -> str:
        name, email = self.committer
        by = f"{self.name} <{self.email}>"
        if email.lower() != self.email.lower():
            by += f", committed by {name} <{email}>"
        return f"commit {self.short} ({self.date.date()}, {by})"


@dataclass(frozen=True)
class Settings:
    """coc.yaml and people.yaml as they stood at a commit, or why they could not be read."""

    config: Config | None
    people: People | None
    error: CocError | None = None

    def person(self, email: str) -> Person | None:
        return self.people.by_email.get(email.strip().lower()) if self.people else None


def parse_settings(config: bytes, people: bytes) -> Settings:
    """Settings from the two files' bytes; `CocError` naming the file when one is wrong."""
    parsed = parse_config(load_fast(config, CONFIG_FILE), CONFIG_FILE)
    return Settings(parsed, parse_people(load_fast(people, PEOPLE_FILE), PEOPLE_FILE,
                                         parsed.grades))


def _git_command(root: Path, *args: str) -> list[str]:
    return ["git", "-C", str(root), *GIT_SAFE, *args]


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """NUL-separated tokens of a stream, read in chunks as git writes them."""
    rest = b""
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


class _drained:
    """A pipe emptied by a thread as fast as git fills it, so that git never waits for a
    reader busy with what it printed before (the thread holds the GIL only between reads)."""

    def __init__(self, pipe: IO[bytes]) -> None:
        import queue
        import threading

        self._chunks: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self.running = True     # until git has printed everything
        self._thread = threading.Thread(target=self._drain, args=(pipe,), daemon=True)
        self._thread.start()

    def _drain(self, pipe: IO[bytes]) -> None:
        try:
            for chunk in iter(lambda: pipe.read1(1 << 20), b""):
                self._chunks.put(chunk)
        finally:
            self.running = False
            self._chunks.put(b"")

    def read(self, size: int = -1) -> bytes:
        return self._chunks.get()


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def parse_log(tokens: Iterable[bytes],
              on_commit: Callable[[Commit], None] | None = None) -> list[Commit]:
    """Commits from `git log` run with LOG_OPTIONS, in the order git printed them, each given
    to `on_commit` as soon as it is read (while git still works on the rest).

    Fields are taken by position, never by searching for separators, so a commit message
    cannot forge a commit or a file change.
    """
    commits: list[Commit] = []
    it = iter(tokens)
    step = it.__next__
    token = next(it, None)
    while token is not None:
        if not token.startswith(b"\x1e"):
            raise CocError(f"unexpected output from git log: {_text(token[:60])!r}")
        ids = token[1:].decode("ascii").split(" ")
        try:
            date, committed, email, committer_email = step(), step(), step(), step()
            name, committer_name, subject = step(), step(), step()
        except StopIteration:
            raise CocError("git log output ended in the middle of a commit") from None
        changes = []
        token = next(it, None)
        while token is not None and token.lstrip(b"\n")[:1] == b":":
            meta = token.lstrip(b"\n")[1:].decode("ascii").split(" ")
            path = next(it, b"").decode("utf-8", errors="replace")
            old, new = meta[2], meta[3]
            changes.append(Change(meta[4][:1], path, None if old == NO_BLOB else old,
                                  None if new == NO_BLOB else new, meta[1]))
            token = next(it, None)
        commits.append(Commit(ids[0], tuple(p for p in ids[1:] if p),
                              datetime.fromisoformat(date.decode("ascii")), _text(email),
                              _text(name), _text(subject), tuple(changes),
                              datetime.fromisoformat(committed.decode("ascii")),
                              _text(committer_email), _text(committer_name)))
        if on_commit is not None:
            on_commit(commits[-1])
    return commits


def read_log(root: Path, revs: Iterable[str] = ("HEAD",),
             on_commit: Callable[[Commit, bool], None] | None = None) -> list[Commit]:
    """Every commit reachable from `revs`, parents before children, with its file changes
    (`on_commit` is told of each as it is read, children first, and whether git is still
    printing the rest)."""
    return _run_log(_git_command(root, "log", *LOG_OPTIONS, *revs, "--"), on_commit)


def _run_log(args: list[str], on_commit: Callable[[Commit, bool], None] | None = None,
             env: dict[str, str] | None = None) -> list[Commit]:
    """The commits a `git log` with LOG_OPTIONS prints, parents first; [] for a repository
    without commits; `CocError` with git's last words when it fails."""
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        if on_commit is None:
            commits = parse_log(_tokens(proc.stdout))
        else:
            stream = _drained(proc.stdout)
            commits = parse_log(_tokens(stream), lambda c: on_commit(c, stream.running))
        error = proc.stderr.read()
    if proc.returncode != 0:
        lines = _text(error).strip().splitlines()
        if any("does not have any commits" in line for line in lines):
            return []
        raise CocError(f"git log failed: {lines[-1] if lines else proc.returncode}")
    commits.reverse()
    return commits


def read_blobs(root: Path, names: Iterable[str]) -> dict[str, bytes | None]:
    """Blob contents by id (or `rev:path`) in one `git cat-file --batch`; None when missing."""
    wanted = list(dict.fromkeys(n for n in names if n and "\n" not in n))
    if not wanted:
        return {}
    proc = subprocess.run(_git_command(root, "cat-file", "--batch"), capture_output=True,
                          check=False,
                          input=("\n".join(wanted) + "\n").encode())
    if proc.returncode != 0:
        raise CocError(f"git cat-file failed: {_text(proc.stderr).strip() or proc.returncode}")
    out, pos = proc.stdout, 0
    result: dict[str, bytes | None] = {}
    for name in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        if header[-1] == b"missing" or len(header) != 3:
            result[name] = None
            pos = end + 1
            continue
        size = int(header[2])
        result[name] = out[end + 1:end + 1 + size] if header[1] == b"blob" else None
        pos = end + 1 + size + 1
    return result


@dataclass(frozen=True)
class Signature:
    """git's own verdict on a commit's signature (`%G?`: G good, U good but untrusted key,
    N none, B bad, E cannot check...), who signed it (`%GS`: for SSH the allowed-signers
    principal, for GPG the key's user id) and the key (`%GK`)."""

    status: str
    signer: str = ""
    key: str = ""

    @property
    def email(self) -> str:
        """The signer's email: a GPG user id's `<...>`, or an SSH principal as it is."""
        inside = self.signer.rpartition("<")[2].partition(">")[0] if "<" in self.signer else ""
        return (inside or self.signer).strip().lower()


def signature_checks(root: Path, shas: Iterable[str]) -> dict[str, Signature]:
    """Each commit's signature, one process for all of them."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    proc = subprocess.run(_git_command(root, "log", "--no-walk=unsorted", "--stdin",
                                       "--format=%x1e%H%x00%G?%x00%GS%x00%GK"),
                          input=("\n".join(wanted) + "\n").encode(), capture_output=True,
                          check=False)
    if proc.returncode != 0:
        raise CocError(f"git log failed checking signatures: {_text(proc.stderr).strip()}")
    out = {}
    for record in _text(proc.stdout).split("\x1e")[1:]:
        fields = record.rstrip("\n").split("\0")
        if len(fields) == 4:
            out[fields[0]] = Signature(fields[1], fields[2], fields[3])
    return out


def merge_sides(root: Path, merges: Iterable[Commit]) -> dict[tuple[str, str], list[Change]]:
    """(merge, other parent) -> the record files that differ between them (old: the parent's
    blob, new: the merge's), for every merge and every parent but the first, in one
    `git diff-tree --stdin`: what the merge did with what each merged branch had."""
    pairs = [(m.sha, p) for m in merges for p in m.parents[1:]]
    if not pairs:
        return {}
    proc = subprocess.run(_git_command(root, "diff-tree", "--stdin", "--always", "-r", "-z",
                                       "--no-renames",
                                       "--", RECORDS_DIR),
                          input="".join(f"{m} {p}\n" for m, p in pairs).encode(),
                          capture_output=True, check=False)
    if proc.returncode != 0:
        raise CocError(f"git diff-tree failed: {_text(proc.stderr).strip()}")
    out: dict[tuple[str, str], list[Change]] = {}
    tokens = iter(proc.stdout.split(b"\0"))
    pending = iter(pairs)
    current: list[Change] = []
    for token in tokens:
        token = token.lstrip(b"\n")
        if not token:
            continue
        if token.startswith(b":"):
            meta = token[1:].decode("ascii").split(" ")
            path = _text(next(tokens, b""))
            current.append(Change(meta[4][:1], path, None if meta[2] == NO_BLOB else meta[2],
                                  None if meta[3] == NO_BLOB else meta[3], meta[1]))
        else:   # the merge's id: the next pair starts
            current = out.setdefault(next(pending), [])
    return out


def tree_records(root: Path, rev: str = "HEAD") -> dict[str, tuple[str, str]]:
    """Record id -> (path, blob id) of every record file in `rev`'s tree, one `git ls-tree`."""
    proc = subprocess.run(_git_command(root, "ls-tree", "-r", "-z", "--full-tree", rev, "--",
                                       RECORDS_DIR), capture_output=True, check=False)
    if proc.returncode != 0:
        raise CocError(f"git ls-tree failed: {_text(proc.stderr).strip()}")
    out = {}
    for line in proc.stdout.split(b"\0"):
        meta, _, path = _text(line).partition("\t")
        parts = meta.split(" ")
        change = Change("A", path, None, parts[-1] if len(parts) == 3 else None)
        if change.record_id and change.new and parts[1] == "blob":
            out[change.record_id] = (path, change.new)
    return out


def resolve_commit(root: Path, rev: str) -> str:
    """The commit id `rev` names; a revision is never passed to git where it could be an option."""
    proc = subprocess.run(_git_command(root, "rev-parse", "--verify", "-q", "--end-of-options",
                                       f"{rev}^{{commit}}"), capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise CocError(f"{rev!r} is not a commit in this repository", field="--since")
    return proc.stdout.strip()


def commits_between(root: Path, since: str, until: str = "HEAD") -> set[str]:
    """Commits reachable from `until` but not from `since` (what `since..until` names)."""
    proc = subprocess.run(_git_command(root, "rev-list", until, f"^{since}", "--"),
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise CocError(f"git rev-list failed: {proc.stderr.strip()}")
    return set(proc.stdout.split())


def is_shallow(root: Path) -> bool:
    proc = subprocess.run(_git_command(root, "rev-parse", "--is-shallow-repository"),
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() == "true"


READ_AHEAD = 1000   # blobs per `git cat-file` while the log is read: a process costs ~3 ms


@dataclass
class History:
    """The commits of a register (parents first), the blobs fetched so far, and the settings
    (coc.yaml, people.yaml) in force at each commit."""

    root: Path
    commits: list[Commit]
    blobs: dict[str, bytes | None] = field(default_factory=dict)
    _records: dict[str, Any] = field(default_factory=dict)
    _parts: dict[str, Any] = field(default_factory=dict)   # top-level entries, parsed once
    _settings: dict[tuple[str | None, str | None], Settings] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path, read_ahead: bool = False) -> History:
        """The history of the repository at `root`. With `read_ahead` (a reader of every
        version, like `coc audit`), each record version the log names is read and parsed while
        git is still walking the rest of the history, on the core git leaves free."""
        if is_shallow(root):
            raise CocError("this clone is shallow, so its history is incomplete: run `git fetch "
                           "--unshallow` (in CI: fetch-depth: 0, or GIT_DEPTH: 0)")
        history = cls(root, [])
        if not read_ahead:
            history.commits = read_log(root)
            return history
        waiting: dict[str, str] = {}

        def parse_ahead(commit: Commit, git_running: bool) -> None:
            for change in commit.changes:
                if change.new and change.record_id and change.new not in history._records:
                    waiting[change.new] = change.path
            if len(waiting) >= READ_AHEAD:
                if git_running:   # once git is done, whoever judges a record reads it, on
                    history._parse_ahead(waiting)   # every core
                waiting.clear()

        history.commits = read_log(root, on_commit=parse_ahead)
        return history

    def _parse_ahead(self, blobs: dict[str, str]) -> None:
        """Read and parse these record blobs (id -> a path that held it). Only what parses is
        kept: a blob that does not is read again by whoever asks, and its error names their
        path."""
        self.fetch(blobs)
        for sha, path in blobs.items():
            data = self.blobs.get(sha)
            if data is None:
                continue
            try:
                parsed = load_fast_parts(data, path, self._parts)
            except CocError:
                continue
            if isinstance(parsed, dict):
                self._records[sha] = parsed

    @cached_property
    def in_force(self) -> dict[str, tuple[str | None, str | None]]:
        """Commit -> (coc.yaml blob, people.yaml blob) at that commit, from the log alone."""
        state: dict[str, tuple[str | None, str | None]] = {}
        for commit in self.commits:
            config, people = state.get(commit.parents[0], (None, None)) if commit.parents \
                else (None, None)
            for change in commit.changes:
                if change.path == CONFIG_FILE:
                    config = change.new
                elif change.path == PEOPLE_FILE:
                    people = change.new
            state[commit.sha] = (config, people)
        return state

    def first_parents(self) -> dict[str, str | None]:
        """Commit -> its first parent, the line along which a commit's own history runs."""
        return {c.sha: c.parents[0] if c.parents else None for c in self.commits}

    def fetch(self, shas: Iterable[str | None]) -> None:
        """Read the blobs not read yet, all in one git process."""
        todo = [s for s in shas if s and s not in self.blobs]
        self.blobs.update(read_blobs(self.root, todo))

    def fetch_settings(self) -> None:
        self.fetch(sha for pair in set(self.in_force.values()) for sha in pair)

    def all_settings(self) -> list[Settings]:
        """Each distinct coc.yaml/people.yaml pair the history has had (fetch_settings first)."""
        return [self._settings_for(key) for key in set(self.in_force.values())]

    def _settings_for(self, key: tuple[str | None, str | None]) -> Settings:
        if key not in self._settings:
            self._settings[key] = self._parse_settings(*key)
        return self._settings[key]

    def settings(self, commit: Commit) -> Settings:
        """The coc.yaml and people.yaml in force at `commit` (fetch_settings first)."""
        return self._settings_for(self.in_force[commit.sha])

    def settings_before(self, commit: Commit) -> Settings:
        """The coc.yaml and people.yaml a commit is judged by: as they stood before it (at its
        first parent), so no commit changes the rules it is judged by. The first commit,
        which founds the register, is judged by its own."""
        parent = commit.parents[0] if commit.parents else None
        return self._settings_for(self.in_force.get(parent or "", self.in_force[commit.sha]))

    def _parse_settings(self, config_sha: str | None, people_sha: str | None) -> Settings:
        try:
            if config_sha is None or people_sha is None:
                missing = CONFIG_FILE if config_sha is None else PEOPLE_FILE
                raise CocError("not in the repository at this commit", path=missing)
            return parse_settings(self._blob(config_sha), self._blob(people_sha))
        except CocError as exc:
            return Settings(None, None, exc)

    def _blob(self, sha: str) -> bytes:
        data = self.blobs.get(sha)
        if data is None:
            raise CocError(f"blob {sha[:10]} is missing from the repository")
        return data

    def record(self, sha: str, path: str) -> Record:
        """The record in blob `sha`; `CocError` naming the file when it cannot be read."""
        if sha not in self._records:
            try:
                data = load_fast_parts(self._blob(sha), path, self._parts)
                self._records[sha] = data if isinstance(data, dict) else \
                    CocError("a record must be a YAML mapping", path=path)
            except CocError as exc:
                self._records[sha] = exc
        found = self._records[sha]
        if isinstance(found, CocError):
            raise found
        return Record(data=found, path=path)


# ---------------------------------------------------------------------------------------------
# One record's history (`coc log ID`): a walk limited to its paths, not the whole log

# A pathspec is read by git, not by coc: no user's or environment's setting may turn it into a
# glob or make it case-blind: every pathspec coc passes is literal.
PATHSPEC_ENV = ("GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS",
                "GIT_ICASE_PATHSPECS")


def _git_env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in PATHSPEC_ENV}
    env["GIT_LITERAL_PATHSPECS"] = "1"
    return env


def read_path_log(root: Path, pathspecs: Iterable[str]) -> list[Commit]:
    """The commits reachable from HEAD whose first-parent diff touches `pathspecs`, parents
    first, in the order `read_log` gives them, each with only those changes.

    `--full-history` walks every parent (no simplification drops a side branch's commits) and
    `--show-pulls` keeps a merge that brought a change in from a later parent, so these are
    exactly the commits of `read_log` that change those paths. With one literal path and a
    commit-graph with Bloom filters, git skips the tree of every commit that does not touch it.
    """
    specs = list(pathspecs)
    commits = _run_log(_git_command(root, "log", *LOG_OPTIONS, "--full-history", "--show-pulls",
                                    "HEAD", "--", *specs), env=_git_env())
    return [c for c in commits if c.changes]


def first_parent_lines(root: Path, among: Iterable[str]) -> dict[str, str | None]:
    """Each commit of `among` -> its nearest first-parent ancestor also in `among` (None: none),
    from the whole graph (`git rev-list --parents`: no trees, no diffs)."""
    proc = subprocess.run(_git_command(root, "rev-list", "--topo-order", "--reverse",
                                       "--parents", "HEAD", "--"), capture_output=True,
                          check=False)
    if proc.returncode != 0:
        raise CocError(f"git rev-list failed: {_text(proc.stderr).strip()}")
    wanted = set(among)
    near: dict[str, str | None] = {}   # commit -> itself if wanted, else its parent's nearest
    out: dict[str, str | None] = {}
    for line in proc.stdout.split(b"\n"):
        ids = line.decode("ascii").split()
        if not ids:
            continue
        parent = near.get(ids[1]) if len(ids) > 1 else None
        if ids[0] in wanted:
            out[ids[0]] = parent
            near[ids[0]] = ids[0]
        else:
            near[ids[0]] = parent
    return out


def blob_ids(root: Path, names: Iterable[str]) -> dict[str, str | None]:
    """`rev:path` -> the blob id it names (None: no such file, or not a file), in one
    `git cat-file --batch-check`."""
    wanted = list(dict.fromkeys(n for n in names if n and "\n" not in n))
    if not wanted:
        return {}
    proc = subprocess.run(_git_command(root, "cat-file", "--batch-check"), capture_output=True,
                          check=False, input=("\n".join(wanted) + "\n").encode())
    if proc.returncode != 0:
        raise CocError(f"git cat-file failed: {_text(proc.stderr).strip() or proc.returncode}")
    lines = _text(proc.stdout).splitlines()
    out: dict[str, str | None] = {}
    for name, line in zip(wanted, lines):
        parts = line.split(" ")
        out[name] = parts[0] if len(parts) == 3 and parts[1] == "blob" else None
    return out


def tree_folders(root: Path, folder: str, rev: str = "HEAD") -> list[str]:
    """The names of the folders directly in `folder` at `rev` (e.g. the departments)."""
    proc = subprocess.run(_git_command(root, "ls-tree", "-z", rev, "--", folder.rstrip("/") + "/"),
                          capture_output=True, check=False, env=_git_env())
    if proc.returncode != 0:
        return []
    out = []
    for line in proc.stdout.split(b"\0"):
        meta, _, path = _text(line).partition("\t")
        if meta.split(" ")[1:2] == ["tree"]:
            out.append(path.rsplit("/", 1)[-1])
    return out


def paths_named(root: Path, name: str, commits: Iterable[Commit]) -> set[str]:
    """Every path under registers/ whose file name is `name` in these commits' first-parent
    diffs (one `git diff-tree --stdin`): where a record went to, or came from, when a commit
    that added or deleted it at one path moved it (or copied it) from or to another."""
    wanted = list({c.sha: c for c in commits}.values())
    if not wanted:
        return set()
    lines = "".join(f"{c.sha} {c.parents[0]}\n" if c.parents else f"{c.sha}\n" for c in wanted)
    proc = subprocess.run(_git_command(root, "diff-tree", "--stdin", "--root", "-r", "-z",
                                       "--no-renames", "--", RECORDS_DIR),
                          input=lines.encode(), capture_output=True, check=False,
                          env=_git_env())
    if proc.returncode != 0:
        raise CocError(f"git diff-tree failed: {_text(proc.stderr).strip()}")
    out = set()
    tokens = iter(proc.stdout.split(b"\0"))
    for token in tokens:
        if token.lstrip(b"\n").startswith(b":"):
            path = _text(next(tokens, b""))
            if path.rsplit("/", 1)[-1] == name:
                out.add(path)
    return out


def tree_paths_named(root: Path, name: str, rev: str = "HEAD") -> list[str]:
    """Every path under registers/ in `rev`'s tree whose file name is `name` (a record's file,
    wherever it is now: more than one when the same id is at two paths)."""
    proc = subprocess.run(_git_command(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree",
                                       rev, "--", RECORDS_DIR), capture_output=True, check=False,
                          env=_git_env())
    if proc.returncode != 0:
        return []
    out, data, needle = [], proc.stdout, b"/" + name.encode() + b"\0"
    at = data.find(needle)   # not line by line: 100,000 records are 100,000 lines
    while at >= 0:
        end = at + len(needle)
        out.append(_text(data[data.rfind(b"\0", 0, at) + 1:end - 1]))
        at = data.find(needle, end)
    return out


@dataclass
class PathHistory(History):
    """Some of a register's commits (those that changed some paths: one record's life), with
    the coc.yaml and people.yaml in force at each and at its first parent looked up by name
    (`C^:people.yaml`, one `git cat-file --batch-check`) rather than replayed from every
    commit of the whole log."""

    @cached_property
    def in_force(self) -> dict[str, tuple[str | None, str | None]]:
        shas = dict.fromkeys(s for c in self.commits for s in (c.sha, *c.parents[:1]))
        ids = blob_ids(self.root, (f"{s}:{f}" for s in shas for f in (CONFIG_FILE, PEOPLE_FILE)))
        return {s: (ids.get(f"{s}:{CONFIG_FILE}"), ids.get(f"{s}:{PEOPLE_FILE}")) for s in shas}

    lines: bool = False   # context records in the walk: they carry along first-parent lines

    def first_parents(self) -> dict[str, str | None]:
        """Each commit -> its nearest first-parent ancestor in this history: the commits
        between changed none of its paths. Only worked out (from the whole graph) when
        `lines` says the context records need it; else each commit's own first parent."""
        if not self.lines:
            return super().first_parents()
        return first_parent_lines(self.root, (c.sha for c in self.commits))

    @classmethod
    def of_paths(cls, root: Path, pathspecs: Iterable[str]) -> PathHistory:
        if is_shallow(root):
            raise CocError("this clone is shallow, so its history is incomplete: run `git fetch "
                           "--unshallow` (in CI: fetch-depth: 0, or GIT_DEPTH: 0)")
        return cls(root, read_path_log(root, pathspecs))

    def settings_at(self, rev: str) -> Settings:
        """The coc.yaml and people.yaml at `rev` (e.g. HEAD), read by name."""
        names = (f"{rev}:{CONFIG_FILE}", f"{rev}:{PEOPLE_FILE}")
        self.fetch(names)   # kept by name: one git process, not two
        return self._settings_for((names[0] if self.blobs.get(names[0]) is not None else None,
                                   names[1] if self.blobs.get(names[1]) is not None else None))
