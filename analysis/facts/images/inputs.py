"""Reading a build's inputs: which files exist, the .dockerignore that applies, the Dockerfile
parsed with compose's build args."""

from __future__ import annotations

from analysis.context import Context
from analysis.parsers.dockerfile.parser import parse_dockerfile
from analysis.parsers.dockerfile.records import DockerfileFile
from analysis.parsers.dockerignore import DockerIgnore, parse_dockerignore
from analysis.sources import FileKind


def _dockerignore_for(
    ctx: Context, dockerfile: str, context: str
) -> tuple[str | None, DockerIgnore | None]:
    own = f"{dockerfile}.dockerignore"
    ctx_ignore = ".dockerignore" if context in ("", ".") else f"{context}/.dockerignore"
    for candidate in (own, ctx_ignore):
        if _present(ctx, candidate, FileKind.DOCKERIGNORE):
            return candidate, ctx.parse(candidate, parse_dockerignore)
    return None, None


def _files_by_kind(ctx: Context) -> dict[FileKind, frozenset[str]]:
    """The discovered files as a set per kind (fast membership tests)."""
    out: dict[FileKind, set[str]] = {}
    for path, kind in ctx.inventory.files:
        out.setdefault(kind, set()).add(path)
    return {k: frozenset(v) for k, v in out.items()}


def _present(ctx: Context, rel: str, kind: FileKind) -> bool:
    """Whether the file exists: discovered as `kind`, else (a name discovery does not know)
    on disk as a regular file."""
    sets = ctx.fact(_files_by_kind)
    if rel in sets.get(kind, ()):
        return True
    if any(rel in files for files in sets.values()):
        return False
    return ctx.exists(rel) and not ctx.is_dir(rel)


def _with_args_cache(
    ctx: Context,
) -> dict[tuple[str, tuple[tuple[str, str], ...]], DockerfileFile | None]:
    return {}


def _parse_with_args(
    ctx: Context, rel: str, args: tuple[tuple[str, str], ...]
) -> DockerfileFile | None:
    """The Dockerfile parsed with compose's `build.args` (memoized for the run)."""
    if not args:
        return ctx.parse(rel, parse_dockerfile)
    cache = ctx.fact(_with_args_cache)
    key = (rel, args)
    if key not in cache:
        source = ctx.source(rel)
        cache[key] = parse_dockerfile(source, dict(args)) if source is not None else None
    return cache[key]
