"""The databases' images at the base revision (KD115): read from git without a work tree."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.context import Context
from analysis.facts.compose import compose_stacks
from analysis.facts.databases_images import classify_image, parse_image
from analysis.gitread import git_dir_of, read_blobs, resolve_commit
from analysis.parsers.compose import (
    parse_compose_text,
)
from analysis.parsers.dockerfile import (
    parse_dockerfile_text,
)
from analysis.parsers.interpolate import interpolate
from analysis.records import dataclass

if TYPE_CHECKING:
    from analysis.facts.databases import Database


# -- the base revision (KD115) ------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class BaseVersion:
    """A database's image at the base revision."""

    image: str
    major: int | None
    mounts: tuple[str, ...]


@dataclass(slots=True, frozen=True)
class BaseHistory:
    """The databases' images at `ref` (HEAD or `--base REF`), keyed by (stack, service).
    `note` says why nothing could be compared (not a git repository, no commit, ...)."""

    ref: str
    majors: Mapping[tuple[str, str], BaseVersion]
    note: str | None = None


_GIT_CACHE: dict[tuple[str, str, str], str | None] = {}
_GIT_CACHE_LIMIT = 2_000
_GIT_CACHE_CHARS = 16_000_000
"""The cached file versions hold at most this many characters (bounded in bytes as well as
in entries: 2,000 versions of 2 MB files would be 4 GB)."""
_git_cached_chars = 0


def _read_ref(git_dir: Path, ref: str) -> str | None:
    common = git_dir
    commondir = git_dir / "commondir"
    if commondir.is_file():
        try:
            common = (git_dir / commondir.read_text().strip()).resolve()
        except OSError:
            return None
    for base in (git_dir, common):
        f = base / ref
        if f.is_file():
            try:
                return f.read_text().strip() or None
            except OSError:
                return None
    packed = common / "packed-refs"
    if packed.is_file():
        try:
            for line in packed.read_text(errors="replace").splitlines():
                sha, _, name = line.partition(" ")
                if name.strip() == ref:
                    return sha
        except OSError:
            return None
    return None


def _head_sha(git_dir: Path) -> str | None:
    try:
        head = (git_dir / "HEAD").read_text().strip()
    except OSError:
        return None
    if head.startswith("ref:"):
        return _read_ref(git_dir, head[4:].strip())
    return head or None


def _git_show_all(top: Path, commit: str, paths: list[str]) -> dict[str, str]:
    """The text of each path at `commit` (one `git cat-file --batch` for those not cached;
    a commit's files never change, so the answers are kept)."""
    global _git_cached_chars
    missing = [p for p in paths if (str(top), commit, p) not in _GIT_CACHE]
    if missing:
        blobs = read_blobs(top, (f"{commit}:{p}" for p in missing))
        added = sum(len(b) for b in blobs.values())
        if (
            len(_GIT_CACHE) + len(missing) > _GIT_CACHE_LIMIT
            or _git_cached_chars + added > _GIT_CACHE_CHARS
        ):
            _GIT_CACHE.clear()
            _git_cached_chars = 0
        _git_cached_chars += added
        for p in missing:
            blob = blobs.get(f"{commit}:{p}")
            _GIT_CACHE[(str(top), commit, p)] = (
                blob.decode("utf-8", errors="replace") if blob is not None else None
            )
    out: dict[str, str] = {}
    for p in paths:
        text = _GIT_CACHE.get((str(top), commit, p))
        if text is not None:
            out[p] = text
    return out


_REF_CACHE: dict[tuple[str, str, str], str | None] = {}


def base_major_versions(ctx: Context, dbs: tuple[Database, ...]) -> BaseHistory:
    """The image and major of each database at the base revision, read with `git show`."""
    ref = ctx.settings.base_ref or "HEAD"
    found = git_dir_of(ctx.root)
    if found is None:
        return BaseHistory(ref, {}, "the project is not a git repository")
    top, git_dir = found
    head = _head_sha(git_dir)
    if ref == "HEAD":
        commit = head or resolve_commit(top, "HEAD")
    else:
        key = (str(top), ref, head or "")
        if key not in _REF_CACHE:
            _REF_CACHE[key] = resolve_commit(top, ref)
        commit = _REF_CACHE[key]
    if commit is None:
        return BaseHistory(ref, {}, f"{ref} names no commit (nothing committed yet?)")
    try:
        prefix = ctx.root.relative_to(top.resolve()).as_posix()
    except ValueError:
        prefix = ""
    prefix = "" if prefix in ("", ".") else prefix + "/"
    stacks = {s.id: s for s in ctx.fact(compose_stacks)}
    out_map: dict[tuple[str, str], BaseVersion] = {}
    wanted = [db for db in dbs if db.image_location is not None and db.stack in stacks]
    texts = _git_show_all(
        top, commit, [prefix + db.image_location.path for db in wanted if db.image_location]
    )
    for db in wanted:
        loc = db.image_location
        stack = stacks[db.stack]
        old_text = texts.get(prefix + loc.path) if loc is not None else None
        if loc is None or old_text is None:
            continue
        env = {v.name: v.value for v in stack.dotenv_vars if v.value is not None}
        old = _old_image(loc.path, old_text, db, env)
        if old is not None:
            out_map[(db.stack, db.service)] = old
    return BaseHistory(ref, out_map)


def _old_image(path: str, text: str, db: Database, env: dict[str, str]) -> BaseVersion | None:
    if db.dockerfile is not None and path == db.dockerfile:
        parsed = parse_dockerfile_text(text, path)
        stage = parsed.final_stage
        if stage is None:
            return None
        image = parsed.chain(stage)[0].image
        mounts: tuple[str, ...] = ()
    else:
        old = parse_compose_text(text, path)
        service = old.service(db.service)
        if service is None or service.image is None:
            return None
        image = interpolate(service.image.raw, env).value
        mounts = tuple(m.source or "" for m in service.mounts)
    engine = classify_image(parse_image(image), None, ("--appendonly", "yes"))
    if engine is None:
        return None
    return BaseVersion(image, engine.major, mounts)
