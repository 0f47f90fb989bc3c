"""Policies by name: the built-in ones, then installed plugins (entry-point group `coc.policies`).

A register repository only names a policy; its code never comes from the register (SPEC §2).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from coc.registers.errors import CocError

if TYPE_CHECKING:
    from .base import Policy

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
