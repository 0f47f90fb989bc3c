"""`campaigns/YEAR.yaml`: what `coc campaign open YEAR` recorded, read back as untrusted data.

Opening a campaign fixes, in one commit by HR, who was asked to make a return (people.yaml as
it stood that day, judged by coc.yaml practice.campaign), the window and the kinds a return
covers. Joiners and leavers during the campaign then change nothing of who was asked, so the
non-declarers list published afterwards can be checked against the history.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import CocError
from .record import DEPARTMENT_RE, PERSON_ID_RE

FOLDER = "campaigns"
KEYS = ("year", "opened_on", "opened_by", "opens", "closes", "who", "kinds", "people")


@dataclass(frozen=True)
class OpenCampaign:
    year: int
    opened_on: date
    opened_by: str
    opens: date
    closes: date
    who: str                                   # as coc.yaml said when it opened, in words
    kinds: tuple[str, ...]
    people: tuple[tuple[str, str], ...]        # (person id, department) asked to return


def campaign_path(root: Path, year: int) -> Path:
    if not 1900 <= year <= 9999:
        raise CocError(f"{year} is not a year", field="YEAR")
    return root / FOLDER / f"{year:04d}.yaml"


def read_campaign(root: Path, year: int) -> OpenCampaign | None:
    """The campaign opened for `year`, or None when it was never opened."""
    from .yamlio import located, read_fast

    path = campaign_path(root, year)
    if not path.exists() and not path.is_symlink():
        return None
    shown = f"{FOLDER}/{path.name}"
    try:
        return parse_campaign(read_fast(path, shown), shown, year)
    except CocError as exc:
        raise located(exc, path) from None


def parse_campaign(data: Any, shown: str, year: int) -> OpenCampaign:
    if not isinstance(data, dict):
        raise CocError("expected a mapping", path=shown)
    unknown = sorted(str(k) for k in data if k not in KEYS)
    if unknown:
        raise CocError(f"unknown key {unknown[0]!r}", path=shown, field=unknown[0])
    if data.get("year") != year:
        raise CocError(f"must be {year}, the year in the file's name", path=shown, field="year")
    days = {}
    for key in ("opened_on", "opens", "closes"):
        if not isinstance(data.get(key), date) or hasattr(data[key], "hour"):
            raise CocError("must be a date (YYYY-MM-DD)", path=shown, field=key)
        days[key] = data[key]
    if days["opens"] > days["closes"]:
        raise CocError("closes is before opens", path=shown, field="closes")
    by = data.get("opened_by")
    if not isinstance(by, str) or not PERSON_ID_RE.match(by):
        raise CocError("must be a people.yaml id", path=shown, field="opened_by")
    kinds = data.get("kinds") or []
    if not isinstance(kinds, list) or not all(isinstance(k, str) and k for k in kinds):
        raise CocError("must be a list of kinds", path=shown, field="kinds")
    people = data.get("people") or []
    if not isinstance(people, list):
        raise CocError("must be a list of {id, department}", path=shown, field="people")
    asked = []
    for i, entry in enumerate(people):
        if not isinstance(entry, dict) or set(entry) != {"id", "department"} or \
                not isinstance(entry["id"], str) or not PERSON_ID_RE.match(entry["id"]) or \
                not isinstance(entry["department"], str) or \
                not DEPARTMENT_RE.match(entry["department"]):
            raise CocError("must be {id: PERSON, department: DEPARTMENT}", path=shown,
                           field=f"people[{i}]")
        asked.append((entry["id"], entry["department"]))
    who = data.get("who")
    if not isinstance(who, str) or "\n" in who or len(who) > 200:
        raise CocError("must be one line of text", path=shown, field="who")
    return OpenCampaign(year, days["opened_on"], by, days["opens"], days["closes"], who,
                        tuple(kinds), tuple(asked))


def dump_campaign(campaign: OpenCampaign, source: str) -> str:
    """The file `coc campaign open` writes; `source` says which coc.yaml rule chose them."""
    from ruamel.yaml.comments import CommentedMap

    from .yamlio import dump_roundtrip

    data = CommentedMap(year=campaign.year, opened_on=campaign.opened_on,
                        opened_by=campaign.opened_by, opens=campaign.opens,
                        closes=campaign.closes, who=campaign.who, kinds=list(campaign.kinds),
                        people=[CommentedMap(id=p, department=d) for p, d in campaign.people])
    head = (f"# The {campaign.year} declarations campaign, opened by `coc campaign open`: who\n"
            f"# was asked for a return ({source}: the organisation's practice, not the\n"
            "# code's), the window, and the kinds a return covers.\n")
    return head + dump_roundtrip(data)


def open_campaigns(root: Path, today: date) -> list[OpenCampaign]:
    """This year's campaign once its window has opened: a return still owed after the window
    closes stays in the inbox (overdue) until the year is out."""
    campaign = read_campaign(root, today.year)
    return [campaign] if campaign is not None and campaign.opens <= today else []
