"""The COPY model: where a build-context file lands in each stage (through COPY/ADD and
`COPY --from`), which folders exist before a line, and the public questions asked of it."""

from __future__ import annotations

import posixpath
import re
from fnmatch import fnmatch, fnmatchcase
from functools import lru_cache
from typing import Protocol

from analysis.context import Context, normalize
from analysis.facts.images.records import Image
from analysis.parsers.dockerfile.records import Copy, DockerfileFile, Stage
from analysis.parsers.dockerignore import DockerIgnore, go_clean

_GLOB = re.compile(r"[*?\[]")


BASE_IMAGE_DIRS = frozenset(
    {"/bin", "/sbin", "/etc", "/opt", "/tmp", "/var", "/home", "/root", "/srv", "/usr"}
    | {"/usr/bin", "/usr/sbin", "/usr/local", "/usr/local/bin", "/usr/local/sbin", "/usr/share"}
)
"""Folders every Linux base image has (not `scratch`): `COPY start.sh /usr/local/bin` puts the
file inside."""


class _Resolver:
    """Follows COPY/ADD through the stages of one Dockerfile for one build context."""

    def __init__(self, image_file: DockerfileFile, ignore: DockerIgnore | None) -> None:
        self.file = image_file
        self.ignore = ignore
        self._memo: dict[tuple[int, str, int | None], tuple[tuple[str, Copy], ...]] = {}
        self._excluded: dict[str, bool] = {}
        self._dirs: dict[tuple[int, int], frozenset[str]] = {}

    def dirs_before(self, stage_idx: int, line: int, depth: int = 0) -> frozenset[str]:
        """Folders that exist in stage `stage_idx` before `line`: WORKDIRs, the destinations of
        earlier COPY/ADDs into a folder (and their parents), those of the stage it is FROM."""
        key = (stage_idx, line)
        hit = self._dirs.get(key)
        if hit is not None:
            return hit
        stage = self.file.stages[stage_idx]
        out: set[str] = set() if stage.image == "scratch" else set(BASE_IMAGE_DIRS)
        if stage.parent is not None and stage.parent != stage_idx and depth < 32:
            out |= self.dirs_before(stage.parent, 1 << 30, depth + 1)
        paths = [w.effective for w in stage.workdirs if w.line < line]
        paths += [
            c.target
            for c in stage.copies
            if c.line < line and (c.target_is_dir or any(src in (".", "./") for src in c.sources))
        ]
        for path in paths:
            path = posixpath.normpath(path)
            while path not in ("/", "", "."):
                out.add(path)
                path = posixpath.dirname(path)
        self._dirs[key] = result = frozenset(out)
        return result

    def excluded(self, rel: str) -> bool:
        if self.ignore is None:
            return False
        hit = self._excluded.get(rel)
        if hit is None:
            hit = self._excluded[rel] = self.ignore.excluded(rel)
        return hit

    def landings(
        self, stage_idx: int, rel: str, before: int | None = None, depth: int = 0
    ) -> tuple[tuple[str, Copy], ...]:
        """Where the context file `rel` is in stage `stage_idx` (before line `before`): pairs
        of (absolute path, the COPY that put it there)."""
        key = (stage_idx, rel, before)
        if key in self._memo:
            return self._memo[key]
        if depth > 32 or self.excluded(rel):
            self._memo[key] = ()
            return ()
        stage = self.file.stages[stage_idx]
        found: list[tuple[str, Copy]] = []
        if stage.parent is not None and stage.parent != stage_idx:
            found.extend(self.landings(stage.parent, rel, None, depth + 1))
        for copy in stage.copies:
            if before is not None and copy.line >= before:
                break
            if copy.heredocs:
                continue
            if any(_excluded_by_copy(p, rel) for p in copy.excludes):
                continue
            if copy.from_stage is None:
                for src in copy.sources:
                    if "://" in src or src.startswith("git@"):
                        continue
                    dest = _map_source(_context_source(src), rel, copy)
                    if (
                        dest is not None
                        and dest == copy.target
                        and not copy.target_is_dir
                        and dest in self.dirs_before(stage_idx, copy.line)
                    ):  # `COPY file /dir` into a folder that exists: the file lands inside it
                        dest = posixpath.join(dest, posixpath.basename(rel))
                    if dest is not None:
                        found.append((dest, copy))
                continue
            source_stage = self.file.stage_by_ref(copy.from_stage)
            if source_stage is None or source_stage.index == stage_idx:
                continue
            for path, _ in self.landings(source_stage.index, rel, None, depth + 1):
                for src in copy.sources:
                    dest = _map_source(
                        _abs_source(src), path.lstrip("/"), copy, absolute_sources=True
                    )
                    if dest is not None:
                        found.append((dest, copy))
        result = tuple(dict.fromkeys(found))
        self._memo[key] = result
        return result


def _excluded_by_copy(pattern: str, rel: str) -> bool:
    p = go_clean(pattern).lstrip("/")
    return fnmatchcase(rel, p) or fnmatchcase(posixpath.basename(rel), p) or rel.startswith(p + "/")


_CACHED_PATH_CHARS = 512
"""The path functions below remember only paths this short (4,096 each at most): bounded in
bytes."""


def _context_source(src: str) -> str:
    return _context_source_cached(src) if len(src) <= _CACHED_PATH_CHARS else _context_of(src)


def _abs_source(src: str) -> str:
    return _abs_source_cached(src) if len(src) <= _CACHED_PATH_CHARS else _abs_of(src)


@lru_cache(maxsize=4096)
def _context_source_cached(src: str) -> str:
    return _context_of(src)


@lru_cache(maxsize=4096)
def _abs_source_cached(src: str) -> str:
    return _abs_of(src)


def _context_of(src: str) -> str:
    s = go_clean(src.replace("\\", "/"))
    s = s.lstrip("/")
    return s or "."


def _abs_of(src: str) -> str:
    s = go_clean("/" + src.replace("\\", "/").lstrip("/"))
    return s.lstrip("/") or "."


def _is_glob(src: str) -> bool:
    """Whether a COPY source is a pattern (remembered, as the path functions above: one answer
    per source, asked per file)."""
    return _is_glob_cached(src) if len(src) <= _CACHED_PATH_CHARS else _glob_in(src)


@lru_cache(maxsize=4096)
def _is_glob_cached(src: str) -> bool:
    return _glob_in(src)


def _glob_in(src: str) -> bool:
    return _GLOB.search(src) is not None


def _map_source(src: str, rel: str, copy: Copy, absolute_sources: bool = False) -> str | None:
    """Where `rel` lands when `copy` copies `src` (both relative to the same root), or None."""
    if _is_glob(src):
        parts = rel.split("/")
        pparts = src.split("/")
        k = len(pparts)
        if len(parts) < k or not all(fnmatchcase(parts[i], pparts[i]) for i in range(k)):
            return None
        matched = "/".join(parts[:k])
        rest = parts[k:]
    elif src == ".":
        matched = ""
        rest = rel.split("/")
    elif rel == src:
        matched = src
        rest = []
    elif rel.startswith(src + "/"):
        matched = src
        rest = rel[len(src) + 1 :].split("/")
    else:
        return None
    target = copy.target
    if copy.parents and matched:
        return posixpath.normpath(posixpath.join(target, matched, *rest))
    if rest:
        return posixpath.normpath(posixpath.join(target, *rest))
    if copy.target_is_dir:
        return posixpath.normpath(posixpath.join(target, posixpath.basename(rel)))
    return target


def _stages_used(df: DockerfileFile, final: Stage) -> tuple[int, ...]:
    """The stages whose files can reach the final image: its FROM chain, and every stage a
    `COPY --from` of those names, recursively."""
    seen: list[int] = []
    todo = [final.index]
    while todo:
        idx = todo.pop()
        if idx in seen:
            continue
        seen.append(idx)
        st = df.stages[idx]
        if st.parent is not None:
            todo.append(st.parent)
        for c in st.copies:
            if c.from_stage is not None:
                src = df.stage_by_ref(c.from_stage)
                if src is not None:
                    todo.append(src.index)
    return tuple(sorted(seen))


def image_paths(image: Image, rel: str) -> tuple[str, ...]:
    """Where the build-context file `rel` ends up in the final image (absolute paths)."""
    if image.file is None or image.stage is None:
        return ()
    resolver = _resolver_for(image)
    return tuple(dict.fromkeys(p for p, _ in resolver.landings(image.stage.index, _clean(rel))))


def path_in_image(image: Image, rel_path_in_context: str) -> bool:
    """Whether the build-context file `rel_path_in_context` reaches the final image."""
    return bool(image_paths(image, rel_path_in_context))


def copy_bringing(image: Image, rel: str, respect_ignore: bool = True) -> Copy | None:
    """The COPY/ADD that brings the build-context file `rel` into the final image; with
    `respect_ignore=False`, the one that would if .dockerignore did not exclude it."""
    if image.file is None or image.stage is None:
        return None
    resolver = _resolver_for(image) if respect_ignore else _Resolver(image.file, None)
    lands = resolver.landings(image.stage.index, _clean(rel))
    return lands[0][1] if lands else None


def path_in_stage(image: Image, stage: Stage, rel: str, before_line: int | None = None) -> bool:
    """Whether the build-context file `rel` is in `stage` (before `before_line`)."""
    if image.file is None:
        return False
    return bool(_resolver_for(image).landings(stage.index, _clean(rel), before_line))


_RESOLVERS: dict[int, tuple[Image, _Resolver]] = {}


def folder_exists_before(image: Image, stage: Stage, line: int, path: str) -> bool:
    """Whether `path` is a folder of `stage` before `line` (a WORKDIR, an earlier COPY into a
    folder, a folder every base image has): `COPY file <path>` then puts the file inside."""
    if image.file is None:
        return False
    return posixpath.normpath(path) in _resolver_for(image).dirs_before(stage.index, line)


def _resolver_for(image: Image) -> _Resolver:
    hit = _RESOLVERS.get(id(image))
    if hit is not None and hit[0] is image:
        return hit[1]
    assert image.file is not None
    resolver = _Resolver(image.file, image.dockerignore)
    if len(_RESOLVERS) > 256:
        _RESOLVERS.clear()
    _RESOLVERS[id(image)] = (image, resolver)
    return resolver


def _clean(rel: str) -> str:
    return _context_source(rel)


def copies_unknown_tree(ctx: Context, image: Image) -> bool:
    """A `COPY --from=<stage> <dir> <workdir>` of the final image (the whole app tree) whose
    source folder is not a folder of the build context that stage copied in (a RUN made it:
    `turbo prune --docker` writes out/full): keepdata cannot tell what it holds, so it cannot
    say the migrations are missing."""
    df = image.file
    final = image.stage
    if df is None or final is None:
        return False
    tree = final.workdir.rstrip("/") or "/"
    for step in image.copies:
        if step.origin != "stage" or step.from_stage is None or not step.in_final_stage:
            continue
        if (step.copy.target.rstrip("/") or "/") != tree:
            continue  # `COPY --from=build /app/dist ./dist`: not the whole app tree
        source = df.stages[step.from_stage]
        for src in step.copy.sources:
            path = posixpath.normpath(posixpath.join(source.workdir or "/", src))
            if not _filled_by_copy(ctx, image, df.chain(source), path):
                return True
    return False


def _filled_by_copy(ctx: Context, image: Image, chain: tuple[Stage, ...], path: str) -> bool:
    for st in chain:
        for c in st.copies:
            target = c.target.rstrip("/") or "/"
            if path == target or target.startswith(path.rstrip("/") + "/"):
                return True
            if not path.startswith(target.rstrip("/") + "/"):
                continue
            if not c.from_context:
                return True  # from another stage: taken as filled
            rest = path[len(target.rstrip("/")) + 1 :]
            for src in c.sources:
                base = posixpath.normpath(src.lstrip("/")) if src.strip("/.") else ""
                rel = posixpath.normpath(posixpath.join(image.context or ".", base, rest))
                if ctx.exists(rel):
                    return True
    return False


# -- the reverse direction: the context file at a path of the image -------------------------------
class _Exists(Protocol):
    """What the caller knows of the project's files (root-relative paths)."""

    def is_file(self, rel: str) -> bool: ...

    def is_dir(self, rel: str) -> bool: ...


def context_file_at(image: Image, abs_path: str, exists: _Exists) -> str | None:
    """The build-context file (root-relative) that is at `abs_path` in the final image, or None:
    the reverse of `image_paths`, walking the COPY/ADDs back through `COPY --from` and the
    stages an image is built FROM."""
    if image.file is None or image.stage is None:
        return None
    return _source_in(image, image.stage, abs_path, 0, exists)


def _source_in(
    image: Image, stage: Stage, abs_path: str, depth: int, exists: _Exists
) -> str | None:
    if depth > 8:
        return None
    df = image.file
    if df is None:
        return None
    context = image.context or "."
    for copy in reversed(stage.copies):
        if copy.heredocs:
            continue
        for src in copy.sources:
            src_is_dir = _is_dir_src(image, copy, src, exists)
            rel = _copy_source_for(copy, src, abs_path, src_is_dir)
            if rel is None and not src_is_dir:
                rel = _into_folder(image, stage, copy, src, abs_path)
            if rel is None:
                continue
            if copy.from_stage is None:
                cand = normalize(posixpath.join(context, rel.lstrip("/")))
                if cand is not None and exists.is_file(cand):
                    return cand
            else:
                from_stage = df.stage_by_ref(copy.from_stage)
                if from_stage is not None:
                    src_abs = posixpath.normpath(posixpath.join(from_stage.workdir or "/", rel))
                    hit = _source_in(image, from_stage, src_abs, depth + 1, exists)
                    if hit is not None:
                        return hit
    if stage.parent is not None:
        return _source_in(image, df.stages[stage.parent], abs_path, depth + 1, exists)
    return None


def _is_dir_src(image: Image, copy: Copy, src: str, exists: _Exists) -> bool:
    if copy.from_stage is not None:
        return not posixpath.basename(src).count(".")
    clean = src.lstrip("/")
    if clean in ("", "."):
        return True
    rel = normalize(posixpath.join(image.context or ".", clean))
    return rel is not None and exists.is_dir(rel)


def _into_folder(image: Image, stage: Stage, copy: Copy, src: str, abs_path: str) -> str | None:
    """`COPY file /dir` (one file, no trailing slash) into a folder that exists: the file is
    at /dir/<name>."""
    if copy.from_stage is not None or copy.target_is_dir or copy.heredocs:
        return None
    src_clean = src.lstrip("/").removeprefix("./")
    if abs_path != posixpath.join(copy.target, posixpath.basename(src_clean)):
        return None
    return src_clean if folder_exists_before(image, stage, copy.line, copy.target) else None


def _copy_source_for(copy: Copy, src: str, abs_path: str, src_is_dir: bool) -> str | None:
    """The source path (context-relative, or absolute in a `--from` stage) that a COPY puts at
    `abs_path`, or None."""
    target = copy.target.rstrip("/") or "/"
    src_clean = src
    if copy.from_stage is None:
        src_clean = src.lstrip("/")
        if src_clean.startswith("./"):
            src_clean = src_clean[2:]
    if any(ch in src_clean for ch in "*?["):
        if posixpath.dirname(abs_path) == target and fnmatch(
            posixpath.basename(abs_path), posixpath.basename(src_clean)
        ):
            return posixpath.join(posixpath.dirname(src_clean), posixpath.basename(abs_path))
        return None
    if src_is_dir:
        if abs_path == target:
            return None
        if target == "/" or abs_path.startswith(target + "/"):
            rest = abs_path[len(target) :].lstrip("/")
            return posixpath.join(src_clean or ".", rest) if src_clean not in ("", ".") else rest
        return None
    if copy.target_is_dir:
        if abs_path == posixpath.join(target, posixpath.basename(src_clean)):
            return src_clean
        return None
    if abs_path == target:
        return src_clean
    return None
