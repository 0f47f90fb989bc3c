"""The audit: what the git history shows was done to each record, and what should not have been.

Each commit that touches a record becomes a `Step` (the record before and after, as blobs).
The rules a commit must obey when it is made (policies/history.py: append-only, identity kept,
details changed only by amendment, entries added by the person committing, decisions by
someone the policy allows) are re-applied here to every step of the history, judged by the
coc.yaml and people.yaml in force at that commit, because hooks can be skipped
(`--no-verify`) and pushes can bypass them. The audit adds what only history can show:
deleted records, back-dated entries, outside work approved after it started, unsigned
commits. Everything returns data; nothing here prints.
"""
from __future__ import annotations

import gc
import hashlib
import hmac
import json
import multiprocessing
import os
import re
from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from coc.registers.errors import CocError
from coc.registers.findings import Finding
from coc.registers.history import Commit, History, Settings
from coc.registers.people import Person
from coc.registers.record import Record, as_date, as_datetime, digest

from .base import Context
from .history import Committer, Verdicts, file_authority, owners_of, self_serving
from .registry import settings_context

# The code's words that outside work needs approval *before* it starts.
PRIOR_APPROVAL = {"milton-keynes": "MK §7", "luton": "Luton §19.4"}
# Good, or good but since expired (signature or key): history signed then stays signed. "U",
# a good signature by a key git has no trust for (for SSH: not in gpg.ssh.allowedSignersFile),
# proves nothing, since anyone can make a key; `git merge --verify-signatures` refuses it too.
GOOD_SIGNATURES = frozenset("GXY")
SIGNATURE_PROBLEMS = {"N": "is not signed", "B": "has a bad signature",
                      "U": "is signed by a key git does not trust for anyone (add it to "
                           "gpg.ssh.allowedSignersFile, or trust the GPG key)",
                      "R": "is signed with a revoked key",
                      "E": "has a signature that cannot be checked (is the signer's key, or "
                           "allowed-signers entry, available to git here?)"}
ENTRY_SLACK = timedelta(days=1)
FINAL_KEYS = ("withdrawn", "ended")
# What a merge does to a record one parent had decided, even when another parent shows it.
DAMAGE = frozenset({"append-only", "amendment-required", "record-identity", "decision-digest"})        # a decision's `at` may differ this much from its commit


@dataclass(frozen=True)
class Step:
    """One record as one commit changed it: blob ids before and after (None: absent)."""

    commit: Commit
    record_id: str
    path: str                     # where the record is after the commit (before, if deleted)
    old: str | None
    new: str | None
    old_path: str | None = None   # where it was before, when the commit moved it
    mode: str = "100644"

    @property
    def before_path(self) -> str:
        return self.old_path or self.path


def steps(history: History, only: str | None = None,
          first: Container[str] = ()) -> Iterator[Step]:
    """Every change to a record file, parents first; a delete and an add of one id is a move.
    Within a commit, records in the kind folders `first` (the context kinds: relationships)
    come first, so that a commit's other records are judged with them, as the hook judges
    the whole staged tree."""
    for commit in history.commits:
        by_id: dict[str, list[Any]] = {}
        for change in commit.changes:
            record_id = change.record_id
            if record_id and (only is None or record_id == only):
                by_id.setdefault(record_id, []).append(change)
        ordered = sorted(by_id.items(), key=lambda item: not any(
            _kind_folder(c.path) in first for c in item[1])) if first else by_id.items()
        for record_id, changes in ordered:
            gone = [c for c in changes if c.new is None]
            came = [c for c in changes if c.new is not None]
            if gone and came:   # moved, e.g. to another department's folder
                yield Step(commit, record_id, came[0].path, gone[0].old, came[0].new,
                           gone[0].path, came[0].new_mode)
                continue
            for c in changes:
                yield Step(commit, record_id, c.path, c.old, c.new, None, c.new_mode)


def _anomaly(step_or_commit: Step | Commit, finding: Finding) -> Finding:
    commit = step_or_commit.commit if isinstance(step_or_commit, Step) else step_or_commit
    record_id = step_or_commit.record_id if isinstance(step_or_commit, Step) else None
    return finding.at(message=f"{commit.describe()}: {finding.message}", commit=commit.sha,
                      record_id=record_id, path=None, line=None)


def _f(rule: str, message: str, field: str | None = None, section: str = "") -> Finding:
    return Finding(rule=rule, message=message, severity="error", field=field, section=section)


class ContextTimeline:
    """The context records (relationships) as each commit's own history has them: its first
    parent's, with what the commit itself changed (a merge's changes against its first parent
    bring in what the merged branch had). Not the walk's running state, in which a
    relationship declared or withdrawn on one branch would judge decisions made on another
    before the two were merged. A deleted context record still counts (its deletion is
    reported), as before."""

    def __init__(self, history: History) -> None:
        self._parent = history.first_parents()
        self._empty: dict[str, Record] = {}
        self._at: dict[str, dict[str, Record]] = {}   # shared along a line until one changes
        self._own: set[str] = set()

    def at(self, sha: str) -> dict[str, Record]:
        """The context records at commit `sha` (its parents are walked before it)."""
        chain = []
        found: str | None = sha
        while found is not None and found not in self._at:
            chain.append(found)
            found = self._parent.get(found)
        records = self._at[found] if found is not None else self._empty
        for passed in chain:
            self._at[passed] = records
        return records

    def put(self, sha: str, record_id: str, record: Record) -> None:
        """Commit `sha` leaves context record `record_id` as `record`."""
        if sha not in self._own:
            parent = self._parent.get(sha)
            self._at[sha] = dict(self.at(parent)) if parent else {}
            self._own.add(sha)
        self._at[sha][record_id] = record


class Auditor:
    """Walks the history once, keeping what cross-record rules need as it goes."""

    def __init__(self, history: History, report: Container[str] | None = None) -> None:
        self.history = history
        self.report = report           # commits to report on (None: all)
        self.context_records: dict[str, Record] = {}   # those of the commit being judged
        self.timeline = ContextTimeline(history)
        self._in_use: dict[str, Record] | None = None
        self._contexts: dict[int, Context | None] = {}
        self._verdicts: dict[int, Verdicts] = {}
        self._broken_settings: set[int] = set()
        self._errors: dict[int, CocError] = {}

    def context(self, settings: Settings) -> Context | None:
        """One context per coc.yaml/people.yaml pair, sharing the running context records."""
        key = id(settings)
        if key not in self._contexts:
            try:
                ctx = settings_context(settings)
            except CocError as exc:   # e.g. a policy not installed here, a bad parameter
                ctx, self._errors[key] = None, exc
            if ctx is not None:
                ctx.records = self.context_records
                self._verdicts[key] = Verdicts(ctx)
            self._contexts[key] = ctx
        return self._contexts[key]

    def verdicts(self, settings: Settings) -> Verdicts | None:
        """The decision findings already worked out under these settings (context first)."""
        return self._verdicts.get(id(settings))

    def read(self, sha: str | None, path: str) -> Record | None:
        return self.history.record(sha, path) if sha else None

    def check(self, step: Step) -> list[Finding]:
        """The anomalies one step shows (tracking context records whether reported or not)."""
        commit = step.commit
        reported = self.report is None or commit.sha in self.report
        if step.new and step.mode not in ("100644", "100755"):
            return self._anomalies(step, [_f("unreadable-record", f"{step.path} is not a plain "
                                             "file (a symbolic link or a submodule)")])
        try:
            after = self.read(step.new, step.path)
        except CocError as exc:
            return self._anomalies(step, [_f("unreadable-record", f"{step.path} cannot be read "
                                             f"as a record: {exc}")])
        if after is None:
            from .validate import leaves_for_restricted

            ctx = self.context(self.history.settings_before(commit))
            if ctx is not None and leaves_for_restricted(step.path, ctx):
                return []   # moved out to the restricted register (checked there: moved_out)
            return self._anomalies(step, [_f("record-deleted", f"{step.path} was deleted: "
                                             "records are never deleted; withdraw or end them "
                                             "instead")])
        try:
            before = self.read(step.old, step.before_path)
        except CocError:
            return []   # reported at the commit that made it unreadable
        settings = self.history.settings_before(commit)
        ctx = self.context(settings)
        if ctx is not None and ctx.policy is not None and after.kind in ctx.policy.context_kinds:
            self.timeline.put(commit.sha, step.record_id, after)
            self._in_use = None
        if not reported:
            return []
        self._context_at(commit)
        if ctx is None:
            return self._settings_broken(commit, settings)
        found = step_findings(before, after, ctx, commit, settings, self.verdicts(settings))
        if len(commit.parents) > 1:
            found = self._merge_introduced(step, before, after, ctx, settings, found)
        elif step.old_path and step.old_path != step.path:
            found += moved(step, after, commit, self.history.settings(commit))
        return [_anomaly(step, f) for f in found]

    def _context_at(self, commit: Commit) -> None:
        """The context records every context shares become `commit`'s own; decision findings
        remembered against others are forgotten."""
        records = self.timeline.at(commit.sha)
        if records is self._in_use:
            return
        self.context_records.clear()
        self.context_records.update(records)
        for memo in self._verdicts.values():   # judged against other context records
            memo.clear()
        self._in_use = records

    def _anomalies(self, step: Step, found: list[Finding]) -> list[Finding]:
        if self.report is not None and step.commit.sha not in self.report:
            return []
        return [_anomaly(step, f) for f in found]

    def _settings_broken(self, commit: Commit, settings: Settings) -> list[Finding]:
        """Reported once per broken coc.yaml/people.yaml pair, at the first commit it stops."""
        key = id(settings)
        if key in self._broken_settings:
            return []
        self._broken_settings.add(key)
        why = settings.error or self._errors.get(key)
        return [_anomaly(commit, _f("register-files", "coc.yaml or people.yaml cannot be used, "
                                    f"so the records changed here cannot be judged: {why}"))]

    def _merge_introduced(self, step: Step, first: Record | None, after: Record, ctx: Context,
                          settings: Settings, found: list[Finding]) -> list[Finding]:
        """A merge is judged against each parent: only what is new to all of them is its own,
        and so is damage to what one of them had decided (its decisions changed, its decided
        details replaced by another branch's edit), which no parent shows alone."""
        other = step.commit.parents[1:]
        names = [f"{p}:{path}" for p in other for path in dict.fromkeys((step.path,
                                                                          step.before_path))]
        self.history.fetch(n for n in names if n not in self.history.blobs)
        keep = {(f.rule, f.field) for f in found}
        damage = [f for f in found if f.rule in DAMAGE] if first and first.decisions else []
        for parent in other:
            blob_name = next((f"{parent}:{p}" for p in (step.path, step.before_path)
                              if self.history.blobs.get(f"{parent}:{p}") is not None), None)
            try:
                before = self.history.record(blob_name, step.path) if blob_name else None
            except CocError:
                before = None
            theirs = step_findings(before, after, ctx, step.commit, settings,
                                   self.verdicts(settings))
            keep &= {(f.rule, f.field) for f in theirs}
            if before is not None and before.decisions:
                damage += [f for f in theirs if f.rule in DAMAGE]
        out = [f for f in found if (f.rule, f.field) in keep]
        for f in damage:
            if (f.rule, f.field) not in {(g.rule, g.field) for g in out}:
                out.append(f)
        return out


def step_findings(before: Record | None, after: Record, ctx: Context, commit: Commit,
                  settings: Settings, memo: Verdicts | None = None) -> list[Finding]:
    """Every rule on one record's change in one commit."""
    from .history import history_findings
    from .validate import register_findings

    found = history_findings(before, after, ctx, committer_of(commit, settings), memo=memo)
    if before is None or before.kind != after.kind:   # once, where it came into this register
        found += register_findings(after, ctx)
    found += placed(before, after, ctx)
    found += backdated(before, after, commit)
    found += started_before_approval(before, after, commit, ctx)
    found += not_an_import(before, after, commit, settings)
    return found


def placed(before: Record | None, after: Record, ctx: Context) -> list[Finding]:
    """Where a commit adds a record, its folder must be the one validate asks for (the
    declarant's department by the people.yaml before the commit, the id's year, its kind): a
    record filed straight under another department is reviewed by that department's code
    owners. A move is judged by `moved`; a merge answers only if no parent had the record."""
    if before is not None:
        return []
    from .validate import placement_findings

    return placement_findings(after.path, after, ctx)


IMPORT_SUBJECT = re.compile(r"^import\([a-z][a-z-]*\): \d+ record\(s\) from (?P<file>.+) by "
                            r"(?P<by>[a-z0-9][a-z0-9._-]*)$")


def not_an_import(before: Record | None, after: Record, commit: Commit,
                  settings: Settings) -> list[Finding]:
    """An imported decision is recorded by `coc import`, whose commit says so (`import(KIND):
    N record(s) from FILE by ID`): by the HR person committing it, from the file the record
    names. One in any other commit was written by hand to look imported."""
    if before is not None or not any("imported" in d for d in after.decisions):
        return []
    match = IMPORT_SUBJECT.match(commit.subject)
    person = settings.person(commit.email)
    source = after.data.get("imported_from")
    if match and person is not None and person.id == match["by"] and person.has_role("hr") \
            and isinstance(source, Mapping) and source.get("file") == match["file"]:
        return []
    return [_f("imported-decision", f"a decision marked imported came in with "
               f"{after.id or 'this record'} in a commit that is not an import of "
               f"{source.get('file') if isinstance(source, Mapping) else 'its source'} by HR "
               f"(`{commit.subject[:80]}`)", "decisions")]


def moved(step: Step, after: Record, commit: Commit, settings: Settings) -> list[Finding]:
    """A record's folder says whose approvers review it (CODEOWNERS), so it moves only with its
    declarant: by HR or the Monitoring Officer, into the declarant's department as the
    people.yaml of that commit has it."""
    department = step.path.split("/")[1]
    person = settings.people.get(after.declarant) if settings.people else None
    movers = [p for _, p in actors(commit, settings)]
    if person is not None and person.department == department and all(
            p is not None and (p.has_role("hr") or p.has_role("monitoring-officer"))
            for p in movers):
        return []
    return [_f("record-moved", f"moved from {step.old_path} to {step.path}: a record moves only "
               "with its declarant, into their department, by HR or the Monitoring Officer")]


def committer_of(commit: Commit, settings: Settings) -> Committer:
    """Who made the commit, as the hook judges it: the author, who must also be the committer
    (`git commit --author` in another's name, or `--amend` of another's commit, is not)."""
    person = settings.person(commit.email)
    name, email = commit.committer
    if email.strip().lower() != commit.email.strip().lower():
        return Committer(commit.email, person, mismatch=(
            f"the commit's author ({commit.name} <{commit.email}>) is not its committer "
            f"({name} <{email}>): declare, decide and change records only as yourself, "
            "committing under your own name"))
    return Committer(commit.email, person)


def actors(commit: Commit, settings: Settings) -> list[tuple[str, Person | None]]:
    """(email, person) of the author and, when another, the committer."""
    emails = dict.fromkeys(e.strip().lower() for e in (commit.email, commit.committer[1]))
    return [(e, settings.person(e)) for e in emails]


def governed(history: History, report: Container[str] | None = None) -> list[Finding]:
    """Changes to the files that say how records are judged (people.yaml, coc.yaml, hooks, CI,
    code owners), by anyone without the role that owns them, judged by the people.yaml in
    force before the change; and any people.yaml change in its maker's own favour. A merge
    answers only for content no parent had (the rest was judged in its own commit)."""
    out: list[Finding] = []
    for commit in history.commits:
        paths = [c for c in commit.changes if owners_of(c.path) is not None]
        if not paths or not commit.parents or (report is not None and commit.sha not in report):
            continue
        if len(commit.parents) > 1:   # content a parent already had was judged there
            history.fetch([*(f"{p}:{c.path}" for p in commit.parents[1:] for c in paths),
                           *(c.new for c in paths)])
            paths = [c for c in paths if all(
                history.blobs.get(f"{p}:{c.path}") != (history.blobs.get(c.new) if c.new else None)
                for p in commit.parents[1:])]
        before = history.settings_before(commit)
        who = actors(commit, before)
        for change in paths:
            found = file_authority(change.path, who)
            if found is not None:
                out.append(_anomaly(commit, found))
            if change.path == "people.yaml":
                after = history.settings(commit)
                out += [_anomaly(commit, f) for f in self_serving(before.people, after.people, who)]
    return out


def _new_decisions(before: Record | None, after: Record) -> list[tuple[int, Mapping[str, Any]]]:
    start = len(before.decisions) if before else 0
    return list(enumerate(after.decisions[start:], start=start))


def backdated(before: Record | None, after: Record, commit: Commit) -> list[Finding]:
    """`declared_on` is the day of the commit that added the record; a new decision's `at` is
    within a day of its commit. Both git dates are checked: the author date is the
    committer's to set (`--date`, GIT_AUTHOR_DATE), the committer date is set afresh by every
    commit, amend and rebase (though GIT_COMMITTER_DATE can set it too: `commit_dates` checks
    it against the history and today). Imported records keep their original dates."""
    out = []
    day, committed = commit.date.date(), commit.commit_date
    declared = after.declared_on
    if before is None and declared is not None and not after.data.get("imported_from"):
        if declared != day:
            out.append(_f("backdated", f"declared_on says {declared} but the record was added "
                          f"on {day}", "declared_on"))
        elif abs(committed.date() - declared) > ENTRY_SLACK:
            out.append(_f("backdated", f"declared_on says {declared}, as does the commit's "
                          f"author date, but it was committed on {committed.date()}",
                          "declared_on"))
    for i, decision in _new_decisions(before, after):
        at = as_datetime(decision.get("at"))
        if at is None:
            continue
        if abs(at - commit.date) > ENTRY_SLACK:
            out.append(_f("backdated", f"the {decision.get('decision')} decision says it was "
                          f"made at {at.isoformat()} but it was committed on {day}",
                          f"decisions.{i}.at"))
        elif abs(at - committed) > ENTRY_SLACK:
            out.append(_f("backdated", f"the {decision.get('decision')} decision says it was "
                          f"made at {at.isoformat()}, as does the commit's author date, but it "
                          f"was committed on {committed.date()}", f"decisions.{i}.at"))
    return out


def discarded(history: History, report: Container[str] | None = None) -> list[Finding]:
    """What a merge threw away of a merged branch's records without the first-parent diff
    showing it (`git merge -s ours`, or a conflict resolved as "ours"): a decision, amendment,
    withdrawal, ending or the whole record the branch had and the merge result lacks."""
    from coc.registers.history import merge_sides

    merges = [c for c in history.commits
              if len(c.parents) > 1 and (report is None or c.sha in report)]
    if not merges:
        return []
    by_sha = {c.sha: c for c in merges}
    touched = {c.sha: {ch.record_id for ch in c.changes} for c in merges}
    wanted = [(m, p, ch) for (m, p), changes in merge_sides(history.root, merges).items()
              for ch in changes if ch.record_id and ch.old and ch.record_id not in touched[m]]
    history.fetch(sha for _, _, ch in wanted for sha in (ch.old, ch.new))
    out = []
    for m, parent, change in wanted:
        try:
            theirs = history.record(str(change.old), change.path)
            ours = history.record(change.new, change.path) if change.new else None
        except CocError:
            continue
        lost = _lost(theirs, ours)
        if lost:
            step = Step(by_sha[m], str(change.record_id), change.path, change.old, change.new)
            out.append(_anomaly(step, _f("merge-discarded", f"the merge dropped {lost} that the "
                                         f"merged branch had (at {parent[:10]}): merged with "
                                         "`-s ours` or resolved by discarding it")))
    return out


def _lost(theirs: Record, ours: Record | None) -> str:
    """What `theirs` has that `ours` lacks, in words ('' when nothing)."""
    if ours is None:
        return "the whole record"
    lost = [f"{key}.{i} ({entry.get('decision') or 'by ' + str(entry.get('by'))})"
            for key in ("decisions", "amendments")
            for i, entry in enumerate(getattr(theirs, key)) if entry not in getattr(ours, key)]
    lost += [key for key in FINAL_KEYS if theirs.data.get(key) and not ours.data.get(key)]
    return ", ".join(lost)


def commit_dates(history: History, report: Container[str] | None = None,
                 now: datetime | None = None) -> list[Finding]:
    """Dates git cannot have given honestly: a commit dated in the future, authored after it
    was committed, or committed before its parents (time only moves forward along history;
    clocks may differ by ENTRY_SLACK)."""
    now = now or datetime.now(timezone.utc)
    committed = {c.sha: c.commit_date for c in history.commits}
    out = []
    for commit in history.commits:
        if report is not None and commit.sha not in report:
            continue
        problem = None
        latest = max(commit.date, commit.commit_date)
        parents = [committed[p] for p in commit.parents if p in committed]
        if latest > now + ENTRY_SLACK:
            problem = f"is dated {latest.isoformat()}, in the future"
        elif commit.date > commit.commit_date + ENTRY_SLACK:
            problem = (f"was authored on {commit.date.isoformat()}, after it was committed "
                       f"({commit.commit_date.isoformat()})")
        elif parents and commit.commit_date < max(parents) - ENTRY_SLACK:
            problem = (f"was committed on {commit.commit_date.isoformat()}, before its parent "
                       f"({max(parents).isoformat()})")
        if problem:
            out.append(_anomaly(commit, _f("commit-date", f"{problem}: its dates were set by "
                                           "hand (GIT_AUTHOR_DATE, GIT_COMMITTER_DATE, --date)")))
    return out


def started_before_approval(before: Record | None, after: Record, commit: Commit,
                            ctx: Context) -> list[Finding]:
    """Outside work is approved before it starts (MK §7 "before"; Luton §19.4 "first").

    Judged at the first approval: the later of its `at` and its commit is when it was given.
    """
    if after.kind != "outside-work" or ctx.policy is None:
        return []
    from .engine import duty_of

    duty = duty_of(after, ctx)
    if duty is not None and duty.type != "permission":
        return []     # MK §7 part-time Grade H+ "tell their manager": a notice, not a permission
    start = as_date(after.details.get("start_date"))
    new = _new_decisions(before, after)
    if start is None or any(d.get("decision") == "approved"
                            for d in after.decisions[:len(after.decisions) - len(new)]):
        return []
    for i, decision in new:
        if decision.get("decision") != "approved":
            continue
        at = as_datetime(decision.get("at"))
        given = max(at.date() if at else commit.date.date(), commit.date.date(),
                    commit.commit_date.date())
        if start < given:
            kind = ctx.policy.kinds.get("outside-work")
            section = PRIOR_APPROVAL.get(ctx.policy.name, kind.section if kind else "")
            return [_f("started-before-approval", f"the work started on {start} but was first "
                       f"approved on {given}: outside work needs approval before it starts",
                       f"decisions.{i}", section)]
        return []
    return []


def unsigned(history: History, report: Container[str] | None = None) -> list[Finding]:
    """Commits made while coc.yaml said `require_signed_commits: true` (the coc.yaml in force
    before the commit, so the commit that turns it off must be signed too) need a good
    signature, as git itself verifies it, by the person the commit acts for: its signer (the
    allowed-signers principal, or the GPG user id's email) is its author's people.yaml email."""
    from coc.registers.history import Signature, signature_checks

    if not any(s.config is not None and s.config.require_signed_commits
               for s in history.all_settings()):
        return []
    required = [c for c in history.commits
                if (report is None or c.sha in report)
                and (s := history.settings_before(c)).config is not None
                and s.config.require_signed_commits]
    verdicts = signature_checks(history.root, (c.sha for c in required))
    out = []
    for commit in required:
        signature = verdicts.get(commit.sha, Signature("N"))
        if signature.status not in GOOD_SIGNATURES:
            problem = SIGNATURE_PROBLEMS.get(signature.status,
                                             f"has signature status {signature.status!r}")
            out.append(_anomaly(commit, _f("unsigned-commit", f"{problem}, but coc.yaml requires "
                                           "signed commits", "require_signed_commits")))
            continue
        people = history.settings_before(commit)
        signer, author = people.person(signature.email), people.person(commit.email)
        if signer is None or author is None or signer.id != author.id:
            who = signer.label() if signer else f"{signature.signer!r} (not in people.yaml)"
            out.append(_anomaly(commit, _f("signer-identity", f"is signed by {who} with key "
                                           f"{signature.key or '?'}, but authored as "
                                           f"{commit.name} <{commit.email}>: a commit is signed "
                                           "by the person it acts for", "require_signed_commits")))
    return out


def read_history(root: Path, use_cache: bool = True) -> History:
    """The history as `audit` reads it: cold, every record version is parsed while git log
    still runs (History.read's read_ahead); with a cache, only what it does not answer is."""
    cache = root / ".git" / "coc" / "audit.json"
    return History.read(root, read_ahead=not (use_cache and cache.is_file()))


def audit(history: History, report: Container[str] | None = None, *,
          use_cache: bool = True, on_progress: Any = None) -> list[Finding]:
    """All anomalies in the history (only those of commits in `report`, when given).

    What a commit shows depends only on the commit and its ancestors, which its id fixes, so
    each commit's anomalies are cached by commit id (`.git/coc/audit.json`) and a commit is
    read again only when the toolkit or a policy changes. Records of the kinds other records
    are judged against (relationships) are always read, to keep the running context.
    `on_progress(done, total)` is told as the steps to check are checked.
    """
    context_folders = _context_kinds(history, every_commit=True)
    all_steps = list(steps(history, first=context_folders))
    path = _cache_path(history) if use_cache else None
    key = _cache_key(history)
    cached = _read_cache(path, key)
    todo = [s for s in all_steps
            if s.commit.sha not in cached or _kind_folder(s.path) in context_folders]
    fresh: dict[str, list[Finding]] = {}
    for i, result in _check_all(history, report, todo, context_folders, on_progress):
        if todo[i].commit.sha not in cached:
            fresh.setdefault(todo[i].commit.sha, []).extend(result)
    found: list[Finding] = []
    for commit in history.commits:
        if commit.sha in fresh:
            found += fresh[commit.sha]
        elif commit.sha in cached and (report is None or commit.sha in report):
            found += [Finding(**f) for f in cached[commit.sha]]
    checked = {sha: [f.to_json() for f in fs] for sha, fs in fresh.items()
               if report is None or sha in report}
    if path is not None and checked:   # commits rewritten out of the history are dropped
        _write_cache(path, key, {c.sha: checked[c.sha] if c.sha in checked else cached[c.sha]
                                 for c in history.commits if c.sha in checked or c.sha in cached})
    return found + discarded(history, report) + commit_dates(history, report) + \
        governed(history, report) + unsigned(history, report) + \
        duplicate_records(history)


# ---------------------------------------------------------------------------------------------
# The anchor: what a green audit saw, so a rewritten past is found

ANCHOR_VERSION = 1


def _entry_digests(record: Record) -> list[str]:
    """One digest per appended fact: each decision and amendment, the withdrawal, the end."""
    facts: list[Any] = [[key, entry] for key in ("decisions", "amendments")
                        for entry in getattr(record, key)]
    facts += [[key, record.data[key]] for key in FINAL_KEYS if record.data.get(key)]
    return [digest(fact) for fact in facts]


def make_anchor(history: History) -> dict[str, Any]:
    """The checkpoint CI keeps after a green audit: the head commit, and each record's place
    and the digests of what has been appended to it."""
    from coc.registers.history import tree_records

    head = history.commits[-1].sha if history.commits else ""
    records = tree_records(history.root, head) if head else {}
    history.fetch(blob for _, blob in records.values())
    out: dict[str, Any] = {}
    for record_id, (path, blob) in sorted(records.items()):
        try:
            entries = _entry_digests(history.record(blob, path))
        except CocError:
            entries = []
        out[record_id] = {"path": path, "blob": blob, "entries": entries}
    return {"coc_anchor": ANCHOR_VERSION, "commit": head, "records": out}


def anchor_findings(history: History, anchor: Mapping[str, Any]) -> list[Finding]:
    """A rewritten past (rebase, filter-branch, force-push): the anchored commit is no longer
    in the history; then every anchored record must still be there, in its department, with
    everything that had been appended to it."""
    from coc.registers.history import tree_records

    commit = anchor.get("commit")
    records = anchor.get("records")
    if anchor.get("coc_anchor") != ANCHOR_VERSION or not isinstance(commit, str) or \
            not isinstance(records, Mapping):
        raise CocError("not an anchor written by `coc audit --write-anchor`", field="--anchor")
    if any(c.sha == commit for c in history.commits):
        return []   # the past is intact: everything since is checked commit by commit
    out = [_f("history-rewritten", f"the audited commit {commit[:10]} is no longer in the "
              "history: the register's past was rewritten (rebase, filter-branch, amend, "
              "force-push)")]
    out[0] = out[0].at(commit=commit)
    head = history.commits[-1].sha if history.commits else ""
    now = tree_records(history.root, head) if head else {}
    history.fetch(blob for record_id, (_, blob) in now.items()
                  if isinstance(records.get(record_id), Mapping)
                  and records[record_id].get("blob") != blob)
    for record_id, was in sorted(records.items()):
        if not isinstance(was, Mapping):
            continue
        where = {"record_id": record_id, "commit": commit}
        if record_id not in now:
            out.append(_f("history-rewritten", f"{record_id} ({was.get('path')}) is gone from "
                          "the rewritten history").at(**where))
            continue
        path, blob = now[record_id]
        if str(was.get("path", "")).split("/")[1:2] != path.split("/")[1:2]:
            out.append(_f("record-moved", f"was at {was.get('path')} when audited, now at "
                          f"{path}").at(**where))
        if blob == was.get("blob"):
            continue
        try:
            kept = set(_entry_digests(history.record(blob, path)))
        except CocError:
            kept = set()
        lost = [d for d in was.get("entries", []) if d not in kept]
        if lost:
            out.append(_f("history-rewritten", f"{len(lost)} decision(s), amendment(s), "
                          "ending or withdrawal it had when audited are gone").at(**where))
    return out


def duplicate_records(history: History) -> list[Finding]:
    """The same record id at two paths of the current tree: ids are made without coordination,
    and a collision across departments merges cleanly (issue 9 item 16)."""
    from coc.registers.git import git
    from coc.registers.store import duplicate_ids

    listed = git(history.root, "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", "registers/",
                 check=False)
    return [Finding("duplicate-id", f"{record_id} is at {', '.join(paths)}: ids must be unique",
                    path=paths[0], field="id", record_id=record_id)
            for record_id, paths in duplicate_ids(p for p in listed.split("\0") if p).items()]


PARALLEL_FROM = 2000      # steps; below this, forking workers costs more than it saves
_WORK: dict[str, Any] = {}


def _check_all(history: History, report: Container[str] | None, todo: list[Step],
               context_folders: frozenset[str],
               on_progress: Any = None) -> list[tuple[int, list[Finding]]]:
    """(index in `todo`, anomalies) for each step, on every core for a long history.

    Records are independent but for the context records (relationships) every check needs, so
    each worker takes a share of the records, reads their blobs with its own `git cat-file`,
    and replays the context records itself; those are reported by worker 0 only.
    """
    if on_progress is not None:
        on_progress(0, len(todo))   # shown while the blobs are read, before the first step
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) < PARALLEL_FROM or workers < 2 or \
            "fork" not in multiprocessing.get_all_start_methods():
        history.fetch(sha for s in todo for sha in (s.old, s.new))
        auditor = Auditor(history, report)
        out = []
        for i, step in enumerate(todo):
            out.append((i, auditor.check(step)))
            if on_progress is not None:
                on_progress(i + 1, len(todo))
        return out
    share: dict[str, int] = {}
    owner = [0 if _kind_folder(step.path) in context_folders else
             share.setdefault(step.record_id, len(share) % workers) for step in todo]
    _WORK.update(history=history, report=report, todo=todo, owner=owner,
                 context_folders=context_folders,
                 done=multiprocessing.get_context("fork").Value("q", 0))
    gc.freeze()   # the collector would otherwise touch, so copy, every inherited object
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=gc.disable) as pool:
            parts = _map_telling(pool, workers, on_progress, len(todo))
    finally:
        _WORK.clear()
        gc.unfreeze()
    results = sorted((item for part in parts for item in part), key=lambda item: item[0])
    seen: set[str] = set()   # a broken coc.yaml/people.yaml: once, as one walk would say it
    for _, found in results:
        for f in [f for f in found if f.rule == "register-files"]:
            why = f.message.rsplit("cannot be judged: ", 1)[-1]
            if why in seen:
                found.remove(f)
            seen.add(why)
    return results


def _map_telling(pool: Any, workers: int, on_progress: Any, total: int) -> list[Any]:
    """`pool.map(_check_share, ...)`, telling `on_progress` what the workers have done so far
    (they count the steps they own in `_WORK["done"]`, shared memory made before the fork)."""
    if on_progress is None:
        return pool.map(_check_share, range(workers))
    running = pool.map_async(_check_share, range(workers))
    while not running.ready():
        on_progress(_WORK["done"].value, total)
        running.wait(0.1)
    on_progress(_WORK["done"].value, total)
    return running.get()


def _check_share(worker: int) -> list[tuple[int, list[Finding]]]:
    todo, owner, folders = _WORK["todo"], _WORK["owner"], _WORK["context_folders"]
    mine = [step for i, step in enumerate(todo)
            if owner[i] == worker or _kind_folder(step.path) in folders]
    _WORK["history"].fetch(sha for step in mine for sha in (step.old, step.new))
    auditor = Auditor(_WORK["history"], _WORK["report"])
    out = []
    for i, step in enumerate(todo):
        if owner[i] == worker:
            out.append((i, auditor.check(step)))
            with _WORK["done"].get_lock():
                _WORK["done"].value += 1
        elif _kind_folder(step.path) in folders:
            auditor.check(step)   # the running context, reported by its owner
    return out


CACHE_VERSION = "4"   # 2: signed with the user's key; 3: restricted-register; 4: folders at adds


def _cache_path(history: History) -> Path | None:
    git_dir = history.root / ".git"
    return git_dir / "coc" / "audit.json" if git_dir.is_dir() else None


def _cache_key(history: History) -> str:
    """The toolkit (its version and a digest of its code, so a changed rule judges every
    commit again) and the version of every policy in force somewhere in the history."""
    from coc.registers.index import toolkit_digest

    from .registry import get_policy

    parts = [CACHE_VERSION, toolkit_digest()]
    names = {s.config.policy for s in history.all_settings() if s.config is not None}
    for name in sorted(names):
        try:
            parts.append(f"{name}:{get_policy(name).version}")
        except CocError:
            parts.append(f"{name}:?")
    return " ".join(parts)


def _cache_secret() -> bytes | None:
    """The key that signs this user's audit caches: the one key the record index is signed
    with too (registers/index.user_key), outside any repository."""
    from coc.registers.index import user_key

    return user_key()


def _mac(secret: bytes, body: str) -> str:
    return hmac.new(secret, body.encode("utf-8"), hashlib.sha256).hexdigest()


def _read_cache(path: Path | None, key: str) -> dict[str, list[dict[str, Any]]]:
    """The cached findings, if the cache is this toolkit's and signed with this user's key:
    an edited cache (an anomaly removed to hide it) is ignored and every commit read again."""
    secret = _cache_secret()
    if path is None or secret is None or not path.is_file():
        return {}
    try:
        mac, _, body = path.read_text(encoding="utf-8").partition("\n")
        if not hmac.compare_digest(mac.encode(), _mac(secret, body).encode()):
            return {}
        data = json.loads(body)
    except (OSError, ValueError):
        return {}
    commits = data.get("commits") if isinstance(data, dict) and data.get("key") == key else None
    if not isinstance(commits, dict):
        return {}
    fields = set(Finding.__dataclass_fields__)
    return {sha: found for sha, found in commits.items() if found == [] or (
        isinstance(found, list) and all(isinstance(f, dict) and set(f) <= fields
                                        for f in found))}


def _write_cache(path: Path, key: str, commits: dict[str, list[dict[str, Any]]]) -> None:
    """The findings as one JSON line, after the line that signs it (HMAC-SHA256)."""
    secret = _cache_secret()
    if secret is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        body = json.dumps({"key": key, "commits": commits})
        tmp.write_text(f"{_mac(secret, body)}\n{body}", encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs speed


# ---------------------------------------------------------------------------------------------
# `coc log ID`: the life of one record


@dataclass(frozen=True)
class Entry:
    """One commit in a record's life: what it did to the record, and anything wrong with it."""

    commit: Commit
    path: str
    events: tuple[dict[str, Any], ...]
    anomalies: tuple[Finding, ...]
    person: str | None            # the commit author's people.yaml id, at that commit


def life(history: History, record_id: str) -> list[Entry]:
    """The record's timeline from the whole history, moves included (the id is in its file
    name). `record_life` gives the same from a walk of the record's own paths."""
    return _timeline(history, record_id, _context_kinds(history))


def _timeline(history: History, record_id: str, context_kinds: frozenset[str]) -> list[Entry]:
    """The record's entries, its steps checked in order with the context records' steps (so
    each decision is judged against the relationships declared by then)."""
    wanted = [s for s in steps(history, first=context_kinds)
              if s.record_id == record_id or _kind_folder(s.path) in context_kinds]
    history.fetch_settings()
    history.fetch(sha for s in wanted for sha in (s.old, s.new))
    auditor = Auditor(history)
    entries = []
    for step in wanted:
        anomalies = auditor.check(step)
        if step.record_id != record_id:
            continue
        try:
            merged = _merged_from(history, step)
            before = auditor.read(step.old, step.before_path)
            after = auditor.read(step.new, step.path)
            events = [{"event": "merged", "from": merged}] if merged else \
                describe(before, after, step)
        except CocError as exc:
            events = [{"event": "unreadable", "error": str(exc)}]
        person = history.settings_before(step.commit).person(step.commit.email)
        entries.append(Entry(step.commit, step.path, tuple(events), tuple(anomalies),
                             person.id if person else None))
    return entries


def record_life(root: Path, record_id: str) -> list[Entry]:
    """`life()` without reading the whole history: git walks only the paths the record has had
    (its file wherever it is at HEAD, and wherever a commit that added or deleted it there
    moved it from or to) and the folders of the context records every check needs, so
    `coc log ID` costs about what `git log -- PATH` costs. The id goes into git pathspecs, so
    it is checked first, and every pathspec is literal (`*`, `:(glob)` mean nothing)."""
    from coc.registers.history import PathHistory, paths_named, tree_folders, tree_paths_named
    from coc.registers.record import ID_RE

    if not isinstance(record_id, str) or not ID_RE.match(record_id) or "\n" in record_id:
        raise CocError(f"{record_id!r} is not a record id", field="id")
    name = f"{record_id}.yaml"
    head = PathHistory(root, []).settings_at("HEAD")
    kinds = _policy_kinds(head)
    paths = set(tree_paths_named(root, name))
    if not paths:   # not at HEAD (deleted, moved out, or never): only the whole log says where
        return life(History.read(root), record_id)   # (a `:(glob)` pathspec walk costs more)
    departments = {p.split("/")[1] for p in paths if p.count("/") > 1}
    if kinds:
        departments |= set(tree_folders(root, "registers")) | _departments([head])
    while True:
        specs = sorted(paths) + [f"registers/{d}/{k}" for d in sorted(departments) for k in
                                 sorted(kinds)]
        history = PathHistory.of_paths(root, specs)
        ends = [commit for commit in history.commits for c in commit.changes
                if c.record_id == record_id and (c.old is None or c.new is None)]
        more = paths_named(root, name, ends) - paths
        history.fetch_settings()   # context records live in the folder of any department
        seen = _departments(history.all_settings()) if kinds else set()
        if not more and seen <= departments:
            history.lines = any(_kind_folder(c.path) in kinds   # relationships carry along
                                for commit in history.commits for c in commit.changes)
            return _timeline(history, record_id, kinds)
        paths |= more
        departments |= seen


def _departments(settings: list[Settings]) -> set[str]:
    return {p.department for s in settings if s.people for p in s.people if p.department}


def _policy_kinds(settings: Settings) -> frozenset[str]:
    """The context kinds of the policy these settings name (none when it cannot be read)."""
    from .registry import get_policy

    if settings.config is None:
        return frozenset()
    try:
        return frozenset(get_policy(settings.config.policy).context_kinds)
    except CocError:
        return frozenset()


def _merged_from(history: History, step: Step) -> str | None:
    """The merged parent that already had the record as the merge leaves it: the merge only
    brought in commits that the timeline shows on their own."""
    if len(step.commit.parents) < 2 or step.new is None:
        return None
    names = {p: f"{p}:{step.path}" for p in step.commit.parents[1:]}
    history.fetch(names.values())
    new = history.blobs.get(step.new)
    return next((p for p, name in names.items() if history.blobs.get(name) == new), None)


def _context_kinds(history: History, every_commit: bool = False) -> frozenset[str]:
    """The kinds other records are judged against, by the policy in force at the last commit
    (or at any commit)."""
    from .registry import get_policy

    kinds: set[str] = set()
    history.fetch_settings()
    every = history.all_settings() if every_commit else \
        [history.settings(c) for c in history.commits[-1:]]
    names = {s.config.policy for s in every if s.config is not None}
    for name in names:
        try:
            kinds.update(get_policy(name).context_kinds)
        except CocError:
            pass
    return frozenset(kinds)


def _kind_folder(path: str) -> str:
    parts = path.split("/")
    return parts[2] if len(parts) == 5 else ""


def _entry_event(name: str, entry: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    event = {"event": name, "by": entry.get("by"), "at": entry.get("at")}
    event.update({k: entry[k] for k in keys if entry.get(k) not in (None, "")})
    return event


def describe(before: Record | None, after: Record | None, step: Step) -> list[dict[str, Any]]:
    """What one commit did to a record, in the record's own terms."""
    if after is None:
        return [{"event": "deleted", "path": step.path}]
    events: list[dict[str, Any]] = []
    if before is None:
        event = {"event": "declared", "kind": after.kind, "declarant": after.declarant,
                 "declared_on": after.data.get("declared_on")}
        if after.recorded_by != after.declarant:
            event["recorded_by"] = after.recorded_by
        events.append(event)
    if step.old_path and step.old_path != step.path:
        events.append({"event": "moved", "from": step.old_path, "to": step.path})
    for _, decision in _new_decisions(before, after):
        events.append(_entry_event(str(decision.get("decision")), decision, "as", "conditions",
                                   "reason", "details_version"))
    old_amendments = before.amendments if before else []
    for amendment in after.amendments[len(old_amendments):]:
        events.append(_entry_event("amended", amendment, "changes", "previous", "reason"))
    for key in ("withdrawn", "ended"):
        entry = after.data.get(key)
        if isinstance(entry, Mapping) and (before is None or not before.data.get(key)):
            events.append(_entry_event(key, entry, "on", "reason"))
    if before is not None:
        events += _edits(before, after, events)
    return events


def _edits(before: Record, after: Record, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Changes not explained by an appended entry: edited details or other keys."""
    amended = {k for e in events if e["event"] == "amended" and isinstance(e.get("changes"), Mapping)
               for k in e["changes"]}
    fields = [f"details.{k}" for k in sorted(set(before.details) | set(after.details), key=str)
              if before.details.get(k) != after.details.get(k) and k not in amended]
    appended = {"decisions", "amendments", "withdrawn", "ended", "details"}
    fields += [str(k) for k in sorted(set(before.data) | set(after.data), key=str)
               if k not in appended and before.data.get(k) != after.data.get(k)]
    old_decisions, new_decisions = before.decisions, after.decisions
    if new_decisions[:len(old_decisions)] != old_decisions:
        fields.append("decisions (earlier entries changed or removed)")
    if after.amendments[:len(before.amendments)] != before.amendments:
        fields.append("amendments (earlier entries changed or removed)")
    for key in ("withdrawn", "ended"):
        if before.data.get(key) and after.data.get(key) != before.data.get(key):
            fields.append(f"{key} (changed or removed)")
    return [{"event": "edited", "fields": fields}] if fields else []


def moved_out(history: History, elsewhere: Container[str]) -> list[Finding]:
    """Each sensitive record removed from a main register (allowed only as a move to its
    restricted register) that is not in the restricted register's records `elsewhere` (ids):
    a criminal matter must not disappear on its way out."""
    from .validate import leaves_for_restricted

    history.fetch_settings()
    out = []
    for step in steps(history):
        if step.new is not None or step.record_id in elsewhere:
            continue
        settings = history.settings_before(step.commit)
        try:
            ctx = settings_context(settings)
        except CocError:
            continue
        if ctx is not None and leaves_for_restricted(step.path, ctx):
            out.append(_anomaly(step, _f("restricted-register", f"{step.path} left this "
                                         "register but is not in the restricted register: a "
                                         "sensitive record is moved there, never dropped")))
    return out


def moved_in(main: History, restricted: History) -> list[Finding]:
    """Each record brought into the restricted register as a move (`transferred`) that no
    commit of the main register removed byte for byte as it arrived: a move never makes up or
    changes a record on the way."""
    from .history import transferred

    left = {step.old for step in steps(main) if step.new is None and step.old}
    came = [step for step in steps(restricted)
            if step.old is None and step.new is not None and step.new not in left]
    restricted.fetch_settings()
    restricted.fetch(step.new for step in came)
    out = []
    for step in came:
        settings = restricted.settings_before(step.commit)
        try:
            ctx = settings_context(settings)
            after = restricted.record(step.new, step.path)
        except CocError:
            continue
        if ctx is not None and after is not None and \
                transferred(after, ctx, committer_of(step.commit, settings)):
            out.append(_anomaly(step, _f("restricted-register", f"{step.path} was brought into "
                                         "the restricted register as a move, but the main "
                                         "register never held it as it arrived")))
    return out


def record_ids(history: History) -> list[str]:
    """Every record id the history has seen, for reports that list what passed."""
    return sorted({c.record_id for commit in history.commits for c in commit.changes
                   if c.record_id})
