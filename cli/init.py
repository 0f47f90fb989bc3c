"""`coc init DIR --policy NAME`: a new register repository, ready to use and with hooks installed."""
from __future__ import annotations

import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import click

from coc.cli import __version__
from coc.registers.errors import CocError

EXAMPLE_PEOPLE = "people.example.yaml"
# What the CI templates pip-install until the register says otherwise: the toolkit's own tag.
# Not `coc` from PyPI: that name belongs to an unrelated project; ours is coc-register.
CI_INSTALL = "coc-register @ git+https://git.example.gov.uk/tools/coc@v{version}"
CI_INSTALL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 @:/._+=~<>!,\[\]#%-]*$")
# The project name a requirement starts with (`coc`, `coc[x]>=1`, `coc @ URL`); paths and URLs
# (`./coc`, `git+https://...`) do not match.
REQUIREMENT_NAME_RE = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[@<>=!~;]|$)")


def _template_files() -> list[tuple[str, Any]]:
    """(path in the new register, resource) for every file under templates/register/."""
    root = resources.files("coc.templates") / "register"
    out = []

    def walk(node: Any, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = child.name
            if name == "__pycache__" or name == EXAMPLE_PEOPLE:
                continue
            target = name[len("dot-"):] if name.startswith("dot-") else name
            target = "." + target if name.startswith("dot-") else target
            if child.is_dir():
                walk(child, f"{prefix}{target}/")
            else:
                out.append((f"{prefix}{target}", child))
    walk(root, "")
    return out


def example_people() -> str:
    return (resources.files("coc.templates") / "register" / EXAMPLE_PEOPLE).read_text("utf-8")


def init_register(directory: Path, policy_name: str, people_file: Path | None = None,
                  org: str | None = None, ci_install: str | None = None,
                  restricted: Path | None = None, *, extra_config: str = "") -> Path:
    """Create and commit a register; the people file and policy are validated first.

    With `restricted`, a second repository there too: the restricted register that holds the
    sensitive kinds (UK GDPR art. 9/10), with the same policy and a copy of people.yaml; the
    main register's coc.yaml names it (`restricted_register`, relative to the main one)."""
    import jinja2

    from coc.policies.registry import get_policy
    from coc.registers.config import DEFAULT_GRADES
    from coc.registers.git import git
    from coc.registers.people import parse_people
    from coc.registers.yamlio import load_fast, write_atomic

    policy = get_policy(policy_name)
    if ci_install is not None:
        _check_ci_install(ci_install)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise CocError(f"{directory} already exists and is not empty; choose a new folder")
    if restricted is not None:
        extra_config += RESTRICTED_CONFIG.format(path=json.dumps(_restricted_link(directory,
                                                                                  restricted)))
    if people_file is not None:
        try:
            people_text = people_file.read_bytes()
        except OSError as exc:
            raise CocError(f"cannot read: {exc.strerror}", path=str(people_file)) from None
        try:   # every mistake at once, each with its line (as inside a register)
            parse_people(load_fast(people_text, str(people_file)), str(people_file),
                         DEFAULT_GRADES)
        except CocError as exc:
            from coc.registers.yamlio import located

            raise located(exc, people_file) from None
        people = people_text.decode("utf-8-sig")
    else:
        people = example_people()
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    values = {"policy": policy, "version": __version__,
              "ci_install": ci_install or CI_INSTALL.format(version=__version__),
              "org": org or ("Example Borough Council (example data)" if people_file is None
                             else directory.resolve().name)}
    directory.mkdir(parents=True, exist_ok=True)
    for target, resource in _template_files():
        text = resource.read_text("utf-8")
        if target.endswith(".j2"):
            target = target[:-3]
            text = env.from_string(text).render(**values)
        if target == "coc.yaml":
            text += extra_config
        write_atomic(directory / target, text)
    write_atomic(directory / "people.yaml", people)
    from coc.cli.codeowners import render_codeowners   # departments' records -> their approvers
    organisation = parse_people(load_fast(people.encode("utf-8"), "people.yaml"), "people.yaml",
                                DEFAULT_GRADES)
    write_atomic(directory / "CODEOWNERS", render_codeowners(organisation, policy))
    (directory / "registers").mkdir(exist_ok=True)
    write_atomic(directory / "registers" / ".gitkeep", "")
    from coc.cli.schema import SCHEMA_DIR, write_schemas   # for editors' modelines (coc schema)
    write_schemas(directory / SCHEMA_DIR, policy)
    git(directory, "init", "-q", "-b", "main")
    git(directory, "add", "-A")
    env_vars = {}
    if not git(directory, "config", "user.email", check=False).strip() and \
            not os.environ.get("GIT_COMMITTER_EMAIL"):
        env_vars = {"GIT_AUTHOR_NAME": "coc init", "GIT_AUTHOR_EMAIL": "coc-init@localhost",
                    "GIT_COMMITTER_NAME": "coc init", "GIT_COMMITTER_EMAIL": "coc-init@localhost"}
    git(directory, "commit", "-q", "--no-verify", "-m",
        f"init: {policy.name} register (coc {__version__})", env=env_vars)
    _install_hooks(directory)
    if restricted is not None:
        init_register(restricted, policy_name, people_file, org, ci_install,
                      extra_config=RESTRICTED_MARK)
    return directory


RESTRICTED_CONFIG = ("# Sensitive kinds (criminal matters, driving disqualifications, "
                     "service-user exceptions,\n# relationships) are written to this separate "
                     "repository, never to this one.\nrestricted_register: {path}\n")
RESTRICTED_MARK = ("# This is a restricted register: it holds only the sensitive kinds, and only "
                   "the\n# people who handle them have a copy.\nrestricted: true\n")


def _restricted_link(directory: Path, restricted: Path) -> str:
    """The restricted register's path relative to the main one, once both are known to be
    separate folders and the restricted one new."""
    if restricted.is_symlink() or (restricted.exists() and (not restricted.is_dir()
                                                            or any(restricted.iterdir()))):
        raise CocError(f"{restricted} already exists and is not empty; choose a new folder",
                       field="--restricted")
    main, other = directory.resolve(), restricted.resolve()
    if main == other or main.is_relative_to(other) or other.is_relative_to(main):
        raise CocError("the restricted register must be a separate folder, neither the "
                       "register nor inside or around it", field="--restricted")
    return os.path.relpath(other, main)


def add_restricted(directory: Path, restricted: Path, policy_name: str, org: str | None = None,
                   ci_install: str | None = None) -> str:
    """A restricted register for the existing register `directory` (same policy, a copy of its
    people.yaml). Returns the coc.yaml line that routes sensitive kinds to it, for the owner of
    coc.yaml (hr or the Monitoring Officer) to commit: coc does not commit it for them."""
    from coc.policies.registry import parameters_for
    from coc.registers.store import Register

    existing = Register(directory, parameters_for)
    if existing.config.policy != policy_name:
        raise CocError(f"{directory} uses the {existing.config.policy} policy: its restricted "
                       "register must use the same", field="--policy")
    if existing.config.restricted or existing.config.restricted_register:
        raise CocError(f"{directory} already is or names a restricted register (coc.yaml)",
                       field="--restricted")
    link = _restricted_link(directory, restricted)
    init_register(restricted, policy_name, existing.root / "people.yaml", org, ci_install,
                  extra_config=RESTRICTED_MARK)
    return f"restricted_register: {json.dumps(link)}"


def _check_ci_install(requirement: str) -> None:
    """A pip requirement for this toolkit, never the unrelated `coc` on PyPI."""
    example = "'coc-register @ git+https://git.example.gov.uk/tools/coc@v1.2.3'"
    if len(requirement) > 300 or not CI_INSTALL_RE.match(requirement):
        raise CocError(f"{requirement!r} is not a pip requirement (like {example})",
                       field="--ci-install")
    name = REQUIREMENT_NAME_RE.match(requirement)
    if name and re.sub(r"[-_.]+", "-", name.group(1)).lower() == "coc":
        raise CocError(f"{requirement!r} would install `coc` from PyPI, an unrelated project: "
                       f"this toolkit is coc-register, from your organisation's copy "
                       f"(like {example}) or a path or URL", field="--ci-install")


def _install_hooks(directory: Path) -> None:
    try:
        from coc.hooks.install import install
    except ImportError:  # pragma: no cover - hooks module ships with the toolkit
        return
    install(directory)


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--policy", "policy_name", required=True, metavar="NAME",
              help="The code of conduct: luton, milton-keynes, or an installed plugin's name.")
@click.option("--people", "people_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Your organisation's people.yaml (default: a clearly marked example).")
@click.option("--org", metavar="NAME", help="The organisation's name, for the register's README.")
@click.option("--ci-install", metavar="REQUIREMENT",
              help="What CI pip-installs to get coc, e.g. "
                   "'coc-register @ git+https://git.example.gov.uk/tools/coc@v1.2.3' "
                   "(not `coc`: that name on PyPI is an unrelated project).")
@click.option("--restricted", type=click.Path(path_type=Path, file_okay=False), metavar="RDIR",
              help="Also create a restricted register in RDIR for the sensitive kinds "
                   "(criminal matters...), which the main register never holds.")
def init(directory: Path, policy_name: str, people_file: Path | None, org: str | None,
         ci_install: str | None, restricted: Path | None) -> None:
    """Create a register repository in DIRECTORY for the policy NAME.

    With --restricted RDIR, also its restricted register; when DIRECTORY is already a register,
    only the restricted one, and the line for its coc.yaml is printed."""
    if restricted is not None and (directory / "coc.yaml").is_file():
        if people_file is not None:
            raise CocError(f"the restricted register of {directory} gets a copy of its "
                           "people.yaml: leave out --people", field="--people")
        line = add_restricted(directory, restricted, policy_name, org, ci_install)
        click.echo(f"Created a restricted {policy_name} register in {restricted}, with a copy of "
                   f"{directory}/people.yaml.")
        click.echo(f"Next: the owner of {directory}/coc.yaml (hr or the Monitoring Officer) adds "
                   f"and commits the line\n  {line}\nthen moves each sensitive record there "
                   "(see the README, 'The restricted register').")
        return
    init_register(directory, policy_name, people_file, org, ci_install, restricted)
    click.echo(f"Created a {policy_name} register in {directory}")
    if restricted is not None:
        click.echo(f"Created its restricted register in {restricted}: sensitive kinds are "
                   "recorded there only; give access to it only to those who handle them.")
    if people_file is None:
        click.echo("people.yaml holds an EXAMPLE organisation: replace it with your own people.")
    click.echo(f"Next: cd {directory} && git config user.email <your email in people.yaml> "
               "&& coc declare gift")
