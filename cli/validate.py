"""`coc validate`: schema and policy findings for some, staged, or all records."""
from __future__ import annotations

from pathlib import Path

import click

from coc.policies.registry import policy_for
from coc.registers.errors import CocError
from coc.registers.findings import Finding
from coc.registers.store import Register

from .common import (FORMATS, Answer, answered, open_register, render_findings, shown_from,
                     user_path)
from .progress import Progress, quiet_option


def settings_findings(register: Register, path: Path, shown: str) -> list[Finding]:
    """`coc validate people.yaml` (or `coc.yaml`): the file checked as what it is, each mistake
    a finding with its line, not as a record that is not a record."""
    from coc.registers.config import load_config
    from coc.registers.people import load_people

    try:
        if path.name == "people.yaml":
            load_people(path, register.config.grades)
        else:
            config = load_config(path)
            policy_for(register).resolve_parameters(config.parameters, shown, config.grades)
    except CocError as exc:
        return [Finding("register-files", str(one.args[0]) if one.args else str(one),
                        field=one.field, path=shown, line=one.line)
                for one in getattr(exc, "errors", [exc])]
    return []


def people_drift(register: Register, other: Register, prefix: str) -> list[Finding]:
    """The restricted register judges its records by its own copy of people.yaml: a copy that
    differs from the main register's (a new manager not copied across) is worth a warning."""
    if (other.root / "people.yaml").read_bytes() == (register.root / "people.yaml").read_bytes():
        return []
    return [Finding("restricted-register", "differs from the main register's people.yaml: the "
                    "restricted register's decisions are judged by its own copy; copy it across",
                    severity="warning", path=prefix + "people.yaml")]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--all", "all_", is_flag=True, help="Every record in the register (the default).")
@click.option("--staged", is_flag=True, help="The staged version of each staged record.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--no-cache", is_flag=True, help="Ignore cached results in .git/coc/.")
@quiet_option
def validate(paths: tuple[Path, ...], all_: bool, staged: bool, fmt: str, no_cache: bool,
             quiet: bool) -> None:
    """Check records; print nothing and exit 0 when all is well, exit 1 on an error or breach."""
    register = open_register()
    # every record, as CI asks: answered from the index when nothing changed
    answered(register, "validate", [fmt],
             lambda answer: _validate(answer, register, paths, all_, staged, fmt, no_cache, quiet),
             use=not paths and not staged and not no_cache).play()


def _validate(answer: Answer, register: Register, paths: tuple[Path, ...], all_: bool,
              staged: bool, fmt: str, no_cache: bool, quiet: bool) -> None:
    from coc.policies.validate import validate as run, validate_staged

    settings: list[Finding] = []
    chosen: list[Path] | None = None
    if staged:
        findings = validate_staged(register)
    else:
        if paths and not all_:
            chosen = []
            for path in paths:
                full = user_path(path)
                if not full.exists():
                    raise CocError("no such file", path=str(path))
                if full.is_file() and full.name in ("people.yaml", "coc.yaml"):
                    settings += settings_findings(register, full, str(path))
                    continue
                chosen += sorted(full.rglob("*.yaml")) if full.is_dir() else [full]
        with Progress("coc validate: checking records", quiet=quiet) as progress:
            findings = settings + (run(register, chosen, use_cache=not no_cache,
                                       on_progress=progress.callback)
                                   if chosen is None or chosen else [])
        if chosen is None:   # every record: the restricted register's too, when it is here
            for prefix, other in register.readers()[1:]:
                with Progress(f"coc validate: checking {prefix}", quiet=quiet) as progress:
                    findings += shown_from(prefix, run(other, use_cache=not no_cache,
                                                       on_progress=progress.callback))
                findings += people_drift(register, other, prefix)
    shown = [f for f in findings if f.severity != "info"]
    if fmt == "junit":
        # Every file checked is a test case, passing ones too, so a CI dashboard counts them.
        from .common import junit

        if staged:
            from coc.registers.git import staged_changes

            checked = [path for status, path, _ in staged_changes(register.root)
                       if status != "D" and path.startswith("registers/")]
        else:
            files = chosen if chosen is not None else list(register.iter_record_files())
            checked = [register.rel(f) for f in files]
            if chosen is None:
                checked += [prefix + other.rel(f) for prefix, other in register.readers()[1:]
                            for f in other.iter_record_files()]
        answer.write(junit(shown, "coc validate", passed=checked + [str(p) for p in paths
                                                                  if Path(p).name in
                                                                  ("people.yaml", "coc.yaml")]))
    elif shown or fmt == "json":
        output = render_findings(shown, fmt, suite="coc validate")
        if output:
            answer.write(output)
    if any(f.failing for f in findings):
        answer.code = 1
