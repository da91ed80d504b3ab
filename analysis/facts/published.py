"""Fact: compose services that pull an image this repository builds itself.

A production compose file often pulls the project's own published image
(`image: ghcr.io/acme/app:latest`) instead of building it. Its start command is then the
Dockerfile's ENTRYPOINT/CMD, which keepdata can read: `published_images(ctx)` links such a
service to the Dockerfile that builds the image, and says why (the link is inferred, never
certain). The evidence, strongest first:

1. a service of another stack builds the same image (`build:` with the same `image:`
   repository), or a service of the same name is built elsewhere in the repository;
2. a `docker build -t <repository>` in a script, Makefile or package.json, or a workflow
   (`.github/workflows/*`, `.gitlab-ci.yml`) that names the repository and builds one Dockerfile;
3. the image's name is the repository's (the analyzed folder's name, the root package.json's
   `name`) or a workspace package's (`@openpanel/api` for `openpanel-api`): the Dockerfile of
   that package's folder, else the root Dockerfile, else the only application Dockerfile.

Images of Docker Hub's library (`postgres:16`, `node:20`) and database services are never
linked.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from itertools import pairwise

from analysis.context import Context
from analysis.facts.compose import ComposeStack
from analysis.facts.images.records import Image
from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.parsers.package_json.package import parse_package_json
from analysis.records import dataclass
from analysis.sources import FileKind, SourceFile

_LIBRARY_IMAGE = lazy_compile(r"^(?:docker\.io/)?(?:library/)?[a-z0-9._-]+(?::[^/]*)?(?:@.*)?$")
_NOT_APP_DIRS = frozenset(
    {"test", "tests", "e2e", "example", "examples", "fixtures", ".devcontainer", "docs", "sandbox"}
)
WORKFLOW_DIRS = (".github/workflows",)
WORKFLOW_FILES = (".gitlab-ci.yml", ".gitlab-ci.yaml")
MAX_WORKFLOW_BYTES = 512 * 1024


@dataclass(slots=True, frozen=True)
class PublishedImage:
    """A compose service (`stack`, `service`) that pulls `image_ref`, linked to the build of
    `dockerfile` (with `context` and `target`). `reason` says why keepdata links them;
    `evidence` is where that shows (the building service, the `docker build` line)."""

    stack: str
    service: str
    image_ref: str
    location: Location
    dockerfile: str
    context: str
    target: str | None
    reason: str
    evidence: Location | None = None

    @property
    def label(self) -> str:
        return f"image {self.image_ref} is built from {self.dockerfile} (inferred: {self.reason})"


def repository(ref: str) -> str:
    """`ghcr.io/acme/app:1.2@sha256:..` -> `acme/app`; `docker.io/library/node:20` -> `node`."""
    name = ref.strip().split("@", 1)[0]
    last = name.rsplit("/", 1)
    if ":" in last[-1]:
        name = name[: len(name) - len(last[-1])] + last[-1].split(":", 1)[0]
    parts = name.lower().split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _tag(ref: str) -> str:
    name = ref.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""


# -- the evidence --------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class _Built:
    """One image build keepdata knows, as candidates for a pulled image."""

    dockerfile: str
    context: str
    target: str | None
    where: Location | None
    what: str


def _compose_built(images: tuple[Image, ...]) -> dict[str, list[_Built]]:
    """Builds by the compose service that builds them."""
    by_name: dict[str, list[_Built]] = {}
    for image in images:
        for use in image.uses:
            built = _Built(
                image.dockerfile,
                image.context,
                image.target,
                use.location,
                f'service "{use.service}" of {use.compose_file} builds it',
            )
            by_name.setdefault(use.service, []).append(built)
    return by_name


def _tagged_builds(ctx: Context, stacks: tuple[ComposeStack, ...]) -> dict[str, list[_Built]]:
    """Services with both `build:` and `image:`: compose tags what it builds with `image:`."""
    out: dict[str, list[_Built]] = {}
    for stack in stacks:
        for svc in stack.services:
            build = svc.build
            if build is None or svc.image is None or not build.dockerfile_path:
                continue
            out.setdefault(repository(svc.image.value), []).append(
                _Built(
                    build.dockerfile_path,
                    build.context_path or ".",
                    build.target or None,
                    svc.image.location,
                    f'service "{svc.name}" of {svc.location.path} builds it as {svc.image.value}',
                )
            )
    return out


_DOCKER_BUILD = lazy_compile(r"docker\s+(?:buildx\s+)?build\b(?P<args>[^\n;&|`]*)")


@dataclass(slots=True, frozen=True)
class ScriptBuild:
    """A `docker build [-t TAG]... [-f FILE] CONTEXT` found in a script, Makefile, package.json
    or workflow: the Dockerfile and context it builds (root-relative), its tags and line."""

    dockerfile: str
    context: str
    tags: tuple[str, ...]
    location: Location


def script_builds(ctx: Context) -> tuple[ScriptBuild, ...]:
    """Fact: every `docker build` of the project's scripts and workflows that keepdata can
    resolve to a Dockerfile and a context inside the root."""
    out: list[ScriptBuild] = []
    for rel, text in _build_texts(ctx):
        if "build" not in text:
            continue
        folder = posixpath.dirname(rel)
        for m in _DOCKER_BUILD.finditer(text):
            args = m.group("args").replace('\\"', '"').replace("\\\n", " ")
            try:
                words = shlex.split(args, posix=True)
            except ValueError:
                words = args.split()
            tags: list[str] = []
            file: str | None = None
            positional: list[str] = []
            i = 0
            while i < len(words):
                w = words[i]
                nxt = words[i + 1] if i + 1 < len(words) else ""
                if w in ("-t", "--tag"):
                    tags.append(nxt)
                    i += 2
                    continue
                if w in ("-f", "--file"):
                    file = nxt
                    i += 2
                    continue
                if w.startswith("--tag="):
                    tags.append(w[6:])
                elif w.startswith("--file="):
                    file = w[7:]
                elif w.startswith("--") and "=" not in w and nxt and not nxt.startswith("-"):
                    if w in ("--target", "--build-arg", "--platform", "--label", "--cache-from"):
                        i += 2
                        continue
                elif not w.startswith("-"):
                    positional.append(w)
                i += 1
            if not positional:
                continue
            found = _resolve_build(ctx, folder, rel, positional[0], file)
            if found is None:
                continue
            dockerfile, context = found
            line = text.count("\n", 0, m.start()) + 1
            out.append(ScriptBuild(dockerfile, context, tuple(tags), Location(rel, line)))
        if "build-push-action" in text:
            out.extend(_action_builds(ctx, rel, text))
    return tuple(out)


_STEP = lazy_compile(r"^\s*-\s+(?:name|uses|id)\s*:", re.MULTILINE)


def _action_builds(ctx: Context, rel: str, text: str) -> list[ScriptBuild]:
    """Each `docker/build-push-action` step of a workflow: its `context:` and `file:`."""
    out: list[ScriptBuild] = []
    starts = [m.start() for m in _STEP.finditer(text)] + [len(text)]
    for begin, end in pairwise(starts):
        chunk = text[begin:end]
        if "docker/build-push-action" not in chunk:
            continue
        values = {
            m.group("key"): m.group("value").strip("'\"") for m in _ACTION_KEY.finditer(chunk)
        }
        if not values or any("$" in v for v in values.values()):
            continue
        found = _resolve_build(ctx, "", rel, values.get("context", "."), values.get("file"))
        if found is None:
            continue
        line = text.count("\n", 0, begin) + 1
        out.append(ScriptBuild(found[0], found[1], (), Location(rel, line)))
    return out


def _script_builds(ctx: Context) -> dict[str, list[_Built]]:
    """The builds of `script_builds` by the repository each tags."""
    out: dict[str, list[_Built]] = {}
    for b in ctx.fact(script_builds):
        for tag in b.tags:
            if "$" in repository(tag).split("/")[-1]:
                continue
            out.setdefault(repository(tag), []).append(
                _Built(
                    b.dockerfile,
                    b.context,
                    None,
                    b.location,
                    f"`docker build -t {tag}` in {b.location.path} builds it",
                )
            )
    return out


def _resolve_build(
    ctx: Context, folder: str, source: str, context: str, file: str | None
) -> tuple[str, str] | None:
    """(Dockerfile, context) of a `docker build [-f file] context` written in `source`: relative
    to the file's folder (where npm runs a script) or to the root (where scripts and workflows
    usually run); the first where both exist."""
    if "$" in context or "://" in context or (file is not None and "$" in file):
        return None
    bases = [""] if source.startswith(".github/") or not folder else [folder, ""]
    for base in bases:
        ctx_dir = posixpath.normpath(posixpath.join(base, context))
        if ctx_dir.startswith("../") or ctx_dir == "..":
            continue
        if ctx_dir != "." and not ctx.is_dir(ctx_dir):
            continue
        df = posixpath.normpath(posixpath.join(base if file else ctx_dir, file or "Dockerfile"))
        if not df.startswith("../") and ctx.exists(df) and not ctx.is_dir(df):
            return df, ctx_dir
    return None


def _build_texts(ctx: Context) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for rel in ctx.files(FileKind.SHELL, FileKind.MAKEFILE, FileKind.PACKAGE_JSON):
        text = _text(ctx, rel)
        if text is not None:
            out.append((rel, text))
    for rel in _workflow_files(ctx):
        text = _text(ctx, rel)
        if text is not None:
            out.append((rel, text))
    return out


def _text(ctx: Context, rel: str) -> str | None:
    source = ctx.parse(rel, _identity)
    return source if isinstance(source, str) else None


def _identity(source: SourceFile) -> str:
    return str(source.text)


def _workflow_files(ctx: Context) -> tuple[str, ...]:
    out: list[str] = []
    for folder in WORKFLOW_DIRS:
        if folder not in ctx.inventory.dirs:
            continue
        try:
            names = sorted(p.name for p in (ctx.root / folder).iterdir())
        except OSError:
            continue
        out.extend(f"{folder}/{n}" for n in names if n.endswith((".yml", ".yaml")))
    out.extend(n for n in WORKFLOW_FILES if ctx.exists(n))
    return tuple(
        rel
        for rel in out
        if ctx.exists(rel) and not ctx.is_dir(rel) and _size(ctx, rel) <= MAX_WORKFLOW_BYTES
    )


def _size(ctx: Context, rel: str) -> int:
    try:
        return (ctx.root / rel).stat().st_size
    except OSError:
        return MAX_WORKFLOW_BYTES + 1


_ACTION_KEY = lazy_compile(r"^\s*(?P<key>file|context)\s*:\s*(?P<value>[^\s#]+)", re.MULTILINE)


def _workflow_builds(ctx: Context, repo: str) -> list[_Built]:
    """A workflow that names `repo` (`images: ghcr.io/acme/app`, `tags: acme/app:latest`) and
    builds exactly one Dockerfile with docker/build-push-action (its `file:`/`context:`)."""
    found: dict[str, _Built] = {}
    for rel in _workflow_files(ctx):
        text = _text(ctx, rel)
        if text is None or "build-push-action" not in text:
            continue
        if not re.search(rf"(?<![\w.-]){re.escape(repo)}(?![\w.-]|/[\w])", text.lower()):
            continue
        files: dict[str, int] = {}
        contexts: dict[str, int] = {}
        for m in _ACTION_KEY.finditer(text):
            value = m.group("value").strip("'\"")
            line = text.count("\n", 0, m.start()) + 1
            (files if m.group("key") == "file" else contexts).setdefault(value, line)
        ctx_name = next(iter(contexts)) if len(contexts) == 1 else "."
        line = next(iter(contexts.values()), 1)
        if len(files) == 1:
            name, line = next(iter(files.items()))
            resolved = _resolve_build(ctx, "", rel, ctx_name, name)
        elif not files and contexts:
            resolved = _resolve_build(ctx, "", rel, ctx_name, None)
        else:
            continue
        if resolved is None:
            continue
        df, ctx_dir = resolved
        found.setdefault(
            df,
            _Built(df, ctx_dir, None, Location(rel, line), f"the workflow {rel} builds it"),
        )
    return list(found.values())


# -- by name -------------------------------------------------------------------------------------
def _app_dockerfiles(images: tuple[Image, ...]) -> list[Image]:
    out = []
    for image in images:
        if image.file is None or image.stage is None:
            continue
        if any(part.lower() in _NOT_APP_DIRS for part in image.dockerfile.split("/")[:-1]):
            continue
        if image.entrypoint is None and image.cmd is None:
            continue
        out.append(image)
    return out


def _package_names(ctx: Context) -> dict[str, str]:
    """Normalized package names (`@scope/name` -> `scope-name`, `name` and `scope`) -> their
    folder ("" for the root package)."""
    out: dict[str, str] = {}
    for rel in ctx.files(FileKind.PACKAGE_JSON):
        name = _package_name(ctx, rel)
        if name is None:
            continue
        folder = posixpath.dirname(rel)
        keys = {_norm(name), _norm(name.rsplit("/", 1)[-1])}
        if not folder and name.startswith("@") and "/" in name:
            keys.add(_norm(name.split("/", 1)[0]))
        for key in keys:
            if key and (key not in out or len(folder) < len(out[key])):
                out[key] = folder
    return out


def _package_name(ctx: Context, rel: str) -> str | None:
    pkg = ctx.parse(rel, parse_package_json)
    return pkg.name if pkg is not None and pkg.name else None


def _words(*names: str) -> set[str]:
    return {w for n in names for w in _norm(n).split("-") if len(w) >= 3}


def _by_name(ctx: Context, repo: str, images: tuple[Image, ...]) -> _Built | None:
    parts = repo.split("/")
    last = _norm(parts[-1])
    full = _norm(repo)
    owner = parts[-2] if len(parts) > 1 else ""
    names = _package_names(ctx)
    project = {_norm(ctx.root.name)} | {k for k, f in names.items() if f == ""}
    folder: str | None = None
    why = ""
    if last in project or full in project:
        folder = ""
        why = f"its name {parts[-1]!r} is the project's (repository folder or root package.json)"
    else:
        for key, strict in ((full, False), (last, True)):
            if names.get(key):
                if strict and not (_words(owner) & _words(*project)):
                    continue  # `bitnamilegacy/clickhouse` is not the package `clickhouse`
                folder = names[key]
                why = f"its name matches the package {key!r} of {folder}/package.json"
                break
    if folder is None:
        return None
    apps = _app_dockerfiles(images)
    files = sorted(
        rel
        for rel in ctx.files(FileKind.DOCKERFILE)
        if not any(p.lower() in _NOT_APP_DIRS for p in rel.split("/")[:-1])
    )
    if folder:
        chosen = [f for f in files if posixpath.dirname(f) == folder]
    else:
        chosen = [f for f in files if "/" not in f]
        if not chosen:  # `dockers/teable/Dockerfile` for teable
            chosen = [f for f in files if _norm(posixpath.basename(posixpath.dirname(f))) == last]
        if not chosen and len(files) == 1:
            chosen = files
            why += ", and it is the only Dockerfile"
    plain = [f for f in chosen if posixpath.basename(f).lower() in ("dockerfile", "containerfile")]
    chosen = plain or chosen
    if len(chosen) != 1:
        return None
    own = [i for i in apps if i.dockerfile == chosen[0] and i.target is None]
    if not own:
        return None
    image = _prefer(own)
    return _Built(image.dockerfile, image.context, image.target, None, why)


def _names_match(repo: str, service: str, ctx: Context) -> bool:
    """Whether the pulled image's name fits the service or the project (a word of 3+ letters in
    common with the service name, the repository folder or the root package name)."""
    words = {w for w in _norm(repo.rsplit("/", 1)[-1]).split("-") if len(w) >= 3}
    names = {_norm(service), _norm(ctx.root.name), *_package_names(ctx)}
    theirs = {w for n in names for w in n.split("-") if len(w) >= 3}
    return bool(words & theirs) or _norm(repo.rsplit("/", 1)[-1]) == _norm(service)


def _prefer(images: list[Image]) -> Image:
    """Of several builds of one Dockerfile, the plain one (no compose use, no target)."""
    return sorted(images, key=lambda i: (bool(i.uses), i.target or ""))[0]


# -- the fact --------------------------------------------------------------------------------------
def published_images(ctx: Context) -> tuple[PublishedImage, ...]:
    """Fact: every compose service that pulls an image this repository builds (see above)."""
    from analysis.facts.compose import compose_stacks
    from analysis.facts.databases import databases
    from analysis.facts.images.builds import images as images_fact

    stacks = tuple(ctx.fact(compose_stacks))
    candidates = [
        (stack, svc)
        for stack in stacks
        for svc in stack.services
        if svc.build is None
        and svc.image is not None
        and svc.image.value
        and "$" not in svc.image.value
        and not _LIBRARY_IMAGE.match(svc.image.value)
    ]
    if not candidates:
        return ()
    db_keys = {(d.stack, d.service) for d in ctx.fact(databases)}
    images = tuple(ctx.fact(images_fact))
    by_service = _compose_built(images)
    tagged = _tagged_builds(ctx, stacks)
    scripted: dict[str, list[_Built]] | None = None
    out: list[PublishedImage] = []
    for stack, svc in candidates:
        if (stack.id, svc.name) in db_keys:
            continue
        assert svc.image is not None
        ref = svc.image.value
        repo = repository(ref)
        if not repo:
            continue
        choice: _Built | None = None
        same_repo = tagged.get(repo, [])
        if len({b.dockerfile for b in same_repo}) == 1:
            choice = same_repo[0]
        if choice is None:
            elsewhere = [
                b
                for b in by_service.get(svc.name, [])
                if b.where is None or b.where.path not in stack.all_files
            ]
            if not _names_match(repo, svc.name, ctx):
                elsewhere = []  # `app: image: mcr.microsoft.com/devcontainers/...`: another image
            if len({(b.dockerfile, b.context) for b in elsewhere}) == 1:
                choice = elsewhere[0]
                choice = _Built(
                    choice.dockerfile,
                    choice.context,
                    choice.target,
                    choice.where,
                    f"a service of the same name is built elsewhere: {choice.what}",
                )
        if choice is None:
            if scripted is None:
                scripted = _script_builds(ctx)
            built = scripted.get(repo, [])
            if len({b.dockerfile for b in built}) == 1:
                choice = built[0]
        if choice is None:
            built = _workflow_builds(ctx, repo)
            if len(built) == 1:
                choice = built[0]
        if choice is None:
            choice = _by_name(ctx, repo, images)
        if choice is None:
            continue
        out.append(
            PublishedImage(
                stack.id,
                svc.name,
                ref,
                svc.image.location,
                choice.dockerfile,
                choice.context,
                choice.target,
                choice.what,
                choice.where,
            )
        )
    return tuple(out)


def published_image_for(ctx: Context, stack: str, service: str) -> PublishedImage | None:
    for p in ctx.fact(published_images):
        if p.stack == stack and p.service == service:
            return p
    return None


def image_of(ctx: Context, published: PublishedImage) -> Image | None:
    """The `Image` record of the build a published image is linked to (None: not analyzed)."""
    from analysis.facts.images.builds import images

    matches = [
        i
        for i in ctx.fact(images)
        if i.dockerfile == published.dockerfile and i.target == published.target
    ]
    if not matches:
        return None
    same_context = [i for i in matches if i.context == published.context]
    return _prefer(same_context or matches)
