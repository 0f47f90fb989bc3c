"""Validating many records at once: in parallel, with results cached by content.

Findings are kept in the index (`.git/coc/index.sqlite`, registers.index), by each file's
path and git blob id and under one key for everything else a finding can depend on (toolkit
and policy version, coc.yaml, people.yaml, and the records other records are checked
against). Unchanged registers re-validate in the time it takes to ask git (SPEC §7).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from coc.registers.bulk import parallel_map, shared
from coc.registers.errors import CocError
from coc.registers.findings import Finding
from coc.registers.record import ID_RE, Record
from coc.registers.store import CONFIG_FILE, PEOPLE_FILE, RECORD_PATH_RE, Register, duplicate_ids
from coc.registers.yamlio import field_lines, line_of, load_fast, read_regular

from .base import Context
from .engine import check_record
from .registry import context_for, policy_for

CACHE_VERSION = "3"   # 2: restricted-register; 3: kept in the index
UNREADABLE = b"\x00coc-unreadable:"   # cannot start a real record: NUL bytes are refused


def placement_findings(rel: str, record: Record, ctx: Context) -> list[Finding]:
    """The file must sit at registers/<department>/<kind>/<year>/<id>.yaml and match its content:
    the declarant's department (CODEOWNERS routes a folder to its approvers, so a record filed
    under a friendlier department would be reviewed by the wrong people) and the id's year.
    Validate asks it of each file where it stands; audit of each record where a commit added it."""
    match = RECORD_PATH_RE.match(rel)
    if match is None:
        return [Finding("record-path", "a record must be at registers/<department>/<kind>/<year>/"
                        "<id>.yaml", path=rel)]
    out = []
    person = ctx.people.get(record.declarant)
    if person is not None and match["department"] != person.department:
        out.append(Finding("record-path", f"folder says department {match['department']} but "
                           f"{person.id} is in {person.department} (people.yaml)",
                           field="declarant", path=rel))
    if match["year"] != match["id"][4:8]:
        out.append(Finding("record-path", f"year folder {match['year']} but the id is of "
                           f"{match['id'][4:8]}", field="id", path=rel))
    if record.id and match["id"] != record.id:
        out.append(Finding("record-path", f"file name says {match['id']} but id is {record.id}",
                           field="id", path=rel))
    if record.kind and match["kind"] != record.kind:
        out.append(Finding("record-path", f"folder says {match['kind']} but kind is {record.kind}",
                           field="kind", path=rel))
    return out


def register_findings(record: Record, ctx: Context) -> list[Finding]:
    """Sensitive kinds (UK GDPR art. 9/10) go where coc.yaml routes them: never into a main
    register that names a restricted one (every employee clones it), and nothing else into the
    restricted one (where it would escape the public register)."""
    kind = ctx.policy.kinds.get(record.kind) if ctx.policy is not None else None
    if kind is None or ctx.register_role == "single":
        return []
    if kind.sensitive and ctx.register_role == "main":
        return [Finding("restricted-register", f"{record.kind} is a sensitive kind: coc.yaml "
                        "routes it to the restricted register (restricted_register), never to "
                        "this one, which every employee clones; `coc declare` writes it there, "
                        "and a record already here is moved there", field="kind",
                        path=record.path)]
    if not kind.sensitive and ctx.register_role == "restricted":
        return [Finding("restricted-register", f"{record.kind} is not a sensitive kind: it "
                        "belongs in the main register (this one is restricted: true)",
                        field="kind", path=record.path)]
    return []


def leaves_for_restricted(rel: str, ctx: Context) -> bool:
    """Whether removing the record file `rel` from this register is moving it where it belongs:
    a sensitive kind's file, from a main register that routes them to a restricted one (how a
    register that adopts `restricted_register` empties itself of them). Audit, which has both,
    checks that each such record is in the restricted register."""
    parts = rel.split("/")
    kind = ctx.policy.kinds.get(parts[2]) if ctx.policy is not None and len(parts) == 5 else None
    return kind is not None and kind.sensitive and ctx.register_role == "main"


def check_file(rel: str, data: bytes, ctx: Context) -> list[Finding]:
    """All findings for one file's bytes, each naming the file (and line, where known)."""
    return parse_and_check(rel, data, ctx)[0]


def parse_and_check(rel: str, data: bytes, ctx: Context) -> tuple[list[Finding], Record | None]:
    """`check_file`, and the record read from the bytes when they are one."""
    if data.startswith(UNREADABLE):
        return [Finding("unreadable", data[len(UNREADABLE):].decode(), path=rel)], None
    try:
        parsed = load_fast(data, rel)
    except CocError as exc:
        return [Finding("yaml", str(exc).split(": ", 1)[-1] if exc.path else str(exc),
                        path=rel, line=exc.line)], None
    if not isinstance(parsed, dict):
        return [Finding("record-shape", "a record must be a YAML mapping", path=rel, line=1)], None
    record = Record(data=parsed, path=rel)
    return _checked(record, ctx), record


def _checked(record: Record, ctx: Context) -> list[Finding]:
    return [f.at(path=record.path, record_id=record.id or None)
            for f in record_findings(record, ctx)]


def record_findings(record: Record, ctx: Context) -> list[Finding]:
    """A record's findings where it stands: its folder, then the policy's (validate, the hook
    and `coc show` all ask this, so they agree)."""
    return placement_findings(record.path, record, ctx) + register_findings(record, ctx) + \
        check_record(record, ctx)


def with_lines(data: bytes, findings: list[Finding]) -> list[Finding]:
    """Each finding that names a field gets that field's line in the file (one parse); `info`
    findings are never shown by validate, so they are not worth the parse."""
    wanted = [f.field for f in findings if f.field and not f.line and f.severity != "info"]
    if not wanted:
        return findings
    lines = field_lines(data, wanted)
    return [f.at(line=lines[f.field]) if f.field in lines else f for f in findings]


def _check_path(item: tuple[str, bytes | None]
                ) -> tuple[list[tuple[Any, ...]], tuple[bytes, bytes] | None, str | None]:
    """Runs in a worker, which reads its own file unless the parent had to (an untracked one)
    or the index of parsed records holds its blob: the file's findings, with their lines, as
    plain tuples, the parse (pickled once) for the index when it was parsed here, and the git
    blob id of the bytes this worker read (None when it read none), so that a file changed
    since git was asked is never kept under its old blob id."""
    from coc.registers.git import blob_id
    from coc.registers.index import pack

    rel, data = item
    register, ctx, known = shared()["register"], shared()["ctx"], shared()["parsed"]
    hit = known.get(rel)
    payload, read_as = None, None
    if hit is not None:
        found = _checked(Record.known(hit.data, rel, hit.status), ctx)
    else:
        if data is None:
            data = _read_one(register, rel)
            read_as = blob_id(data)
        found, record = parse_and_check(rel, data, ctx)
        if record is not None:
            payload = pack(record.data, record.status)
    if any(f.field and not f.line and f.severity != "info" for f in found):
        found = with_lines(data if data is not None else _read_one(register, rel), found)
    return [_as_tuple(f) for f in found], payload, read_as


_FIELDS = tuple(Finding.__dataclass_fields__)


def _as_tuple(finding: Finding) -> tuple[Any, ...]:
    return tuple(getattr(finding, name) for name in _FIELDS)


def _findings_payload(found: list[tuple[Any, ...]]) -> bytes:
    from coc.registers.index import encode

    return encode(found) if found else b""


def _findings_of(payload: bytes) -> list[Finding] | None:
    """Findings kept in the index; None when the row does not hold a list of them."""
    from coc.registers.index import decode

    if not payload:
        return []
    try:
        rows = decode(payload)
        return [Finding(*row) for row in rows]
    except Exception:
        return None


def _many_findings(payloads: dict[str, bytes]) -> dict[str, list[Finding]]:
    """`_findings_of` for many rows; a row that is not findings is left out. (One unpickler
    per row: one reading a stream of pickles keeps the first one's memo, and a later one's
    references then name the wrong objects.)"""
    out: dict[str, list[Finding]] = {}
    for rel, payload in payloads.items():
        found = _findings_of(payload)
        if found is not None:
            out[rel] = found
    return out


def _read_one(register: Register, rel: str) -> bytes:
    """A record file's bytes, or the UNREADABLE marker and why (see `read_files`)."""
    try:
        return read_regular(register.root / rel, rel)
    except CocError as exc:
        return UNREADABLE + str(exc).split(": ", 1)[-1].encode()


def context_records(register: Register, files: dict[str, bytes]) -> dict[str, Record]:
    """The records that other records are checked against (relationships, earlier notices)."""
    wanted = policy_for(register).context_kinds
    records = {}
    for rel, data in files.items():
        match = RECORD_PATH_RE.match("/".join(rel.split("/")[-5:]))   # a restricted one's too
        if match and match["kind"] in wanted:
            try:
                parsed = load_fast(data, rel)
            except CocError:
                continue
            if isinstance(parsed, dict) and isinstance(parsed.get("id"), str):
                records[parsed["id"]] = Record(data=parsed, path=rel)
    return records


def load_context(register: Register) -> dict[str, Record]:
    """Context records for checking one record: reads only the context kinds' folders."""
    return context_records(register, _context_files(register))


def read_files(register: Register, paths: list[Path] | None = None) -> dict[str, bytes]:
    """Relative path -> bytes for the given files (default: every record file).

    A file that cannot be read as a plain file (a symlink, a FIFO, a folder, a permissions
    problem) gets the UNREADABLE marker and the reason, reported as that file's error by
    `check_file`.
    """
    out = {}
    for path in paths if paths is not None else register.iter_record_files():
        rel = register.rel(path)
        try:
            out[rel] = read_regular(path, rel)
        except CocError as exc:
            out[rel] = UNREADABLE + str(exc).split(": ", 1)[-1].encode()
    return out


def _global_key(register: Register, context_files: dict[str, bytes]) -> str:
    from coc.registers.index import toolkit_digest

    digest = hashlib.sha256()
    policy = policy_for(register)
    for part in (CACHE_VERSION, toolkit_digest(), policy.name, policy.version):
        digest.update(part.encode() + b"\0")
    for name in (CONFIG_FILE, PEOPLE_FILE):
        digest.update((register.root / name).read_bytes() + b"\0")
    for rel in sorted(context_files):
        digest.update(rel.encode() + b"\0" + context_files[rel] + b"\0")
    return digest.hexdigest()


def _fingerprints(register: Register, paths: list[Path] | None) -> dict[str, tuple[str, bytes | None]]:
    """rel -> (content key, bytes or None when the key came from git without reading the file).

    The key is the git blob id: from the index for unchanged tracked files (no read needed),
    computed from the bytes for new or modified ones.
    """
    from coc.registers.git import blob_id, index_entries

    entries = index_entries(register.root, "registers/") if paths is None else None
    if entries is None:
        return {rel: (blob_id(data), data) for rel, data in read_files(register, paths).items()}
    out: dict[str, tuple[str, bytes | None]] = {}
    to_read = []
    for rel, (mode, blob) in sorted(entries.items()):
        if not rel.endswith((".yaml", ".yml")):
            continue
        if mode == "120000":
            out[rel] = ("symlink", UNREADABLE + b"symbolic links are not allowed in a register")
        elif blob:
            out[rel] = (blob, None)
        else:
            to_read.append(register.root / rel)
    # What git does not list as a file (a symlinked folder, a FIFO, a folder named like a
    # record, anything under a symlinked registers/) is still on disk for `coc list`: read it.
    start = len(str(register.root)) + 1
    to_read += [Path(name) for name in register.record_file_names()
                if name[start:].replace(os.sep, "/") not in out]
    unique = sorted({register.rel(p): p for p in to_read if p.exists() or p.is_symlink()}.values())
    for rel, data in read_files(register, unique).items():
        out[rel] = (blob_id(data), data)
    return out


def _context_files(register: Register) -> dict[str, bytes]:
    """The context kinds' files; for a main register, the restricted register's too when it is
    on this machine (declared relationships live there), keyed by the path they are shown by."""
    out: dict[str, bytes] = {}
    for prefix, one in register.readers():
        wanted = policy_for(one).context_kinds
        paths = [p for kind in wanted
                 for p in sorted((one.root / "registers").glob(f"*/{kind}/*/*.yaml"))
                 if not one.linked(p)]   # glob follows symlinked folders; coc never does
        out.update({prefix + rel: data for rel, data in read_files(one, paths).items()})
    return out


def validate(register: Register, paths: list[Path] | None = None, *,
             use_cache: bool = True, on_progress: Any = None) -> list[Finding]:
    """Findings for the given record files (default: all of them), in path order;
    `on_progress(done, total)` is told as the files not in the cache are checked.

    Findings are kept in the index (registers.index) under one key for everything else they
    depend on, by path and blob id; a file not kept there is checked on every core, its record
    taken from the index of parsed records when git knows its blob, else parsed by a worker
    that reads the file itself."""
    from coc.registers.index import open_index

    context_files = _context_files(register)
    ctx = context_for(register, context_records(register, context_files))
    key = _global_key(register, context_files)
    index = open_index(register.root) if use_cache else None
    kept = index.findings(key) if index is not None else {}
    files = _fingerprints(register, paths)
    results: dict[str, list[Finding]] = {}
    todo: list[tuple[str, bytes | None]] = []
    hits = {rel: kept[rel][1] for rel, (blob, _) in files.items()
            if rel in kept and kept[rel][0] == blob}
    decoded = _many_findings(hits)
    for rel, (blob, data) in files.items():
        found = decoded.get(rel)
        if found is None:
            todo.append((rel, data))
        else:
            results[rel] = found
    if todo:
        known = {rel: files[rel][0] for rel, data in todo if data is None}   # from git
        parsed = index.parsed(known.values()) if index is not None else {}
        share = {rel: parsed[blob] for rel, blob in known.items() if blob in parsed}
        checked = parallel_map(_check_path, todo, on_progress=on_progress, register=register,
                               ctx=ctx, parsed=share)
        rows, new_parsed = [], []
        for (rel, _), (found_rows, payload, read_as) in zip(todo, checked):
            results[rel] = [Finding(*row) for row in found_rows]
            if read_as not in (None, files[rel][0]):
                continue   # changed since git was asked: checked, but kept under no blob id
            rows.append((rel, files[rel][0], _findings_payload(found_rows)))
            if payload is not None:
                new_parsed.append((files[rel][0], payload))
        if index is not None:
            index.store_parsed(new_parsed)
            index.store_findings(key, rows, keep_only=set(files) if paths is None else None)
    if index is not None:
        index.close()
    for rel, found in duplicate_findings(register, list(files), whole=paths is None).items():
        results[rel] = results.get(rel, []) + found
    return [f for rel in sorted(results) for f in results[rel]]


def duplicate_findings(register: Register, rels: list[str], *, whole: bool = False,
                       staged: bool = False) -> dict[str, list[Finding]]:
    """rel -> a `duplicate-id` error for each of `rels` whose id is also at another path: among
    `rels` themselves when they are the `whole` register, else anywhere in the working tree
    (or, when `staged`, in the index: what the commit will contain). Never cached: it depends
    on other files, and costs a glob."""
    others: list[str] = []
    if not whole:
        ids = {p.rsplit("/", 1)[-1].rsplit(".", 1)[0] for p in rels}
        patterns = [f"registers/*/*/{i[4:8]}/{i}.yaml" for i in sorted(ids) if ID_RE.match(i)]
        if staged and len(patterns) > FEW_PATHSPECS:
            others = _staged_named(register, ids)
        elif staged:
            from coc.registers.git import git

            listed = git(register.root, "ls-files", "-z", "--",
                         *(f":(glob){p}" for p in patterns), check=False) if patterns else ""
            others = [p for p in listed.split("\0") if p]
        else:
            others = [register.rel(p) for pattern in patterns for p in register.root.glob(pattern)]
    out: dict[str, list[Finding]] = {}
    for record_id, paths in duplicate_ids(set(rels) | set(others)).items():
        for rel in paths:
            if rel in rels:
                also = ", ".join(p for p in paths if p != rel)
                out[rel] = [Finding("duplicate-id", f"{record_id} is also at {also}: ids must be "
                                    "unique; give one of them a new id", field="id", path=rel,
                                    record_id=record_id,
                                    line=line_of(register.root / rel, "id"))]   # rare: read it
    return out


FEW_PATHSPECS = 20   # more ids than this are looked for in one listing of the index


def _staged_named(register: Register, ids: set[str]) -> list[str]:
    """What `ls-files` of each id's `registers/*/*/<year>/<id>.yaml` lists, from one listing
    of the index: linear in the register, where git matches each pathspec against each file."""
    from coc.registers.git import git

    out = []
    for rel in git(register.root, "ls-files", "-z", "--", "registers/", check=False).split("\0"):
        parts = rel.split("/")
        if len(parts) == 5 and parts[4].endswith(".yaml"):
            stem = parts[4][:-len(".yaml")]
            if stem in ids and parts[3] == stem[4:8] and ID_RE.match(stem):
                out.append(rel)
    return out


def validate_staged(register: Register) -> list[Finding]:
    """Findings for the staged content of each staged record file (what a commit would contain)."""
    from coc.registers.git import show_blob, staged_changes

    files = {}
    for status, rel, _ in staged_changes(register.root):
        if status == "D" or not rel.startswith("registers/") or not rel.endswith((".yaml", ".yml")):
            continue
        files[rel] = show_blob(register.root, "", rel) or b""
    if not files:
        return []
    ctx = context_for(register, load_context(register))
    found = {rel: with_lines(files[rel], check_file(rel, files[rel], ctx)) for rel in files}
    for rel, more in duplicate_findings(register, list(files), staged=True).items():
        found[rel] += more
    return [f for rel in sorted(found) for f in found[rel]]
