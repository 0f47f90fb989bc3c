"""Changing a register safely: one coc at a time, a journal of what it is about to change, and
undo that needs no free space, so a failed, killed or concurrent write never leaves it half-done.

- A lock (`flock` on `.git/coc/write.lock`) serialises coc's writes in one clone; the next one
  waits for it (bounded, `COC_LOCK_TIMEOUT` seconds) and then says who holds it. The kernel
  drops the lock when its holder dies, so a kill -9 never leaves it stale.
- Before anything changes, the journal `.git/coc/pending/` records the branch, the commit and
  hard links to the index and to each file about to be rewritten. Undoing is renames, so it
  works on a full disk; a command killed midway leaves the journal, which the next coc command
  finds and explains, and `coc recover` (`recover()`) replays.
- A git lock (`.git/index.lock`) is waited for while a git process in this register may hold
  it, and named with the one command that removes it when nobody does.
"""
from __future__ import annotations

import errno
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import CocError, RefusedError
from .git import current_branch, git, git_dir, git_processes, main_branch, previous_branch

PENDING = "pending"
JOURNAL = "journal.json"
DEFAULT_TIMEOUT = 30.0


def timeout() -> float:
    """How long to wait for another coc or git command in this clone (`COC_LOCK_TIMEOUT`)."""
    try:
        return max(0.0, float(os.environ.get("COC_LOCK_TIMEOUT", DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


def os_error(exc: OSError, what: str) -> CocError:
    """An OSError while writing as a one-line CocError (disk full, read-only, permission)."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason += " (the register is read-only here)"
    return CocError(f"cannot write {what}: {reason}")


def _command() -> str:
    args = [Path(sys.argv[0]).name if sys.argv else "coc", *sys.argv[1:3]]
    return " ".join("coc" if a in ("coc", "main.py", "__main__.py") else a for a in args)


def _blob_of(root: Path, rev: str, rel: str) -> bytes | None:
    from .git import read_blobs

    return read_blobs(root, [f"{rev}:{rel}"])[0]


def _head(root: Path) -> str | None:
    return git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip() or None


# the lock -----------------------------------------------------------------------------------------

class Lock:
    """An exclusive `flock` on `.git/coc/write.lock`, waited for up to `timeout()` seconds."""

    def __init__(self, gdir: Path) -> None:
        self.path = gdir / "coc" / "write.lock"
        self.handle: Any = None

    def holder(self) -> str:
        try:
            text = self.path.read_text("utf-8", errors="replace").strip()
        except OSError:
            return "another coc command"
        return text.splitlines()[0] if text else "another coc command"

    def held_elsewhere(self) -> bool:
        """Whether a live coc holds the lock now (a dead one's lock is gone with it)."""
        try:
            import fcntl
        except ImportError:   # pragma: no cover - not POSIX
            return False
        try:
            with open(self.path, "a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
        except OSError:
            return False
        return False

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:   # pragma: no cover - not POSIX: git's own index.lock still guards
            return
        try:
            self.path.parent.mkdir(exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            raise os_error(exc, f"{self.path} (nothing was changed)") from None
        deadline = time.monotonic() + timeout()
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise CocError(f"{self.holder()} is running in this register (it holds "
                                   f"{self.path}); waited {timeout():g} s: run this again when "
                                   "it has finished") from None
                time.sleep(0.05)
        self.handle = handle
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"`{_command()}` (pid {os.getpid()})\n")
            handle.flush()
        except OSError:
            pass   # who holds it is only for messages

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()   # closing drops the flock
            self.handle = None


# git's own locks ---------------------------------------------------------------------------------

def git_locks(gdir: Path) -> list[Path]:
    """git lock files in this repository that block a commit: the index's and HEAD's."""
    names = ["index.lock", "HEAD.lock"]
    found = [gdir / n for n in names if (gdir / n).exists()]
    return found + sorted(gdir.glob("next-index-*.lock"))


def wait_for_git(root: Path, gdir: Path) -> None:
    """Wait (bounded) while a live git process holds a lock here; refuse, naming a stale one."""
    deadline = time.monotonic() + timeout()
    while True:
        locks = git_locks(gdir)
        if not locks:
            return
        running = git_processes(root)
        locks = [lock for lock in locks if lock.exists()]   # a git that just finished
        if locks and not running:
            raise CocError(stale_lock_message(locks))
        if not locks:
            return
        if time.monotonic() >= deadline:
            raise CocError(f"{locks[0]} is held by a git command still running in this register "
                           f"({running[0]}); waited {timeout():g} s: run this again when it has "
                           "finished")
        time.sleep(0.05)


def stale_lock_message(locks: list[Path]) -> str:
    return (f"{locks[0]} is left over from an interrupted git or coc command (no git process is "
            f"running in this register); remove it with `rm {locks[0]}`, or run `coc recover`")


# the journal ------------------------------------------------------------------------------------

@dataclass
class Journal:
    """What a change is about to do, kept under `.git/coc/pending/` until it is done or undone."""

    root: Path
    gdir: Path
    command: str = ""
    pid: int = 0
    started: str = ""
    branch_before: str | None = None     # None: detached HEAD
    branch: str | None = None            # the branch being committed on
    made_branch: bool = False
    tip: str | None = None               # that branch's commit before the change
    subject: str = ""                    # the commit's first line, to know it landed
    files: dict[str, str | None] = field(default_factory=dict)   # rel -> saved link, or None
    index: str | None = None             # the saved link to .git/index

    @property
    def folder(self) -> Path:
        return self.gdir / "coc" / PENDING

    @classmethod
    def read(cls, root: Path, gdir: Path) -> Journal | None:
        path = gdir / "coc" / PENDING / JOURNAL
        try:
            raw = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            raw = {}
        known = {k: raw[k] for k in ("command", "pid", "started", "branch_before", "branch",
                                     "made_branch", "tip", "subject", "files", "index")
                 if isinstance(raw, dict) and k in raw}
        return cls(root, gdir, **known)

    def save(self) -> None:
        from .yamlio import write_atomic

        data = {k: getattr(self, k) for k in ("command", "pid", "started", "branch_before",
                                              "branch", "made_branch", "tip", "subject", "files",
                                              "index")}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / JOURNAL, json.dumps(data, indent=1))
        except OSError as exc:
            raise os_error(exc, f"{self.folder / JOURNAL} (nothing was changed)") from None

    def keep(self, name: str, source: Path) -> str | None:
        """A hard link to `source` in the journal (no data copied), or a copy where links are
        not possible; None when `source` does not exist."""
        if not source.exists():
            return None
        target = self.folder / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            os.link(source, target)
        except OSError:
            import shutil

            try:
                shutil.copy2(source, target)
            except OSError as exc:
                raise os_error(exc, f"{target} (nothing was changed)") from None
        return name

    def remember(self, paths: list[Path], subject: str) -> None:
        """Save the index and each file before they are changed (call before writing them)."""
        self.subject = subject
        self.tip = _head(self.root)
        self.index = self.keep("index", self.gdir / "index")
        for n, path in enumerate(paths):
            rel = path.relative_to(self.root).as_posix()
            if rel not in self.files:
                self.files[rel] = self.keep(f"file-{n}", path)
        self.save()

    def clear(self) -> None:
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)

    # what happened -------------------------------------------------------------------------------
    def needs_undo(self) -> bool:
        """Whether it had changed anything that is still not as it was (and did not land)."""
        if self.landed() or self.outdated():
            return False
        moved = bool(self.branch_before) and current_branch(self.root) != self.branch_before
        return bool(self.files or self.made_branch or moved)

    def outdated(self) -> bool:
        """Commits were made since (by hand, after it was interrupted): undoing its index and
        files now would undo them, so the journal is only dropped."""
        return bool(self.tip) and _head(self.root) != self.tip and not self.landed()

    def landed(self) -> str | None:
        """The commit, if the change's commit was made (then there is nothing to undo)."""
        if not self.subject:
            return None
        head = _head(self.root)
        if not head or head == self.tip:
            return None
        out = git(self.root, "log", "-1", "--format=%P%x00%s", head, check=False).strip()
        parents, _, subject = out.partition("\0")
        if subject == self.subject and parents.split()[:1] == ([self.tip] if self.tip else []):
            return head
        return None

    def states(self) -> list[str]:
        """What an interrupted change left behind, one phrase each."""
        out = []
        locks = git_locks(self.gdir)
        if locks:
            running = git_processes(self.root)
            out.append(f"{locks[0]} is " + (f"held by a git command still running ({running[0]})"
                                             if running else "left over (no git process is "
                                             "running in this register)"))
        staged = set(git(self.root, "diff", "--cached", "--name-only", "-z", check=False)
                     .split("\0"))
        for rel, saved in self.files.items():
            path = self.root / rel
            if rel in staged:
                out.append(f"{rel} is staged but not committed")
            elif saved is None and path.exists():
                out.append(f"{rel} was written but not committed")
            elif saved is not None and (self.folder / saved).exists() and path.exists() and \
                    path.read_bytes() != (self.folder / saved).read_bytes():
                out.append(f"{rel} was changed but not committed")
        here = current_branch(self.root)
        if self.branch_before and here != self.branch_before:
            out.append(f"you are on branch {here} (it started on {self.branch_before})")
        return out

    def explain(self) -> str:
        when = f", {self.started}" if self.started else ""
        return (f"an earlier `{self.command or 'coc'}` (pid {self.pid}{when}) was interrupted "
                f"before it finished: {'; '.join(self.states())}. Run `coc recover` to put the "
                "register back as it was before it")

    # undo -----------------------------------------------------------------------------------------
    def undo(self) -> list[str]:
        """Put the index, the files and the branch back as they were; each problem, with what to
        run, for what could not be. Renames only, until the branch switch."""
        problems: list[str] = []
        locks = git_locks(self.gdir)
        busy = bool(locks) and bool(git_processes(self.root))
        if busy:   # another git's lock: not ours to remove, nor its index to overwrite
            problems.append(f"{locks[0]} is held by a git command still running in this "
                            f"register ({git_processes(self.root)[0]}): wait for it to finish")
        for lock in [] if busy else locks:
            try:
                lock.unlink(missing_ok=True)
            except OSError as exc:
                problems.append(f"cannot remove {lock} ({exc.strerror}): `rm {lock}`")
        for rel, saved in self.files.items():
            path = self.root / rel
            try:
                if saved is None:
                    if path.exists() or path.is_symlink():   # never written: nothing to remove
                        path.unlink()
                elif (self.folder / saved).exists():   # gone: put back by an earlier attempt
                    _put_back(self.folder / saved, path)
            except OSError as exc:
                problems.append(f"cannot put back {rel} ({exc.strerror}): "
                                f"`git checkout HEAD -- {rel}`")
        index = self.gdir / "index"
        try:
            if busy:
                pass
            elif self.index and (self.folder / self.index).exists():
                os.replace(self.folder / self.index, index)
            elif self.files and not self.index:
                index.unlink(missing_ok=True)
        except OSError as exc:
            problems.append(f"cannot put back the index ({exc.strerror}): "
                            f"`git reset -q -- {' '.join(self.files)}`")
        here = current_branch(self.root)
        before = self.branch_before
        if before and here != before:
            same = self.made_branch and _head(self.root) == git(
                self.root, "rev-parse", "--verify", "-q", f"refs/heads/{before}",
                check=False).strip()
            if same:   # a new branch at the same commit: only HEAD needs to point back
                switched = git(self.root, "symbolic-ref", "HEAD", f"refs/heads/{before}",
                               check=False) == "" and current_branch(self.root) == before
            else:
                git(self.root, "switch", "-q", before, check=False)
                switched = current_branch(self.root) == before
            if not switched:
                problems.append(f"still on branch {here}: `git switch {before}`")
        if self.made_branch and self.branch and self.branch != before and \
                current_branch(self.root) == before:   # a branch with nothing on it is litter
            git(self.root, "branch", "-q", "-D", self.branch, check=False)
            for made in (self.gdir / "refs" / "heads" / self.branch,
                         self.gdir / "logs" / "refs" / "heads" / self.branch):
                try:   # git could not delete it (a full disk): a new branch is a loose ref
                    made.unlink(missing_ok=True)
                    made.parent.rmdir()
                except OSError:
                    pass
        if not problems:
            self.clear()
        return problems


def _put_back(saved: Path, path: Path) -> None:
    """`path` as `saved` holds it: a rename (no space needed), unless it is still the same, or
    is on another filesystem (a bind-mounted folder), where it is copied back."""
    from .yamlio import write_atomic

    data = saved.read_bytes()
    if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
        saved.unlink()
        return
    try:
        os.replace(saved, path)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        write_atomic(path, data.decode("utf-8"))
        saved.unlink()


# one change ---------------------------------------------------------------------------------------

class Change:
    """One locked, journalled change to a register: `with Change(root, record_id, branch)`."""

    def __init__(self, root: Path, record_id: str | None = None, branch: str | None = None,
                 new_from: str | None = None) -> None:
        self.root, self.record_id, self.wanted, self.new_from = root, record_id, branch, new_from
        self.switched = False
        self.gdir = git_dir(root)
        self.lock = Lock(self.gdir)
        self.journal = Journal(root, self.gdir)
        self.branch: str | None = None     # the pull-request branch committed on, if any
        self.done: str | None = None

    def __enter__(self) -> Change:
        self.lock.acquire()
        try:
            self._begin()
        except BaseException:
            if self.journal.pid:   # ours: at most a branch was made or switched to
                self.journal.undo()
                self.journal.clear()
            self.lock.release()
            raise
        return self

    def _begin(self) -> None:
        from .git import switch_to_branch

        pending = Journal.read(self.root, self.gdir)
        if pending is not None:
            if not pending.needs_undo():
                pending.clear()   # it finished, or had changed nothing yet
            elif pending.states() or pending.undo():   # nothing visible: undo it quietly
                raise RefusedError(pending.explain())
        wait_for_git(self.root, self.gdir)
        here = current_branch(self.root)
        own = f"declare/{self.record_id}" if self.record_id else None
        if here.startswith("declare/") and here != own and not self.wanted:
            back = main_branch(self.root) or previous_branch(self.root) or "main"
            what = f"{self.record_id}" if self.record_id else "this change"
            raise RefusedError(f"you are on branch {here}, the pull-request branch of "
                               f"{here.removeprefix('declare/')}: {what} does not belong there. "
                               f"Run `git switch {back}` first")
        journal = self.journal
        journal.command, journal.pid = _command(), os.getpid()
        journal.started = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        journal.branch_before = here if here not in ("HEAD", "") else None
        journal.branch = here if journal.branch_before else None
        if self.wanted and here != self.wanted:
            from .git import branch_exists

            journal.made_branch = not branch_exists(self.root, self.wanted)
            journal.branch = self.wanted
            journal.tip = _head(self.root)
            journal.save()
            switch_to_branch(self.root, self.wanted, new_from=self.new_from)
            self.switched = True
            journal.tip = _head(self.root)
            journal.save()
        if (self.wanted or here == own) and journal.branch:
            self.branch = journal.branch

    def commit(self, files: list[tuple[Path, str]], message: str, author_name: str,
               author_email: str, *, expect: dict[Path, bytes | None] | None = None,
               new: bool = False) -> str:
        """Write `files` (path, text) and commit exactly them; refuse if a record changed in
        HEAD since it was read (`expect`: its bytes then) or, with `new`, already exists."""
        from .git import commit
        from .yamlio import write_atomic, write_new

        paths = [p for p, _ in files]
        for path in paths:
            rel = path.relative_to(self.root).as_posix()
            if new and path.exists():
                raise CocError("a record already exists here", path=rel)
            if expect and path in expect and _blob_of(self.root, "HEAD", rel) != expect[path]:
                raise RefusedError("changed in HEAD since coc read it (another command committed "
                                   "to it): nothing was written; run this again", path=rel)
        subject = message.splitlines()[0]
        try:
            self.journal.remember(paths, subject)
        except BaseException:   # nothing written yet: only a branch switch to undo
            self.journal.files, self.journal.index = {}, None
            raise
        tip = self.journal.tip
        if new:   # all new (`coc import`): written in bulk, one sync for all
            try:
                write_new(files)
            except OSError as exc:
                where = Path(exc.filename).relative_to(self.root).as_posix() \
                    if exc.filename and Path(exc.filename).is_relative_to(self.root) else None
                raise os_error(exc, where or "registers") from None
        for path, text in files if not new else ():
            try:
                write_atomic(path, text)
            except OSError as exc:
                raise os_error(exc, path.relative_to(self.root).as_posix()) from None
        self.done = commit(self.root, paths, message, author_name, author_email)
        parent = git(self.root, "rev-parse", "-q", "--verify", f"{self.done}^",
                     check=False).strip() or None
        if parent != tip:
            raise CocError(f"another commit ({(parent or '')[:10]}) landed while coc committed "
                           f"{self.done[:10]}: check `git show {self.done[:10]}` and, if it "
                           f"undid that commit's change, `git revert {self.done[:10]}`")
        return self.done

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        try:
            if exc is None or self.done or self.journal.landed():
                self.journal.clear()
                return
            if not (self.journal.files or self.journal.made_branch or self.journal.tip):
                self.journal.clear()
                return
            started = bool(self.journal.files)
            problems = self.journal.undo()
            if problems and isinstance(exc, Exception):
                raise CocError(f"{exc}; and coc could not put everything back: "
                               f"{'; '.join(problems)} (then run `coc recover`)") from exc
            if started and isinstance(exc, (CocError, OSError)):
                raise CocError(f"{exc}; nothing was changed") from exc
        finally:
            self.lock.release()


def recover(root: Path) -> list[str]:
    """Finish or undo what an interrupted coc command left; what was done, one line each."""
    gdir = git_dir(root)
    lock = Lock(gdir)
    lock.acquire()
    try:
        pending = Journal.read(root, gdir)
        done: list[str] = []
        if pending is not None:
            landed = pending.landed()
            if landed:
                pending.clear()
                done.append(f"`{pending.command}` had finished (commit {landed[:10]}): "
                            "nothing to undo")
            elif pending.outdated():
                pending.clear()
                done.append(f"`{pending.command}` was interrupted, but commits have been made "
                            "since: nothing undone (check `git status`)")
            else:
                states = pending.states()
                problems = pending.undo()
                if problems:
                    raise CocError("could not put everything back: " + "; ".join(problems))
                done.append(f"undid the interrupted `{pending.command}` (pid {pending.pid}): "
                            + ("; ".join(states) or "it had changed nothing yet"))
        locks = git_locks(gdir)
        if locks:
            if git_processes(root):
                raise CocError(f"{locks[0]} is held by a git command still running in this "
                               f"register ({git_processes(root)[0]}): wait for it to finish")
            for found in locks:
                found.unlink(missing_ok=True)
                done.append(f"removed {found}, left over from an interrupted git command")
        return done
    finally:
        lock.release()


def interrupted(root: Path) -> str | None:
    """For reading commands: what an interrupted change left here, or None (a cheap check)."""
    gdir = root / ".git"
    if not gdir.is_dir():
        return None
    journal_file = gdir / "coc" / PENDING / JOURNAL
    if journal_file.exists():
        if Lock(gdir).held_elsewhere():
            return None   # in progress, not interrupted
        pending = Journal.read(root, gdir)
        if pending is not None and pending.needs_undo() and pending.states():
            return pending.explain()
    locks = git_locks(gdir)
    if locks and not git_processes(root):
        return stale_lock_message(locks)
    return None
