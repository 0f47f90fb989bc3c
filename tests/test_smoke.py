"""The walking skeleton: init, declare, show, validate through the real CLI on a real repo."""
from __future__ import annotations

import json

from conftest import GIFT_FLAGS, git


def test_declare_gift_commits_one_record_as_the_declarant(make_register, coc):
    root = make_register("luton")
    result = coc(root, "declare", "gift", *GIFT_FLAGS, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (root / out["path"]).is_file()
    log = git(root, "log", "-1", "--format=%an <%ae>|%s")
    assert log.strip() == f"Jane Smith <jane.smith@example.gov.uk>|declare(gift): {out['id']} by jsmith"
    shown = json.loads(coc(root, "show", out["id"], "--json").output)
    assert shown["status"] == "submitted" and shown["declarant"] == "jsmith"
    assert coc(root, "validate", "--all").exit_code == 0
