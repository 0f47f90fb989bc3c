"""The register's `coc.yaml`: which policy, which calendar, the grade scale, policy parameters."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import CocError

CALENDARS = ("england-and-wales", "scotland", "northern-ireland")
DEFAULT_GRADES = tuple("ABCDEFGHIJKLM")
CONFIG_KEYS = ("policy", "calendar", "grades", "parameters", "require_signed_commits",
               "restricted_register", "restricted")


@dataclass(frozen=True)
class Config:
    policy: str
    calendar: str = "england-and-wales"
    grades: tuple[str, ...] = DEFAULT_GRADES
    parameters: Mapping[str, Any] = field(default_factory=dict)
    require_signed_commits: bool = False
    restricted_register: str | None = None
    restricted: bool = False     # this repository IS an organisation's restricted register

    @property
    def role(self) -> str:
        """`restricted` (holds the sensitive kinds), `main` (routes them to a restricted
        register) or `single` (holds everything: no restricted register configured)."""
        if self.restricted:
            return "restricted"
        return "main" if self.restricted_register else "single"


def parse_config(data: Any, path: str = "coc.yaml") -> Config:
    """Check the shape of coc.yaml; parameter names are checked against the policy later."""
    if not isinstance(data, Mapping):
        raise CocError("expected a mapping", path=path)
    unknown = sorted(str(k) for k in data if k not in CONFIG_KEYS)
    if unknown:
        raise CocError(f"unknown key {unknown[0]!r} (known: {', '.join(CONFIG_KEYS)})", path=path,
                       field=unknown[0])
    policy = data.get("policy")
    if not isinstance(policy, str) or not policy:
        raise CocError("required: the name of a policy (luton, milton-keynes)", path=path,
                       field="policy")
    calendar = data.get("calendar", "england-and-wales")
    if calendar not in CALENDARS:
        raise CocError(f"unknown calendar {calendar!r} (known: {', '.join(CALENDARS)})", path=path,
                       field="calendar")
    grades = data.get("grades", list(DEFAULT_GRADES))
    if (not isinstance(grades, list) or not grades
            or not all(isinstance(g, (str, int)) and not isinstance(g, bool) for g in grades)
            or len(set(map(str, grades))) != len(grades)):
        raise CocError("must be a list of distinct grade names, lowest first", path=path,
                       field="grades")
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        raise CocError("must be a mapping of parameter names to values", path=path,
                       field="parameters")
    signed = data.get("require_signed_commits", False)
    if not isinstance(signed, bool):
        raise CocError("must be true or false", path=path, field="require_signed_commits")
    restricted = data.get("restricted_register")
    if restricted is not None and (not isinstance(restricted, str) or not restricted.strip()
                                   or len(restricted) > 1000
                                   or any(ord(c) < 32 or ord(c) == 127 for c in restricted)):
        raise CocError("must be the path of the restricted register repository (relative to "
                       "this register, or absolute)", path=path, field="restricted_register")
    is_restricted = data.get("restricted", False)
    if not isinstance(is_restricted, bool):
        raise CocError("must be true or false", path=path, field="restricted")
    if is_restricted and restricted is not None:
        raise CocError("a restricted register routes nothing further: remove "
                       "restricted_register here", path=path, field="restricted_register")
    return Config(policy=policy, calendar=calendar, grades=tuple(map(str, grades)),
                  parameters=dict(parameters), require_signed_commits=signed,
                  restricted_register=restricted, restricted=is_restricted)


def load_config(path: Path) -> Config:
    from .yamlio import located, read_fast

    try:
        return parse_config(read_fast(path, path.name), path.name)
    except CocError as exc:
        raise located(exc, path) from None
