"""The pre-commit check: only the staged records, each compared with its committed version.

Its cost must not grow with the register (SPEC §7: under 300 ms for one staged record in a
register of 50,000): three git calls whatever the size (the staged list, both versions of
each staged file in one `cat-file --batch`, the identity), and the records other records are
checked against (declared relationships, earlier notices) only when a rule asks for them,
read from a cache keyed by git blob id.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator, Mapping

from coc.policies.history import Committer, file_authority, review, self_serving
from coc.policies.registry import context_for, policy_for, settings_context
from coc.registers.errors import CocError
from coc.registers.findings import Finding
from coc.registers.git import NO_BLOB, git, read_blobs, staged_blobs
from coc.registers.history import Settings, parse_settings
from coc.registers.people import People
from coc.registers.record import Record
from coc.registers.store import RECORD_PATH_RE, Register
from coc.registers.yamlio import line_of, load_fast

CONTEXT_CACHE_VERSION = "1"
SETTINGS_FILES = ("coc.yaml", "people.yaml")   # the hook answers for these; audit for all
CAMPAIGNS = "campaigns/"   # what `coc campaign open` records: HR's, as people.yaml is



@dataclass(frozen=True)
class Outcome:
    blocking: list[Finding]   # refuse the commit
    flagged: list[Finding]    # recorded, but the committer should know (a breach already done)
    checked: int              # staged record files looked at


def is_record_file(rel: str) -> bool:
    return rel.startswith("registers/") and rel.endswith((".yaml", ".yml"))


def check_staged(register: Register) -> Outcome:
    """Judge every staged record file against HEAD's version of it."""
    from coc.policies.validate import duplicate_findings, leaves_for_restricted, parse_and_check

    root = register.root
    staged = staged_blobs(root)
    changes = [(status, rel) for status, rel, _, _ in staged if is_record_file(rel)]
    settings_files = [rel for _, rel, _, _ in staged
                      if rel in SETTINGS_FILES or rel.startswith(CAMPAIGNS)]
    if not changes and not settings_files:
        return Outcome([], [], 0)
    # both versions of each staged record by blob id (a conflicted one's by path: git lists
    # no blob for either side of it); an added record has no HEAD version to read
    specs = [spec for status, rel, old, new in staged if is_record_file(rel)
             for spec in ((f"HEAD:{rel}", f":{rel}") if status == "U" else
                          (old or NO_BLOB, new or NO_BLOB))]
    settings = [f"HEAD:{name}" for name in SETTINGS_FILES]
    wanted = [spec for spec in dict.fromkeys([*specs, *settings]) if spec != NO_BLOB]
    read = dict(zip(wanted, read_blobs(root, wanted)))
    blobs = [read.get(spec) for spec in [*specs, *settings]]
    # Everything is judged by coc.yaml and people.yaml as committed before this commit (not
    # as staged, nor as edited but not committed), read again only when they differ.
    prior = _settings_before(root, *blobs[len(specs):], changed=bool(settings_files))
    committer = _committer(register, prior.people if prior else None)
    merging = _merging(root)   # a merge's changes were judged in their own commits
    blocking: list[Finding] = _settings_changes(root, settings_files, prior, committer) \
        if settings_files and not merging else []
    if not changes:
        return Outcome(blocking, [], 0)
    ctx = (settings_context(prior, StagedContext(register)) if prior else None) or \
        context_for(register, StagedContext(register))
    flagged: list[Finding] = []
    for n, (status, rel) in enumerate(changes):
        old, new = blobs[2 * n], blobs[2 * n + 1]
        if status == "D" or new is None:
            if old is not None and RECORD_PATH_RE.match(rel) and \
                    not leaves_for_restricted(rel, ctx):
                blocking.append(Finding("record-deleted", "records are never deleted: withdraw "
                                        "it (`coc withdraw ID --reason TEXT`) or end it "
                                        "(`coc end ID --on DATE`) instead", path=rel))
            continue
        found_new, after = parse_and_check(rel, new, ctx)   # each version parsed once
        if after is None:   # unreadable: the content findings say why
            blocking += [f for f in found_new if f.failing]
            continue
        found_old, before = parse_and_check(rel, old, ctx) if old is not None else ([], None)
        if before is None:
            found_old = []
        refuse, flag = review(before, after, found_old, found_new, ctx, committer, merging=merging)
        where = {"path": rel, "record_id": after.id or None}
        blocking += _located(root, rel, new, [f.at(**where) for f in refuse])
        flagged += _located(root, rel, new, [f.at(**where) for f in flag])
    added = [rel for status, rel in changes if status != "D"]
    blocking += [f for found in duplicate_findings(register, added, staged=True).values()
                 for f in found]   # the same id in another folder (issue 9 item 16)
    return Outcome(blocking, flagged, len(changes))


def _settings_before(root: Path, config: bytes | None, people: bytes | None, *,
                     changed: bool) -> Settings | None:
    """coc.yaml and people.yaml as committed at HEAD, when they are staged or differ from the
    working tree's (None: the register's own, or none committed yet: its founding)."""
    if not config or not people:
        return None
    if not changed:
        try:
            same = (root / "coc.yaml").read_bytes() == config and \
                (root / "people.yaml").read_bytes() == people
        except OSError:
            same = False
        if same:
            return None
    try:
        return parse_settings(config, people)
    except CocError:
        return None   # a broken committed file: judged by the working tree's, as before


def _settings_changes(root: Path, staged: list[str], before: Settings | None,
                      committer: Committer) -> list[Finding]:
    """Only their owners change coc.yaml and people.yaml, and nobody in their own favour."""
    from coc.registers.people import parse_people

    if before is None or before.people is None or before.config is None:
        return []   # the register's founding commit, or no committed files to answer to
    actors = [(committer.email, committer.person)]
    out = [f.at(path=rel) for rel in staged
           if (f := file_authority(rel, actors)) is not None]
    if committer.mismatch:
        out.append(Finding("committer-identity", committer.mismatch, path=staged[0]))
    if "people.yaml" in staged:
        (data,) = read_blobs(root, [":people.yaml"])
        try:
            after = parse_people(load_fast(data or b"", "people.yaml"), "people.yaml",
                                 before.config.grades)
        except CocError:
            after = None   # coc validate says what is wrong with it
        out += [f.at(path="people.yaml") for f in self_serving(before.people, after, actors)]
    return out


def _committer(register: Register, people: People | None = None) -> Committer:
    """The person committing, as git will record them (`git var GIT_COMMITTER_IDENT`).

    The author (GIT_AUTHOR_EMAIL, which git sets for its hooks) must be the same person: coc
    commits as the actor for both, and `git commit --author` must not put a decision in
    someone else's name.
    """
    email = _ident_email(register.root, "COMMITTER")
    author = _ident_email(register.root, "AUTHOR")
    person = (people or register.people).by_email.get(email.lower())
    if author.lower() != email.lower():
        return Committer(email, person, mismatch=(
            f"the commit's author ({author}) is not its committer ({email}): declare, decide "
            "and change records only as yourself, committing under your own name"))
    return Committer(email, person)


def _ident_email(root: Path, who: str) -> str:
    """GIT_<WHO>_EMAIL if set, else the email in `git var GIT_<WHO>_IDENT` ('' if unknown)."""
    email = os.environ.get(f"GIT_{who}_EMAIL")
    if email is None:
        ident = git(root, "var", f"GIT_{who}_IDENT", check=False)
        email = ident.partition("<")[2].partition(">")[0]
    return email.strip()


def _merging(root: Path) -> bool:
    git_dir = root / ".git"
    if not git_dir.is_dir():
        git_dir = Path(git(root, "rev-parse", "--absolute-git-dir").strip())
    return (git_dir / "MERGE_HEAD").exists()


def _located(root: Path, rel: str, staged: bytes, findings: list[Finding]) -> list[Finding]:
    """Add line numbers, read from the working copy when it is what is staged (it usually is)."""
    if not findings or not any(f.field and not f.line for f in findings):
        return findings
    path = root / rel
    try:
        same = path.is_file() and not path.is_symlink() and path.read_bytes() == staged
    except OSError:
        same = False
    if not same:
        return findings
    return [f.at(line=line_of(path, f.field)) if f.field and not f.line else f for f in findings]


class StagedContext(Mapping[str, Record]):
    """The context records (policy.context_kinds) as staged, loaded only when a rule asks.

    Parsed records are kept in `.git/coc/context.json` keyed by blob id, so the work is one
    `git ls-files` listing plus parsing only what changed since the last run.
    """

    def __init__(self, register: Register) -> None:
        self._register = register
        self._records: dict[str, Record] | None = None

    def _all(self) -> dict[str, Record]:
        if self._records is None:
            self._records = _load_context(self._register)
            other = self._register.restricted()   # its declared relationships, where it is here
            if other is not None:
                from coc.policies.validate import load_context

                self._records = {**load_context(other), **self._records}
        return self._records

    def __getitem__(self, key: str) -> Record:
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _load_context(register: Register) -> dict[str, Record]:
    root = register.root
    specs = [f"registers/*/{kind}/*/*.yaml" for kind in policy_for(register).context_kinds]
    listing = git(root, "ls-files", "-s", "-z", "--", *specs, check=False) if specs else ""
    blobs: dict[str, str] = {}
    for line in listing.split("\0"):
        if line:
            meta, rel = line.split("\t", 1)
            blobs[rel] = meta.split()[1]
    cache_path = _context_cache(root)
    cache = _read_context_cache(cache_path)
    missing = sorted({blob for blob in blobs.values() if blob not in cache})
    for blob, data in zip(missing, read_blobs(root, missing)):
        try:
            parsed = load_fast(data or b"", blob)
        except CocError:
            parsed = None
        cache[blob] = _encode(parsed) if isinstance(parsed, dict) else None
    if missing and cache_path is not None:
        _write_context_cache(cache_path, {b: cache[b] for b in set(blobs.values())})
    records = {}
    for rel, blob in sorted(blobs.items()):
        data = cache.get(blob)
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            records[data["id"]] = Record(data=_decode(data), path=rel)
    return records


def _context_cache(root: Path) -> Path | None:
    return root / ".git" / "coc" / "context.json" if (root / ".git").is_dir() else None


def _read_context_cache(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    ok = isinstance(data, dict) and data.get("version") == CONTEXT_CACHE_VERSION
    return data.get("blobs", {}) if ok else {}


def _write_context_cache(path: Path, blobs: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"version": CONTEXT_CACHE_VERSION, "blobs": blobs}),
                       encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass   # a cache that cannot be written only costs speed


def _encode(value: Any) -> Any:
    """JSON for a parsed record, dates kept as dates (tagged) so rules see the same types."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if len(value) == 1 and "$date" in value:
            return date.fromisoformat(value["$date"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value
