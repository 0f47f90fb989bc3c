"""`coc codeowners`: CODEOWNERS from people.yaml, checked line by line for the example
organisation, written by `coc init`, deterministic, and `--check` for CI."""
from __future__ import annotations

import re

from coc.cli.codeowners import HEADER
from conftest import git

MO = "morgan.okafor@example.gov.uk"
HR = "harper.reed@example.gov.uk"
CE = "chris.carter@example.gov.uk"

# The example organisation (templates/register/people.example.yaml), by department:
#   housing: jsmith, pbrown, agreen -> mjones (service manager) -> hhughes (head of service)
#            -> sshah (service director) -> ddavies (director) -> ccarter (chief executive)
#   childrens-services: kpatel -> ddavies;  legal: mokafor -> ccarter;  hr: hreed -> ccarter
#   corporate: ccarter, with no one above: the Monitoring Officer decides (the fallback)
EXPECTED = [
    "",
    "# Anything not matched below: the Monitoring Officer.",
    f"* {MO}",
    "",
    "# Files that change how every record is judged.",
    f"/coc.yaml {MO}",
    f"/CODEOWNERS {MO}",
    f"/.pre-commit-config.yaml {MO}",
    f"/.github/ {MO}",
    f"/.gitlab-ci.yml {MO}",
    f"/.coc/ {MO}",
    f"/people.yaml {HR} {MO}",
    "",
    "# Each department's records: its people's line managers and approving roles.",
    f"/registers/childrens-services/ {CE} dana.davies@example.gov.uk",
    f"/registers/corporate/ {CE} {MO}",
    f"/registers/housing/ {CE} dana.davies@example.gov.uk hana.hughes@example.gov.uk "
    "max.jones@example.gov.uk sam.shah@example.gov.uk",
    f"/registers/hr/ {CE}",
    f"/registers/legal/ {CE}",
]
LUTON_ONLY = [
    "",
    "# Kinds an organisation-wide role decides, in every department.",
    "# political-restriction-appeal: the monitoring officer [Luton §16.4]",
    f"/registers/*/political-restriction-appeal/ {MO}",
]


def body(text: str) -> list[str]:
    assert text.startswith(HEADER)
    return text[len(HEADER):].splitlines()


def test_coc_init_writes_codeowners_for_the_example_organisation_line_by_line(make_register):
    luton = (make_register("luton") / "CODEOWNERS").read_text()
    assert body(luton) == EXPECTED + LUTON_ONLY
    # the Milton Keynes code has no political-restriction appeal, so no line for it
    assert body((make_register("milton-keynes") / "CODEOWNERS").read_text()) == EXPECTED


def test_every_line_is_github_and_gitlab_syntax(make_register):
    text = (make_register("luton") / "CODEOWNERS").read_text()
    assert "owners are the emails in people.yaml" in text.lower()
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        pattern, *owners = line.split(" ")
        # anchored (or the catch-all), no gitignore negation or ranges, which GitHub refuses
        assert pattern == "*" or pattern.startswith("/"), line
        assert not re.search(r"[!\[\]\\]", pattern), line
        assert owners and all(re.fullmatch(r"[a-z0-9.]+@example\.gov\.uk", o) for o in owners)
        assert owners == sorted(set(owners)), "owners sorted, no repeats"


def test_check_passes_after_init_and_fails_when_people_change(make_register, coc):
    root = make_register("luton")
    assert coc(root, "codeowners", "--check").exit_code == 0
    people = root / "people.yaml"
    people.write_text(people.read_text() + (
        "  - id: ttaylor\n    name: Toni Taylor\n    email: toni.taylor@example.gov.uk\n"
        "    department: planning\n    grade: F\n    manager: sshah\n"))
    result = coc(root, "codeowners", "--check")
    assert result.exit_code == 1
    assert "CODEOWNERS: out of date with people.yaml: run `coc codeowners`" in result.output
    before = (root / "CODEOWNERS").read_text()
    assert "planning" not in before     # --check writes nothing

    result = coc(root, "codeowners")
    assert result.exit_code == 0, result.output
    lines = (root / "CODEOWNERS").read_text().splitlines()
    # Toni's line manager, and the approving roles above them, up to the chief executive
    assert f"/registers/planning/ {CE} dana.davies@example.gov.uk sam.shah@example.gov.uk" \
        in lines
    assert coc(root, "codeowners", "--check").exit_code == 0


def test_missing_file_fails_the_check(make_register, coc):
    root = make_register("luton")
    git(root, "rm", "-q", "CODEOWNERS")
    result = coc(root, "codeowners", "--check")
    assert result.exit_code == 1 and "CODEOWNERS: missing" in result.output


def test_output_is_deterministic_whatever_the_order_of_people(make_register, coc, tmp_path):
    root = make_register("luton")
    first = coc(root, "codeowners", "--output", "-").output
    assert first == (root / "CODEOWNERS").read_text()
    text = (root / "people.yaml").read_text()
    head, _, rest = text.partition("people:\n")
    entries = ["  - id:" + e for e in rest.split("  - id:")[1:]]
    (root / "people.yaml").write_text(head + "people:\n" + "".join(reversed(entries)))
    assert coc(root, "codeowners", "--output", "-").output == first
    out = tmp_path / "docs" / "CODEOWNERS"
    assert coc(root, "codeowners", "--output", str(out)).exit_code == 0
    assert out.read_text() == first
    assert coc(root, "codeowners", "--check", "--output", str(out)).exit_code == 0
