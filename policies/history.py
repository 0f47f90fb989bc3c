"""What one commit may do to one record, judged against the record as last committed (SPEC §6).

The register's history is its audit trail, so a change may only add to it: decisions and
amendments are appended, never edited or removed; a withdrawal or an ending is final; a
decided record's details change only through an amendment (which then needs a fresh
decision, Luton §19.4); and whoever adds an entry must be the person committing it and, for a
decision, someone the policy allows. Facts are recorded even when they breach the code (a gift
already kept: SPEC §5); decisions are refused when they would breach it.

Used by the pre-commit hook on staged records and by `coc approve` & co. before they commit,
so both refuse the same things with the same messages.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coc.policies.base import Context
from coc.policies.engine import (authority_findings, duty_of, open_breaches,
                                 stale_decision_findings)
from coc.registers.findings import Finding
from coc.registers.people import People, Person
from coc.registers.record import Record

IDENTITY = ("id", "kind", "declarant", "recorded_by", "declared_on")
FINAL = ("withdrawn", "ended")
VERDICTS = ("approved", "rejected", "noted")


@dataclass(frozen=True)
class Committer:
    """Who is committing: git's author email, and their people.yaml entry when there is one."""

    email: str
    person: Person | None
    mismatch: str | None = None   # why this commit's identity cannot be trusted (author != committer)

    @property
    def id(self) -> str | None:
        return self.person.id if self.person else None


def _f(rule: str, message: str, field: str | None = None) -> Finding:
    return Finding(rule=rule, message=message, severity="error", field=field)


def review(before: Record | None, after: Record, found_before: Sequence[Finding],
           found_after: Sequence[Finding], ctx: Context, committer: Committer, *,
           merging: bool = False) -> tuple[list[Finding], list[Finding]]:
    """(what refuses the change, what it records but flags) for one record.

    `found_*` are the content findings (schema, deadlines, policy rules) of each version; only
    those the change introduces count. A breach introduced by a decision refuses the change; a
    breach in a newly recorded fact is flagged. While merging, entries were checked when their
    own commits were made, so they need not be by the person merging.
    """
    history = history_findings(before, after, ctx, committer, merging=merging)
    already = {(f.rule, f.field) for f in found_before if f.failing}
    already |= {(f.rule, f.field) for f in history}
    introduced = [f for f in found_after if f.failing and (f.rule, f.field) not in already]
    decides = len(after.decisions) > len(before.decisions if before else [])
    blocking = history + [f for f in introduced if f.severity == "error" or decides]
    flagged = [f for f in introduced if f not in blocking]
    return blocking, flagged


def history_findings(before: Record | None, after: Record, ctx: Context, committer: Committer,
                     *, merging: bool = False, memo: Verdicts | None = None) -> list[Finding]:
    """The history rules: append-only, identity kept, details by amendment, who added what.

    `memo` (audit) keeps the decision findings of each record version already judged by
    this `ctx`, as a merge or a pull request judges the same version again."""
    out: list[Finding] = []
    if before is not None:
        out += _identity_kept(before, after)
        out += _appended_only(before.data, after.data)
        out += _details_by_amendment(before, after)
    added = list(_added_entries(before, after))
    if before is None:
        added.insert(0, ("recorded_by", {"by": after.recorded_by}))
    if added and not merging and not (before is None and transferred(after, ctx, committer)):
        out += _added_by_committer(added, committer)
    out += _change_authority(added, after, ctx)
    first_new = len(before.decisions) if before else 0
    new = range(first_new, len(after.decisions))
    out += memo.decisions(after, new) if memo is not None else _decision_findings(after, ctx, new)
    out += imported_findings(before, after)
    if not any(f.rule == "amendment-required" for f in out):   # that says it already
        stale_before = {f.field for f in stale_decision_findings(before)} if before else set()
        out += [f for f in stale_decision_findings(after) if f.field not in stale_before]
    return out


def imported_findings(before: Record | None, after: Record) -> list[Finding]:
    """A decision marked `imported:` is one `coc import` carried in from the source, and so
    comes only with its record, in the same commit, naming that record's own source row and
    recorded by whoever recorded the record; anything else that says so is a forgery."""
    start = len(before.decisions) if before else 0
    out = []
    for i, decision in enumerate(after.decisions[start:], start=start):
        if "imported" not in decision:
            continue
        where = f"decisions.{i}.imported"
        if before is not None:
            out.append(_f("imported-decision", "an imported decision comes in only with its "
                          "record, by `coc import`; this one was added to a record already in "
                          "the register", where))
        elif not after.is_imported(decision):
            out.append(_f("imported-decision", "an imported decision names its record's own "
                          "source row (imported_from) and is recorded by the person who "
                          "imported the record; this one does not", where))
    return out


def _identity_kept(before: Record, after: Record) -> list[Finding]:
    out = []
    for key in IDENTITY:
        old, new = before.data.get(key), after.data.get(key)
        if old != new:
            out.append(_f("record-identity", f"changed from {old!r} to {new!r}: what identifies a "
                          "record never changes (withdraw it and declare again)", key))
    return out


def _appended_only(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Finding]:
    out = []
    for key in ("decisions", "amendments"):
        old, new = before.get(key) or [], after.get(key) or []
        if not isinstance(old, list) or not isinstance(new, list):
            continue
        for i, entry in enumerate(old):
            if i >= len(new):
                out.append(_f("append-only", f"{key}.{i} was removed: {key} are only ever "
                              "appended", f"{key}.{i}"))
                break
            if new[i] != entry:
                out.append(_f("append-only", f"{key}.{i} was changed: {key} are only ever "
                              "appended", f"{key}.{i}"))
    for key in FINAL:
        if before.get(key) is not None and after.get(key) != before.get(key):
            out.append(_f("append-only", f"{key} was changed or removed: once recorded it is "
                          "final", key))
    return out


def _details_by_amendment(before: Record, after: Record) -> list[Finding]:
    """Once anyone has decided, the details change only through amendments that say so."""
    new_amendments = after.amendments[len(before.amendments):]
    if not before.decisions and not new_amendments:
        return []   # an undecided declaration may be corrected freely (in its pull request)
    expected = {k: v for k, v in before.details.items() if v is not None}
    for amendment in new_amendments:
        changes = amendment.get("changes")
        if isinstance(changes, Mapping):
            expected.update(changes)
    expected = {k: v for k, v in expected.items() if v is not None}
    actual = {k: v for k, v in after.details.items() if v is not None}
    out = []
    for key in sorted(set(expected) | set(actual), key=str):
        if expected.get(key) != actual.get(key):
            flag = "--" + str(key).replace("_", "-")
            out.append(_f("amendment-required", "changed without an amendment saying so: record a "
                          f"change with `coc amend {after.id} {flag} VALUE`, which asks for a "
                          "fresh decision", f"details.{key}"))
    return out


def _added_entries(before: Record | None, after: Record) -> Iterable[tuple[str, Mapping[str, Any]]]:
    """(field, entry) for everything this change adds to the record's history."""
    for key in ("decisions", "amendments"):
        old = getattr(before, key) if before else []
        for i, entry in enumerate(getattr(after, key)[len(old):], start=len(old)):
            yield f"{key}.{i}", entry
    for key in FINAL:
        entry = after.data.get(key)
        if isinstance(entry, Mapping) and (before is None or before.data.get(key) is None):
            yield key, entry


def transferred(after: Record, ctx: Context, committer: Committer) -> bool:
    """A whole record brought into a restricted register by HR or the Monitoring Officer,
    recorded by someone else: moved from the main register, its entries keep their own
    authors. `coc audit` with both registers checks that it left the main one as it came."""
    person = committer.person
    return (ctx.register_role == "restricted" and person is not None and not committer.mismatch
            and after.recorded_by != person.id
            and (person.has_role("hr") or person.has_role("monitoring-officer")))


def _added_by_committer(added: list[tuple[str, Mapping[str, Any]]],
                        committer: Committer) -> list[Finding]:
    if committer.mismatch:
        return [_f("committer-identity", committer.mismatch)]
    if committer.person is None:
        return [_f("committer-identity", f"the commit's author {committer.email} is not in "
                   "people.yaml, so cannot declare or decide: set `git config user.email` to "
                   "your people.yaml email")]
    return [_f("committer-identity", f"says it is by {entry.get('by')!r} but the commit is by "
               f"{committer.id}: declare, decide and change records only as yourself",
               where if where == "recorded_by" else f"{where}.by")
            for where, entry in added if entry.get("by") != committer.id]


def _change_authority(added: list[tuple[str, Mapping[str, Any]]], after: Record,
                      ctx: Context) -> list[Finding]:
    """Amendments, withdrawals and endings come from the declarant, or HR on their behalf."""
    out = []
    for where, entry in added:
        if where.startswith("decisions.") or where == "recorded_by":
            continue
        by = entry.get("by")
        person = ctx.people.get(by) if isinstance(by, str) else None
        if by != after.declarant and not (person and person.has_role("hr")):
            out.append(_f("change-authority", f"{by} is neither the declarant ({after.declarant}) "
                          "nor HR, so cannot amend, end or withdraw this declaration",
                          f"{where}.by"))
    return out


class Verdicts:
    """The decision findings of record versions under one context (one coc.yaml, people.yaml
    and policy): a version's findings depend on nothing else but the context records, so
    whoever changes those calls `clear`. A version is its parsed data, held here so that its
    id cannot be reused while the memo lives."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._seen: dict[tuple[int, str, int, int], tuple[Any, list[Finding]]] = {}

    def decisions(self, after: Record, new: range) -> list[Finding]:
        key = (id(after.data), after.path, new.start, new.stop)
        hit = self._seen.get(key)
        if hit is None or hit[0] is not after.data:
            hit = self._seen[key] = (after.data, _decision_findings(after, self.ctx, new))
        return list(hit[1])

    def clear(self) -> None:
        self._seen.clear()


def _decision_findings(after: Record, ctx: Context, new: range) -> list[Finding]:
    """New decisions: by someone allowed, of the right sort, on the details as they now stand."""
    if not new:
        return []
    out = authority_findings(after, ctx, new) if ctx.policy and after.kind in ctx.policy.kinds \
        else []
    kind = ctx.policy.kinds.get(after.kind) if ctx.policy else None
    for i in new:
        decision = after.decisions[i]
        verdict = decision.get("decision")
        where = f"decisions.{i}"
        if decision.get("details_version") != after.version:
            out.append(_f("decision-version", f"details_version is {decision.get('details_version')!r}"
                          f" but the details have had {after.version} amendment(s): a decision "
                          "applies to the details as they now stand", f"{where}.details_version"))
        if after.data.get("withdrawn") or after.data.get("ended"):
            out.append(_f("decision-sequence", "a withdrawn or ended declaration is not decided",
                          f"{where}.decision"))
        before_it = _decided_up_to(after, i)
        if verdict in VERDICTS:
            earlier = before_it.verdict()
            if earlier is not None:
                # as `coc approve` refuses: a decision stands until the details change, so an
                # approval appended after a rejection does not overturn it (issue 8, contract 2)
                out.append(_f("decision-sequence", f"already {earlier.get('decision')} by "
                              f"{earlier.get('by')}: a new decision follows a change of details "
                              "(an amendment)", f"{where}.decision"))
        if kind is not None and verdict in VERDICTS:
            out += _verdict_fits_duty(after, ctx, i, before_it)
        if verdict == "conditions-accepted":
            if not before_it.conditions() or before_it.conditions_accepted():
                out.append(_f("decision-sequence", "there are no conditions waiting to be accepted",
                              f"{where}.decision"))
    return out


def _decided_up_to(after: Record, i: int) -> Record:
    """The record as it stood with its first `i` decisions (itself, when that is all of them)."""
    if i == len(after.decisions):
        return after
    return Record(data={**after.data, "decisions": after.decisions[:i]}, path=after.path)


def _verdict_fits_duty(after: Record, ctx: Context, i: int, earlier: Record) -> list[Finding]:
    """A permission is approved or rejected, a notification noted, a record decided by nobody
    (issue 8, contract 1); and nothing with an open breach is approved or noted (contract 2).
    `earlier`: the record with the decisions before this one."""
    verdict, where = after.decisions[i].get("decision"), f"decisions.{i}"
    duty = duty_of(earlier, ctx)
    # the breaches this decision leaves open: judged with it in place, so a rejection earlier
    # in the list does not count as handling what an approval after it would approve
    breaches = open_breaches(earlier if verdict == "rejected" else _decided_up_to(after, i + 1),
                             ctx)
    if verdict == "rejected" and breaches:
        return []     # rejecting is a way out of a breach, whatever the duty (contract 2)
    if duty is not None and duty.action is None:
        return [_f("decision-not-asked", f"{duty.section} asks only that this is recorded "
                   f"(\"{duty.words}\"): nobody approves, rejects or notes it",
                   f"{where}.decision")]
    if duty is not None and (verdict == "noted") != (duty.action == "acknowledge"):
        want = "noted (acknowledged)" if duty.action == "acknowledge" else "approved or rejected"
        return [_f("decision-sequence", f"under {duty.section} this {after.kind} is {want}, "
                   f"not {verdict}", f"{where}.decision")]
    if verdict != "rejected" and breaches:
        return [_f("approves-breach", breach_refusal(after, breaches), f"{where}.decision")]
    return []


def breach_refusal(record: Record, breaches: Sequence[Finding]) -> str:
    """Why nobody may approve this record, and the three ways out (issue 8, contract 2)."""
    first = breaches[0]
    more = f" (and {len(breaches) - 1} more)" if len(breaches) > 1 else ""
    return (f"cannot approve: {first.message} [{first.section}]{more}; an approval never "
            f"resolves a breach: amend the record to remove its cause (`coc amend {record.id}`), "
            f"reject it (`coc reject {record.id}`), or the declarant withdraws it")


# Who answers for the files that are not records --------------------------------------------

# people.yaml is the organisation, HR's (and the Monitoring Officer's); coc.yaml and what runs
# or requires the checks (hooks, CI, code owners, the audit anchor) decide how every record is
# judged: the Monitoring Officer's. The same owners `coc codeowners` writes.
PEOPLE_OWNERS = ("hr", "monitoring-officer")
CONFIG_OWNERS = ("monitoring-officer",)
GOVERNED_FILES = ("people.yaml", "coc.yaml", ".pre-commit-config.yaml", ".gitlab-ci.yml",
                  "CODEOWNERS")
GOVERNED_FOLDERS = (".github/", ".gitlab/", ".coc/")
# A person's entry grants power: who their manager is, what roles, grade and flags they have,
# which email acts as them. Nobody changes these for themselves.
SELF_SERVING = ("manager", "roles", "grade", "flags", "email")


def owners_of(path: str) -> tuple[str, ...] | None:
    """The roles that may change `path` (None: not a governed file)."""
    if path == "people.yaml" or path.startswith("campaigns/"):   # who is asked for a return
        return PEOPLE_OWNERS
    if path in GOVERNED_FILES or path.startswith(GOVERNED_FOLDERS) or \
            path.rsplit("/", 1)[-1] == "CODEOWNERS":
        return CONFIG_OWNERS
    return None


def file_authority(path: str, actors: Sequence[tuple[str, Person | None]]) -> Finding | None:
    """A governed file changed by someone (author or committer: `(email, person)`, people by
    the people.yaml in force before the change) without a role that owns it."""
    owners = owners_of(path)
    if owners is None:
        return None
    for email, person in actors:
        if person is None or not any(person.has_role(r) for r in owners):
            who = person.label() if person else f"{email} (not in people.yaml)"
            return _f("file-authority", f"{path} was changed by {who}, who does not hold the "
                      f"role that owns it ({' or '.join(owners)})", path)
    return None


def self_serving(before: People | None, after: People | None,
                 actors: Sequence[tuple[str, Person | None]]) -> list[Finding]:
    """people.yaml changes that give power to whoever made them: their own manager, roles,
    grade, flags or email; becoming someone's manager; someone's email becoming theirs."""
    if before is None or after is None:
        return []
    out = []
    for email, person in actors:
        if person is None:
            continue
        mine = after.get(person.id)
        for key in SELF_SERVING:
            old, new = getattr(person, key), getattr(mine, key) if mine else None
            if old != new:
                out.append(_f("self-serving-change", f"{person.label()} changed their own {key} "
                              f"in people.yaml (from {old!r} to {new!r}): someone else (HR or "
                              "the Monitoring Officer) makes changes to your own entry",
                              f"people.{person.id}.{key}"))
        for other in after:
            was = before.get(other.id)
            if other.id == person.id:
                continue
            if other.manager == person.id and (was is None or was.manager != person.id):
                out.append(_f("self-serving-change", f"{person.label()} made themselves the "
                              f"manager of {other.id} in people.yaml", f"people.{other.id}.manager"))
            if other.email.lower() == email.lower() and (was is None or was.email != other.email):
                out.append(_f("self-serving-change", f"{person.label()} gave {other.id} their own "
                              f"email {email}: commits from it would act as {other.id}",
                              f"people.{other.id}.email"))
    return out
