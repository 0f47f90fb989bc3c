"""Policies by name: the built-in ones, then installed plugins (entry-point group `coc.policies`);
and a register composed with the policy its coc.yaml names (`registers/` knows no policy).

A register repository only names a policy; its code never comes from the register (SPEC §2).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Mapping

from coc.registers.errors import CocError

if TYPE_CHECKING:
    from coc.registers.history import Settings
    from coc.registers.record import Record
    from coc.registers.store import Register

    from .base import Context, Policy

BUILT_IN = {"milton-keynes": "coc.policies.milton_keynes", "luton": "coc.policies.luton"}
_loaded: dict[str, "Policy"] = {}


def names() -> list[str]:
    return sorted(set(BUILT_IN) | set(_plugins()))


def _plugins() -> dict[str, object]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group="coc.policies")}


def get_policy(name: str) -> "Policy":
    """The policy called `name`; a clear `CocError` listing the known ones otherwise."""
    if name in _loaded:
        return _loaded[name]
    if name in BUILT_IN:
        policy = importlib.import_module(BUILT_IN[name]).POLICY
    else:
        plugin = _plugins().get(name)
        if plugin is None:
            raise CocError(f"unknown policy {name!r} (installed: {', '.join(names())})",
                           field="policy")
        loaded = plugin.load()  # type: ignore[attr-defined]
        policy = getattr(loaded, "POLICY", loaded)
    _loaded[name] = policy
    return policy


# --- a register with its policy: composed here, since registers/ knows no policy -------------

def policy_for(register: "Register") -> "Policy":
    """The policy the register's coc.yaml names; an unknown name is an error at its line."""
    from coc.registers.store import CONFIG_FILE
    from coc.registers.yamlio import located

    try:
        return get_policy(register.config.policy)
    except CocError as exc:
        exc.path = exc.path or CONFIG_FILE
        raise located(exc, register.root / CONFIG_FILE) from None


def parameters_for(register: "Register") -> dict[str, Any]:
    """coc.yaml's parameters checked against the policy: every command checks them (issue 2)."""
    from coc.registers.store import CONFIG_FILE
    from coc.registers.yamlio import located

    policy = policy_for(register)
    try:
        return policy.resolve_parameters(register.config.parameters, CONFIG_FILE,
                                         register.config.grades)
    except CocError as exc:
        raise located(exc, register.root / CONFIG_FILE) from None


def context_for(register: "Register", records: "Mapping[str, Record] | None" = None) -> "Context":
    """A rule context: the register's people, calendar and practice, its policy and parameters."""
    from .base import Context

    git_dir = register.root / ".git"
    return Context(people=register.people, parameters=parameters_for(register),
                   calendar_name=register.config.calendar, records=records or {},
                   policy=policy_for(register), register_role=register.config.role,
                   practice=register.config.practice,
                   cache_dir=git_dir / "coc" if git_dir.is_dir() else None)


def settings_context(settings: "Settings", records: "Mapping[str, Record] | None" = None
                     ) -> "Context | None":
    """A rule context with the policy, parameters and people of a commit (its `Settings`)."""
    from .base import Context

    config, people = settings.config, settings.people
    if config is None or people is None:
        return None
    policy = get_policy(config.policy)
    return Context(people=people, parameters=policy.resolve_parameters(
        config.parameters, grades=config.grades), calendar_name=config.calendar,
        records=dict(records or {}), policy=policy, register_role=config.role,
        practice=config.practice)
