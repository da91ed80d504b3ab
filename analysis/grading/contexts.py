"""Contexts: production (the default), development or test, for every file a finding points at.

Inferred from names (`../shared/RULES.md`, "Context"): a path's file name, then its folders
nearest first, are split into words; `test`/`tests`/`e2e`/`ci`/... say test, `dev`/`local`/
`devcontainer`/`override`/... development, `prod`/`production`/`deploy`/... production (the
first name with such a word decides). Platform files are production. A compose file no name
decides gets its stack's context: the project `name:`, a database run with `fsync=off` (test),
or a local-only stack (only databases and tools, no app service: development), or a file of
its `-f` chain whose name says so (Compose's override file aside). A compose file, `.env` or
`env_file` no name decides and that only development or test stacks read takes their context
(documenso's `.env.example`, read only by `docker/testing/compose.yml`). A keepdata.toml
`[contexts]` table overrides the inference per path glob (the first matching entry wins).

Persistence and secret findings (KD1xx, KD4xx, KD304) are one level lower in development and
`info` in test; every finding of a non-production file carries its context, so the verdict
can be decided by production findings first.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from analysis.model import Finding, Severity
from analysis.records import dataclass

if TYPE_CHECKING:
    from collections.abc import Iterable

    from analysis.context import Context
    from analysis.facts.compose import ComposeStack
    from analysis.facts.databases import Database

PRODUCTION, DEVELOPMENT, TEST = "production", "development", "test"
CONTEXTS = (PRODUCTION, DEVELOPMENT, TEST)

_TEST_WORDS = frozenset(
    {"test", "tests", "testing", "e2e", "ci", "integration", "playwright", "cypress", "spec"}
)
_DEV_WORDS = frozenset(
    {"dev", "devenv", "development", "devcontainer", "local", "override", "develop", "sandbox"}
)
_PROD_WORDS = frozenset({"prod", "production", "deploy", "deployment", "release", "selfhost"})
_PLATFORM_FILES = frozenset(
    {
        "fly.toml",
        "render.yaml",
        "railway.json",
        "railway.toml",
        "vercel.json",
        "procfile",
        "nixpacks.toml",
        "app.json",
        "heroku.yml",
    }
)
_TOOL_IMAGES = (
    "adminer",
    "pgadmin",
    "dpage/pgadmin",
    "mailhog",
    "mailpit",
    "axllent/mailpit",
    "maildev",
    "inbucket",
    "smtp4dev",
    "redis",
    "valkey",
    "memcached",
    "minio",
    "localstack",
    "rabbitmq",
    "mongo-express",
    "redis-commander",
    "redisinsight",
)
_SPLIT = re.compile(r"[^a-z0-9]+")


@dataclass(slots=True, frozen=True)
class Inferred:
    context: str
    why: str


def _words(name: str) -> set[str]:
    return {w for w in _SPLIT.split(name.lower()) if w}


def _context_of_name(name: str) -> str | None:
    found = _word_of(name)
    return found[0] if found is not None else None


def _word_of(name: str) -> tuple[str, str] | None:
    """(context, the word that says it) of one file or folder name."""
    words = sorted(_words(name))
    for w in words:
        if w in _TEST_WORDS or w.startswith("test"):
            return TEST, w
    for w in words:
        if w in _DEV_WORDS:
            return DEVELOPMENT, w
    for w in words:
        if w in _PROD_WORDS:
            return PRODUCTION, w
    return None


def infer_from_path(path: str) -> Inferred | None:
    """The context a path's names say, or None when they say nothing."""
    parts = [p for p in path.split("/") if p and p != "."]
    if not parts:
        return None
    name = parts[-1]
    if name.lower() in _PLATFORM_FILES:
        return Inferred(PRODUCTION, f"{name} is a platform deploy file")
    stem = name
    if name.lower().startswith(".env"):
        stem = name[4:]  # `.env.test` says test, `.env` alone says nothing
    said = _word_of(stem)
    if said is not None:
        if said[1] == "override":
            return Inferred(said[0], f"{name} is Compose's local override file")
        return Inferred(said[0], f"its name {name} says `{said[1]}`")
    for folder in reversed(parts[:-1]):
        said = _word_of(folder)
        if said is not None:
            return Inferred(said[0], f"it lies in the folder {folder}/ (`{said[1]}`)")
    return None


def _is_tool(image: str) -> bool:
    repo = image.split("@", 1)[0].rsplit(":", 1)[0].lower()
    repo = repo.removeprefix("docker.io/").removeprefix("library/")
    return any(repo == t or repo.endswith("/" + t) for t in _TOOL_IMAGES)


def _platform_file(ctx: Context) -> str | None:
    """A platform deploy file of the project (the app deploys there, not by compose)."""
    for path, _kind in ctx.inventory.files:
        if path.rsplit("/", 1)[-1].lower() in _PLATFORM_FILES:
            return str(path)
    return None


def _stack_contexts(ctx: Context) -> dict[str, Inferred]:
    from analysis.facts.named import NAMED_FACTS  # no compose file: no compose parser imported
    from analysis.sources import FileKind

    out: dict[str, Inferred] = {}
    try:
        stacks = ctx.fact(NAMED_FACTS["stacks"])
        dbs = ctx.fact(NAMED_FACTS["databases"])
    except Exception:  # a broken fact is reported by its own checks
        return out
    if not stacks and not ctx.files(FileKind.PACKAGE_JSON):
        return out  # nothing to infer from, nor to read
    db_services = {(d.stack, d.service) for d in dbs}
    runs_app = _app_services(ctx, stacks, db_services)
    uses: dict[str, list[Inferred | None]] = {}
    # a base file the project only ever merges with others (`-f common.yml -f dev.yml`) is
    # read by those chains; its stack of its own is not one the project runs
    chained = {f for s in stacks if s.origin == "-f chain" for f in s.files}
    deploys_elsewhere = _platform_file(ctx)
    for stack in stacks:
        inferred: Inferred | None = None
        if stack.name is not None and stack.name.value:
            found = _context_of_name(stack.name.value)
            if found is not None:
                inferred = Inferred(found, f"the compose project is named {stack.name.value!r}")
        if inferred is None:
            for s in stack.services:
                if (
                    (stack.id, s.name) in db_services
                    and s.command is not None
                    and re.search(r"fsync\s*=\s*off", s.command.text, re.I)
                ):
                    inferred = Inferred(
                        TEST, f"its database {s.name!r} runs with fsync=off (throwaway data)"
                    )
                    break
        if inferred is None and stack.services:
            dbs_here = [s.name for s in stack.services if (stack.id, s.name) in db_services]
            apps = [
                s
                for s in stack.services
                if (stack.id, s.name) not in db_services
                and (s.build is not None or s.image is None or not _is_tool(s.image.value))
            ]
            if dbs_here and not apps and deploys_elsewhere:
                inferred = Inferred(
                    DEVELOPMENT,
                    "the stack is local-only: it starts only "
                    + ", ".join(repr(n) for n in dbs_here)
                    + f" and no app service, and the app deploys through {deploys_elsewhere}",
                )
            elif dbs_here and not runs_app.get(stack.id):
                inferred = _dev_infrastructure(stack, dbs, runs_app)
        if inferred is not None:
            for path in stack.all_files:
                out.setdefault(path, inferred)
        if not (stack.origin == "single" and stack.files[0] in chained):
            _note_uses(uses, stack, inferred or _chain_context(stack))
    for path, seen in uses.items():
        if path in out or infer_from_path(path) is not None:
            continue
        known = [f for f in seen if f is not None and f.context != PRODUCTION]
        if known and len(known) == len(seen):
            first = next((f for f in known if f.context == DEVELOPMENT), known[0])
            out[path] = Inferred(first.context, f"only {first.why}")
    return out


def _app_services(
    ctx: Context, stacks: Iterable[ComposeStack], db_services: set[tuple[str, str]]
) -> dict[str, list[str]]:
    """Per stack, the services that run this project's app: built from an image that holds
    its Prisma schema, running a Prisma command at start, or pulling an image this repository
    publishes (or named with a word of the project's name: `ghcr.io/teableio/teable-db-migrate`);
    not databases, tools or third-party images."""
    from analysis.facts.images.builds import images
    from analysis.facts.published import _norm, _package_names, published_image_for
    from analysis.facts.startup.paths import startup_paths

    try:  # a broken fact or file is reported by its own checks (a 5,000-deep package.json)
        names = {_norm(ctx.root.name)} | {k for k, f in _package_names(ctx).items() if f == ""}
        built = {
            (u.compose_file, u.service) for i in ctx.fact(images) if i.app_schemas for u in i.uses
        }
        prisma = {(p.stack, p.service) for p in ctx.fact(startup_paths) if p.commands}
    except Exception:
        return {}
    project = {w for n in names for w in n.split("-") if len(w) >= 4}
    out: dict[str, list[str]] = {}
    for stack in stacks:
        for s in stack.services:
            if (stack.id, s.name) in db_services:
                continue
            if (stack.id, s.name) in prisma:
                app = True  # it runs Prisma (the app's migration job)
            elif s.build is not None:
                app = any((f, s.name) in built for f in stack.all_files)
            else:
                image = s.image.value if s.image is not None else ""
                app = (
                    bool(image)
                    and not _is_tool(image)
                    and (
                        published_image_for(ctx, stack.id, s.name) is not None
                        or bool(project & set(_norm(_repo_name(image)).split("-")))
                    )
                )
            if app:
                out.setdefault(stack.id, []).append(s.name)
    return out


def _repo_name(image: str) -> str:
    """`ghcr.io/teableio/teable-db-migrate:latest` -> `teable-db-migrate`."""
    return image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]


def _dev_infrastructure(
    stack: ComposeStack, dbs: Iterable[Database], runs_app: dict[str, list[str]]
) -> Inferred | None:
    """Development infrastructure: a stack that runs none of the project's apps, publishes a
    database's port to the host (where the app then runs: `pnpm dev` against localhost), while
    another stack of the project runs the app in containers (which would reach the database
    over a network, not a host port). trigger.dev's `docker/docker-compose.yml`, teable's
    `dockers/database-postgres.yml`."""
    others = [sid for sid, apps in runs_app.items() if apps and sid != stack.id]
    elsewhere = next((sid for sid in others if infer_from_path(sid) is None), None)
    if elsewhere is None:
        return None
    for d in dbs:
        if d.stack != stack.id or not d.port:
            continue
        service = stack.service(d.service)
        port = next((p for p in service.ports if p.exposes(d.port)), None) if service else None
        if port is not None:
            return Inferred(
                DEVELOPMENT,
                f"the stack runs no app service and publishes database {d.service!r}'s port "
                f"to the host ({port.text}) for an app run outside containers, while the stack "
                f"{elsewhere} runs the app",
            )
    return None


def _chain_context(stack: ComposeStack) -> Inferred | None:
    """The context of a compose stack whose own names say nothing: its file's path, or a file
    of its `-f` chain whose path says it (`-f compose.common.yml -f compose.dev.yml`).
    Compose's override file does not count: `up` merges it into the production file too; nor
    do files pulled in through `include`/`extends` (mirlo's default file includes its test
    services)."""
    files = stack.files if stack.origin == "-f chain" else stack.files[:1]
    for path in files:
        found = infer_from_path(path)
        if found is not None and "override" not in path.rsplit("/", 1)[-1].lower():
            if found.context == PRODUCTION:
                return None
            return Inferred(
                found.context, f"read by the {found.context} stack {stack.id} ({found.why})"
            )
    return None


def _note_uses(
    uses: dict[str, list[Inferred | None]], stack: ComposeStack, found: Inferred | None
) -> None:
    """Record that `stack` (of context `found`, None: production) reads its compose files,
    its `.env` and its services' `env_file`s."""
    if found is not None and not found.why.startswith("read by"):
        found = Inferred(
            found.context, f"read by the {found.context} stack {stack.id} ({found.why})"
        )
    paths = [*stack.all_files, *([stack.dotenv] if stack.dotenv else [])]
    paths += [ref.resolved for s in stack.services for ref in s.env_files if ref.resolved]
    for path in dict.fromkeys(paths):
        uses.setdefault(path, []).append(found)


class Contexts:
    """The context of each path, computed on demand and kept."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.overrides = ctx.settings.config.contexts
        self.config_path = ctx.settings.config.path
        self._stacks: dict[str, Inferred] | None = None
        self._cache: dict[str, Inferred | None] = {}

    def of(self, path: str) -> Inferred | None:
        """The context of `path` when it is not production (None: production)."""
        if path not in self._cache:
            found = self._infer(path)
            self._cache[path] = found if found is not None and found.context != PRODUCTION else None
        return self._cache[path]

    def _infer(self, path: str) -> Inferred | None:
        from analysis.suppress import path_matches

        for o in self.overrides:
            if path_matches(path, o.pattern):
                return Inferred(o.context, f"{self.config_path} [contexts] {o.pattern!r}")
        found = infer_from_path(path)
        if found is not None:
            return found
        if self._stacks is None:
            self._stacks = _stack_contexts(self.ctx)
        return self._stacks.get(path)


def graded_here(rule: str) -> bool:
    """Persistence and secret rules: KD1xx, KD4xx, KD304."""
    return rule.startswith(("KD1", "KD4")) or rule == "KD304"


def apply_contexts(ctx: Context, findings: list[Finding]) -> list[Finding]:
    contexts = Contexts(ctx)
    out: list[Finding] = []
    for f in findings:
        path = f.location.path
        inferred = contexts.of(path) if path and path != "." else None
        if inferred is None:
            out.append(f)
            continue
        if graded_here(f.rule) and f.severity != Severity.INFO:
            new = Severity.INFO if inferred.context == TEST else f.severity.lower()
            how = (
                "ephemeral by design, graded info"
                if inferred.context == TEST
                else f"one level lower than in production ({f.severity.label})"
            )
            f = replace(
                f,
                severity=new,
                context=inferred.context,
                message=f"{f.message} [{inferred.context} context: {inferred.why}; {how}]",
            )
        else:
            f = replace(f, context=inferred.context)
        out.append(f)
    return out
