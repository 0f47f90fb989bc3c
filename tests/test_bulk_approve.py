"""`coc approve ID ID ...` and `--all-from-inbox`: each checked exactly as a single approve,
all before any is made; one refused, none made; then one commit per decision."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import GIFT_FLAGS, git


def declare(coc, root: Path, kind: str, *flags: str, user: str = "jsmith") -> str:
    result = coc(root, "declare", kind, *flags, "--no-input", "--json", user=user)
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def work(coc, root: Path, user: str = "jsmith", organisation: str = "Evening classes") -> str:
    return declare(coc, root, "outside-work", "--organisation", organisation, "--role", "Tutor",
                   "--paid", "yes", "--start-date", "2099-03-01", "--hours-per-week", "3",
                   "--working-pattern", "Tuesday evenings", user=user)


def status(coc, root: Path, record_id: str) -> str:
    return json.loads(coc(root, "show", record_id, "--json").stdout)["status"]


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def subjects(root: Path, n: int) -> list[str]:
    return git(root, "log", f"-{n}", "--format=%s %ae").splitlines()


@pytest.fixture
def luton(make_register) -> Path:
    return make_register("luton")


def test_several_ids_one_commit_each_by_the_approver(luton, coc):
    first, second = work(coc, luton), work(coc, luton, "pbrown", "Football club")
    notice = declare(coc, luton, "criminal-matter", "--event", "caution", "--event-date",
                     __import__("datetime").date.today().isoformat(), "--subject", "self")
    result = coc(luton, "approve", first, second.lower(), notice, user="mjones")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(f"Approved {first} (commit ")
    assert f"Acknowledged (noted) {notice}" in result.output
    assert subjects(luton, 3) == [
        f"note(criminal-matter): {notice} by mjones max.jones@example.gov.uk",
        f"approve(outside-work): {second} by mjones max.jones@example.gov.uk",
        f"approve(outside-work): {first} by mjones max.jones@example.gov.uk"]
    assert [status(coc, luton, i) for i in (first, second, notice)] == \
        ["approved", "approved", "noted"]
    assert coc(luton, "validate", "--all").exit_code == 0
    assert coc(luton, "audit").exit_code == 0


def test_one_refused_and_none_is_decided(luton, coc):
    """agreen declared a relationship with her manager, so he may not decide for her: in a
    batch, as alone, he is refused, and the others in the batch are not decided either."""
    declare(coc, luton, "relationship", "--other-person", "mjones", "--relationship", "partner",
            "--context", "line-management", user="agreen")
    fine, hers = work(coc, luton), work(coc, luton, "agreen")
    alone = coc(luton, "approve", hers, user="mjones")
    before = head(luton)
    result = coc(luton, "approve", fine, hers, user="mjones")
    assert alone.exit_code == result.exit_code == 1
    assert "1 of 2 cannot be decided, so none was" in result.output
    assert hers in result.output and alone.output.split("error: ")[1].split(" [")[0] in \
        result.output
    assert head(luton) == before and status(coc, luton, fine) == "submitted"
    assert git(luton, "status", "--porcelain") == ""


def test_a_breach_refuses_the_batch(make_register, coc):
    """MK §6: a gift of £25 or more may not be kept; approving it is refused, alone or not."""
    mk = make_register("milton-keynes")
    small = declare(coc, mk, "gift", *GIFT_FLAGS[:-1])
    kept = declare(coc, mk, "gift", "--received-on", "2026-11-20", "--donor", "A. Supplier",
                   "--description", "Watch", "--value-gbp", "80", "--outcome", "kept")
    before = head(mk)
    result = coc(mk, "approve", small, kept, user="mjones")
    assert result.exit_code == 1 and kept in result.output and "cannot approve" in result.output
    assert head(mk) == before


def test_all_from_inbox_asks_first(luton, coc):
    first, second = work(coc, luton), work(coc, luton, "pbrown")
    before = head(luton)
    declined = coc(luton, "approve", "--all-from-inbox", user="mjones", input="n\n")
    assert declined.exit_code == 0 and "Nothing was decided." in declined.output
    assert "2 to decide:" in declined.output and "of Jane Smith" in declined.output
    assert head(luton) == before
    accepted = coc(luton, "approve", "--all-from-inbox", user="mjones", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert {status(coc, luton, i) for i in (first, second)} == {"approved"}
    again = coc(luton, "approve", "--all-from-inbox", "--yes", user="mjones")
    assert again.exit_code == 0 and "Nothing waits for your decision." in again.output


def test_all_from_inbox_takes_only_what_waits_for_you(luton, coc):
    mine, others = work(coc, luton), work(coc, luton, "kpatel")   # kpatel's is ddavies's
    result = coc(luton, "approve", "--all-from-inbox", "--yes", "--json", user="mjones")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == [mine]
    assert status(coc, luton, others) == "submitted"
    refused = coc(luton, "approve", "--all-from-inbox", "--json", user="ddavies")
    assert refused.exit_code == 1 and "--yes" in json.loads(refused.stderr)["error"]


def test_a_failure_while_committing_leaves_whole_commits_and_says_which(luton, coc, monkeypatch):
    first, second = work(coc, luton), work(coc, luton, "pbrown")
    from coc.registers import git as git_module

    real, calls = git_module.commit, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(git_module, "commit", failing)
    result = coc(luton, "approve", first, second, user="mjones")
    assert result.exit_code == 1
    assert f"decided before it, each in its own commit: {first}" in result.output
    assert f"not decided: {second}" in result.output
    assert status(coc, luton, first) == "approved" and status(coc, luton, second) == "submitted"
    assert git(luton, "status", "--porcelain") == ""   # the second put back whole
    assert coc(luton, "validate", "--all").exit_code == 0


def test_restricted_records_are_decided_in_the_restricted_register(tmp_path, coc):
    from datetime import date

    from coc.cli.init import init_register

    main, restricted = tmp_path / "main", tmp_path / "restricted"
    init_register(main, "luton", restricted=restricted)
    notice = declare(coc, main, "criminal-matter", "--event", "caution", "--event-date",
                     date.today().isoformat(), "--subject", "self")
    plain = work(coc, main)
    result = coc(main, "approve", notice, plain, "--json", user="mjones")
    assert result.exit_code == 0, result.output
    paths = {r["id"]: r["path"] for r in json.loads(result.stdout)}
    assert paths[notice].startswith("../restricted/registers/")
    assert git(restricted, "log", "-1", "--format=%s").strip() == \
        f"note(criminal-matter): {notice} by mjones"
    assert git(main, "log", "-1", "--format=%s").strip() == \
        f"approve(outside-work): {plain} by mjones"


def test_approve_needs_an_id(luton, coc):
    result = coc(luton, "approve", user="mjones")
    assert result.exit_code == 2 and "--all-from-inbox" in result.output
