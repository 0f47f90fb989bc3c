"""Git through the plain `git` binary: commits as a person, staged files, branches.

Plain subprocess calls, not GitPython objects, on every hot path: one streamed command beats
walking objects one at a time (SPEC §7).
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Sequence

from .errors import CocError


def git(root: Path, *args: str, env: dict[str, str] | None = None, check: bool = True,
        input: str | None = None) -> str:
    """Run git in `root`; a failure becomes a `CocError` carrying git's own first line."""
    full_env = {**os.environ, **(env or {})}
    try:
        proc = subprocess.run(["git", *args], cwd=root, env=full_env, input=input,
                              capture_output=True, text=True, encoding="utf-8",
                              errors="replace")
    except FileNotFoundError:
        raise CocError("git is not installed (coc needs git on the PATH)") from None
    if check and proc.returncode != 0:
        text = proc.stderr or proc.stdout
        lock = _LOCK_FAILURE.search(text)
        if lock:
            raise CocError(lock_message(root, Path(lock.group(1))))
        message = text.strip().splitlines()
        raise CocError(f"git {args[0]} failed: {message[-1] if message else proc.returncode}")
    return proc.stdout


# "fatal: Unable to create '/r/.git/index.lock': File exists." and then git's advice, which does
# not say which file: name it, and whether a git process still holds it (issue 9, item 14).
_LOCK_FAILURE = re.compile(r"Unable to create '([^'\n]+\.lock)': File exists")


def lock_message(root: Path, lock: Path) -> str:
    running = git_processes(root)
    if running:
        return (f"{lock} is held by another git command running in this register "
                f"({running[0]}): wait for it to finish, then run this again")
    return (f"{lock} is left over from an interrupted git or coc command (no git process is "
            f"running in this register): remove it with `rm {lock}`, or run `coc recover`")


def git_dir(root: Path) -> Path:
    """The repository's git folder: `.git`, or where a worktree's `.git` file points."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    out = git(root, "rev-parse", "--absolute-git-dir", check=False).strip()
    return Path(out) if out else dot_git


def git_processes(root: Path) -> list[str]:
    """`pid N: git ...` for each git process working in this register (Linux: /proc); a git
    lock with none of these is stale."""
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    root_text = str(root.resolve())
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if (entry / "comm").read_text().strip() not in ("git", "git-remote-http"):
                continue
            cwd = os.readlink(entry / "cwd")
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cwd == root_text or cwd.startswith(root_text + os.sep):
            words = " ".join(a.decode(errors="replace") for a in argv[:3] if a)
            found.append(f"pid {entry.name}: {words}")
    return found


def previous_branch(root: Path) -> str | None:
    """The branch checked out before this one (`git switch -` would go there), if any."""
    name = git(root, "rev-parse", "--abbrev-ref", "@{-1}", check=False).strip()
    return name if name and name != "HEAD" and not name.startswith("declare/") else None


def top_level(start: Path) -> Path | None:
    try:
        out = git(start, "rev-parse", "--show-toplevel", check=True)
    except CocError:
        return None
    return Path(out.strip())


def user_email(root: Path) -> str:
    """The acting person's email: GIT_AUTHOR_EMAIL if set, else `git config user.email`."""
    email = os.environ.get("GIT_AUTHOR_EMAIL") or git(root, "config", "user.email", check=False).strip()
    if not email:
        raise CocError("git does not know who you are: run `git config user.email you@example.gov.uk`")
    return email


def commit(root: Path, paths: Sequence[Path], message: str, author_name: str,
           author_email: str) -> str:
    """Stage and commit exactly `paths`, authored by the acting person; return the commit id."""
    rel = [str(p.relative_to(root)) for p in paths]
    # The acting person both authors and commits: they ran the command (SPEC §5).
    env = {"GIT_AUTHOR_NAME": author_name, "GIT_AUTHOR_EMAIL": author_email,
           "GIT_COMMITTER_NAME": author_name, "GIT_COMMITTER_EMAIL": author_email}
    few = len(rel) < BULK_FROM
    if few or set(git(root, "diff", "--cached", "--name-only", "-z").split("\0")) - {"", *rel}:
        # a record or two; or something else is staged, which `--only` leaves out
        git(root, "add", "--", *rel)
        # the message on stdin: one argument may not exceed 128 KiB (an import's list)
        git(root, "commit", "-q", "-F", "-", "--only", "--", *rel, env=env, input=message)
    else:
        # Many files (`coc import`) and nothing else staged, so the index is the commit: the
        # paths go in on stdin, not as pathspecs (git matches every pathspec against every
        # index entry: 10,000 imported records in a register of 100,000 is 10^9 comparisons,
        # in `add` and in `commit --only`), and into one pack (bulk check-in, which a
        # threshold of one byte turns on) instead of a loose object each, a file creation
        # that costs ~0.5 ms here. The hook runs on that index as on any commit.
        git(root, "-c", "core.bigFileThreshold=1", "update-index", "--add", "--remove", "-z",
            "--stdin", input="".join(r + "\0" for r in rel))
        git(root, "commit", "-q", "-F", "-", env=env, input=message)
    return git(root, "rev-parse", "HEAD").strip()


BULK_FROM = 100   # files in one commit from which they are packed at once (`coc import`)


def unstage(root: Path, paths: Sequence[Path]) -> None:
    rel = [str(p.relative_to(root)) for p in paths]
    has_head = git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip()
    if has_head:
        git(root, "reset", "-q", "--", *rel, check=False)
    else:
        git(root, "rm", "-q", "--cached", "--", *rel, check=False)


def current_branch(root: Path) -> str:
    return git(root, "rev-parse", "--abbrev-ref", "HEAD", check=False).strip()


def branch_exists(root: Path, branch: str) -> bool:
    return bool(git(root, "rev-parse", "--verify", "-q", f"refs/heads/{branch}",
                    check=False).strip())


def main_branch(root: Path) -> str | None:
    """The branch pull requests go into: the remote's default (origin/HEAD), else a local
    `main` or `master`; None in a repository that has neither."""
    remote_head = git(root, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD",
                      check=False).strip()
    candidates = [remote_head.split("/", 1)[1]] if "/" in remote_head else []
    for name in (*candidates, "main", "master"):
        if branch_exists(root, name):
            return name
    return None


def remote_branches(root: Path, branch: str) -> list[str]:
    """`origin/declare/<id>` and the like: the same branch fetched from each remote."""
    return git(root, "for-each-ref", "--format=%(refname:short)", f"refs/remotes/*/{branch}",
               check=False).split()


def _is_ancestor(root: Path, older: str, newer: str) -> bool:
    return subprocess.run(["git", "merge-base", "--is-ancestor", older, newer], cwd=root,
                          capture_output=True).returncode == 0


def newest_first(root: Path, refs: list[str]) -> list[str]:
    """`refs` with any that is behind another moved after it (a local branch behind the copy
    just fetched is read last)."""
    return sorted(refs, key=lambda ref: sum(_is_ancestor(root, ref, other)
                                            for other in refs if other != ref))


def diverged(root: Path, branch: str) -> str | None:
    """What to say when local `branch` and a fetched copy of it both have commits of their
    own (the declarant amended while the approver decided): what to run; None otherwise."""
    if not branch_exists(root, branch):
        return None
    for remote in remote_branches(root, branch):
        if not _is_ancestor(root, remote, branch) and not _is_ancestor(root, branch, remote):
            return (f"branch {branch} and {remote} have both moved on: run "
                    f"`git pull --no-rebase {remote.split('/', 1)[0]} {branch}`")
    return None


def catch_up(root: Path, branch: str) -> None:
    """Bring the checked-out `branch` up to its fetched remote copy: fast-forward when it is
    only behind; refuse, saying what to run, when both sides have commits of their own."""
    problem = diverged(root, branch)
    if problem:
        raise CocError(f"{problem} and try again")
    for remote in remote_branches(root, branch):
        if _is_ancestor(root, branch, remote) and not _is_ancestor(root, remote, branch):
            git(root, "merge", "-q", "--ff-only", remote)


def switch_to_branch(root: Path, branch: str, new_from: str | None = None) -> None:
    """Switch to `branch` (declare/<id> for a pull request): the local branch if it exists
    (brought up to date with the copy fetched from a remote), else the one fetched from a
    remote (an approver reviewing the pull request), else a new one from `new_from` (a new
    declaration starts from the main branch, never from another declaration's branch) or HEAD."""
    if branch_exists(root, branch):
        git(root, "switch", "-q", branch)
        catch_up(root, branch)
        return
    remote = remote_branches(root, branch)
    if len(remote) == 1:
        git(root, "switch", "-q", "-c", branch, "--track", remote[0])
    else:
        git(root, "switch", "-q", "-c", branch, *([new_from] if new_from else []))


def staged_changes(root: Path) -> list[tuple[str, str, str | None]]:
    """(status letter, path, old path for renames) of what is staged, in one git call."""
    out = git(root, "diff", "--cached", "--name-status", "-z", "--no-renames")
    parts = out.split("\0")
    changes: list[tuple[str, str, str | None]] = []
    i = 0
    while i < len(parts) - 1:
        status = parts[i]
        if status.startswith(("R", "C")):
            changes.append((status[0], parts[i + 2], parts[i + 1]))
            i += 3
        else:
            changes.append((status[0], parts[i + 1], None))
            i += 2
    return changes


NO_BLOB = "0" * 40


def staged_blobs(root: Path) -> list[tuple[str, str, str | None, str | None]]:
    """(status letter, path, blob id at HEAD, blob id staged) of each staged change, None where
    a side has none, in one git call: the blobs are then read by id, never looked up by path
    (each `HEAD:path` walks its folder's tree again, 10,000 times for an import)."""
    out = git(root, "diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev")
    parts = out.split("\0")
    changes: list[tuple[str, str, str | None, str | None]] = []
    for meta, rel in zip(parts[0::2], parts[1::2]):
        _, _, old, new, status = meta.split(" ", 4)
        changes.append((status[:1], rel, None if old.strip("0") == "" else old,
                        None if new.strip("0") == "" else new))
    return changes


def show_blob(root: Path, rev: str, path: str) -> bytes | None:
    """A file's bytes at a revision (":" for the index), None when absent there."""
    proc = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=root, capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def index_entries(root: Path, prefix: str) -> dict[str, tuple[str, str]] | None:
    """path -> (mode, blob id) of tracked files under `prefix` whose working copy is unchanged
    since it was staged, plus modified and untracked files as ("", ""). None outside git.

    Three cheap git calls, run at once, replace reading every file: git's own stat cache says
    which working copies changed, so unchanged files can be known by their blob id (SPEC §7).
    """
    if not (root / ".git").exists():
        return None
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}   # reading only: never rewrite the index
    calls = (["ls-files", "-s", "-z"], ["diff-files", "--name-only", "-z"], ["ls-files", "-o", "-z"])
    try:
        procs = [subprocess.Popen(["git", *args, "--", prefix], cwd=root, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                 for args in calls]
    except FileNotFoundError:
        raise CocError("git is not installed (coc needs git on the PATH)") from None
    outputs = []
    for proc in procs:
        out, _ = proc.communicate()
        outputs.append(out.decode("utf-8", "surrogateescape") if proc.returncode == 0 else "")
    staged, changed_text, untracked = outputs
    changed = set(changed_text.split("\0"))
    entries: dict[str, tuple[str, str]] = {}
    for line in staged.split("\0"):
        if not line:
            continue
        meta, path = line.split("\t", 1)
        mode, blob, stage = meta.split()
        entries[path] = ("", "") if path in changed or stage != "0" else (mode, blob)
    for path in untracked.split("\0"):
        if path:
            entries[path] = ("", "")
    return entries


def blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob, so a file's cache key survives `git add`."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def read_blobs(root: Path, specs: Sequence[str]) -> list[bytes | None]:
    """Many objects in one `git cat-file --batch` call: `HEAD:path`, `:path` (the index) or blob
    ids; None for each one that does not exist. One process instead of one per file (SPEC §7)."""
    if not specs:
        return []
    if any("\n" in spec for spec in specs):
        raise CocError("a path with a line break cannot be read from git")
    proc = subprocess.run(["git", "cat-file", "--batch"], cwd=root, capture_output=True,
                          input="".join(spec + "\n" for spec in specs).encode("utf-8"))
    if proc.returncode != 0:
        raise CocError(f"git cat-file failed: {proc.stderr.decode(errors='replace').strip()}")
    out: list[bytes | None] = []
    data, pos = proc.stdout, 0
    for _ in specs:
        end = data.index(b"\n", pos)
        header = data[pos:end]
        pos = end + 1
        if not header.endswith((b" missing", b" ambiguous")):
            size = int(header.split()[2])
            out.append(data[pos:pos + size])
            pos += size + 1
        else:
            out.append(None)
    return out
