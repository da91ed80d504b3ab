"""The fact: every image build of the project (compose `build:`s and the other Dockerfiles,
with their inferred build context)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from analysis.context import Context
from analysis.facts.images.analyzer import _Analyzer
from analysis.facts.images.copies import _GLOB
from analysis.facts.images.inputs import _dockerignore_for, _parse_with_args, _present
from analysis.facts.images.records import INFERRED_ROOT, SCRIPTED_BUILD, BuildUse, Image
from analysis.lazy_re import lazy_compile
from analysis.parsers.dockerfile.parser import parse_dockerfile
from analysis.parsers.dockerfile.records import DockerfileFile
from analysis.records import dataclass
from analysis.sources import FileKind


@dataclass(slots=True, frozen=True)
class _Build:
    dockerfile: str
    context: str
    target: str | None
    args: tuple[tuple[str, str], ...] = ()
    """Compose `build.args` with a value: they replace the Dockerfile's ARG defaults."""


def _compose_builds(ctx: Context) -> list[tuple[_Build, BuildUse]]:
    """(build, service) pairs of every compose service that builds an image."""
    from analysis.facts.compose import compose_stacks

    out: list[tuple[_Build, BuildUse]] = []
    for stack in ctx.fact(compose_stacks):
        for svc in stack.services:
            build = svc.build
            if build is None or not build.dockerfile_path or build.context_path is None:
                continue
            target = build.target or None
            args = tuple((a.name, a.value) for a in build.args if a.value is not None)
            loc = build.location
            env_files = tuple((ref.resolved, ref.location) for ref in svc.env_files if ref.resolved)
            out.append(
                (
                    _Build(build.dockerfile_path, build.context_path or ".", target, args),
                    BuildUse(loc.path, svc.name, target, loc, env_files),
                )
            )
    return out


def images(ctx: Context) -> tuple[Image, ...]:
    """Fact: every image build of the project (see the module documentation)."""
    builds: dict[_Build, list[BuildUse]] = {}
    used_files: set[str] = set()
    for build, use in _compose_builds(ctx):
        builds.setdefault(build, []).append(use)
        used_files.add(build.dockerfile)
    reasons: dict[_Build, str] = {b: "a compose `build:`" for b in builds}
    for rel in ctx.files(FileKind.DOCKERFILE):
        if rel in used_files:
            continue
        context, reason = infer_context(ctx, rel)
        build = _Build(rel, context, None)
        builds.setdefault(build, [])
        reasons.setdefault(build, reason)
    out = [
        replace(_make_image(ctx, b, tuple(uses)), context_reason=reasons.get(b, ""))
        for b, uses in builds.items()
    ]
    out.sort(key=lambda i: (i.dockerfile, i.context, i.target or ""))
    return tuple(out)


_URL_SOURCE = lazy_compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def infer_context(ctx: Context, dockerfile: str) -> tuple[str, str]:
    """The build context of a Dockerfile no compose service builds, and why: the context of a
    `docker build` that builds it in a script or workflow; else its own folder when its
    COPY/ADD sources exist there; else the repository root when more of them exist there."""
    from analysis.facts.published import script_builds

    folder = posixpath.dirname(dockerfile) or "."
    for b in ctx.fact(script_builds):
        if b.dockerfile == dockerfile:
            return b.context, f"{SCRIPTED_BUILD} {b.location.path}:{b.location.line} builds it"
    if folder == "." or not _present(ctx, dockerfile, FileKind.DOCKERFILE):
        return folder, "its folder"
    df = ctx.parse(dockerfile, parse_dockerfile)
    sources: list[str] = []
    for st in df.stages if df is not None else ():
        for c in st.copies:
            if not c.from_context:
                continue
            for src in c.sources:
                clean = posixpath.normpath(src.lstrip("/")) if src else "."
                if clean in (".", "") or "$" in clean or _GLOB.search(clean):
                    continue
                if clean.startswith("..") or _URL_SOURCE.match(src):
                    continue
                if clean not in sources:
                    sources.append(clean)
    sources += [p for p in _started_context_paths(df) if p not in sources]
    if not sources:
        return folder, "its folder"
    own = sum(1 for src in sources if ctx.exists(f"{folder}/{src}"))
    if own == len(sources):
        return folder, "its folder (its COPY/ADD sources are there)"
    at_root = sum(1 for src in sources if ctx.exists(src))
    if at_root > own:
        return ".", (
            f"{INFERRED_ROOT} (inferred: {at_root} of its {len(sources)} COPY/ADD sources "
            f"exist there, {own} in its folder {folder})"
        )
    return folder, "its folder"


_ABS_PATH = lazy_compile(r"(?<![\w$/.-])/[\w.@+-]+(?:/[\w.@+-]+)+")


def _started_context_paths(df: DockerfileFile | None) -> list[str]:
    """Paths of the build context that the final stage's ENTRYPOINT/CMD names through a
    `COPY . <dir>` (`CMD ["/app/apps/web/entrypoint.sh"]` after `COPY . /app`)."""
    if df is None or df.final_stage is None:
        return []
    stage = df.final_stage
    roots = [
        c.target.rstrip("/") or "/"
        for st in df.chain(stage)
        for c in st.copies
        if c.from_context and any(posixpath.normpath(src) == "." for src in c.sources)
    ]
    if not roots:
        return []
    out: list[str] = []
    for cmd in (stage.effective_entrypoint, stage.effective_cmd):
        if cmd is None:
            continue
        text = " ".join(cmd.exec_form) if cmd.exec_form is not None else cmd.shell
        for m in _ABS_PATH.finditer(text or ""):
            for root in roots:
                prefix = "/" if root == "/" else root + "/"
                if m.group(0).startswith(prefix) and len(m.group(0)) > len(prefix):
                    out.append(m.group(0)[len(prefix) :])
    return out


def _make_image(ctx: Context, build: _Build, uses: tuple[BuildUse, ...]) -> Image:
    df = (
        _parse_with_args(ctx, build.dockerfile, build.args)
        if _present(ctx, build.dockerfile, FileKind.DOCKERFILE)
        else None
    )
    ignore_path, ignore = _dockerignore_for(ctx, build.dockerfile, build.context)
    base = Image(
        dockerfile=build.dockerfile,
        context=build.context,
        target=build.target,
        uses=uses,
        file=df,
        dockerignore_path=ignore_path,
        dockerignore=ignore,
        stage=None,
    )
    if df is None or not df.stages:
        return base
    stage = df.stage(build.target)
    target_missing = stage is None
    if stage is None:
        stage = df.final_stage
    assert stage is not None
    return _Analyzer(ctx, base, df, stage, ignore).build(target_missing)
