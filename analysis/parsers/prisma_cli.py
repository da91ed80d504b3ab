"""Recognise a Prisma CLI invocation in a command's words and normalize it.

`prisma_invocation(words)` understands every way a project starts the CLI (`prisma`,
`npx prisma`, `npx prisma@latest`, `npx --yes prisma@6`, `npx -p prisma@5 prisma`,
`npm exec prisma`, `pnpm prisma`, `pnpm exec prisma`, `pnpm dlx prisma`, `yarn prisma`,
`yarn dlx prisma`, `bunx prisma`, `bun x prisma`, `node_modules/.bin/prisma`,
`node node_modules/prisma/build/index.js`, behind `exec`/`env`/`dotenv --`/`gosu`) and maps
every generation's vocabulary onto one: Prisma 8's `db migrate` is "migrate deploy",
`migration plan` is "migrate dev", `db update` is "db push" (its `--delete X`/`--confirm` is
`--accept-data-loss`), `contract emit` is "generate".

It is the one Prisma command vocabulary: `command_of(words)` normalizes command words found
any other way (a text scan of a `RUN`), `spellings(command)` lists how a normalized command is
written, and the command sets (`CHANGES_SCHEMA`, `APPLIES_MIGRATIONS`, `DESTRUCTIVE_SYNC`) are
the ones rules, facts and the checklist ask.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from analysis.parsers.package_manager import MANAGERS, leading_options
from analysis.parsers.shell.words import effective_argv, small_words
from analysis.records import dataclass

COMMANDS_2 = {
    ("migrate", "deploy"): "migrate deploy",
    ("migrate", "dev"): "migrate dev",
    ("migrate", "reset"): "migrate reset",
    ("migrate", "resolve"): "migrate resolve",
    ("migrate", "status"): "migrate status",
    ("migrate", "diff"): "migrate diff",
    ("db", "push"): "db push",
    ("db", "seed"): "db seed",
    ("db", "execute"): "db execute",
    ("db", "pull"): "db pull",
    # Prisma 8
    ("db", "migrate"): "migrate deploy",
    ("migration", "plan"): "migrate dev",
    ("db", "update"): "db push",
    ("contract", "emit"): "generate",
}
COMMANDS_1 = frozenset(
    {"generate", "studio", "init", "format", "validate", "version", "debug", "introspect"}
)
PRISMA8_COMMANDS = frozenset({("db", "migrate"), ("migration", "plan"), ("db", "update")})

APPLIES_MIGRATIONS = frozenset({"migrate deploy", "migrate dev", "migrate reset"})
"""Commands that apply the migrations folder to the database."""
CHANGES_SCHEMA = frozenset({"migrate deploy", "migrate dev", "migrate reset", "db push"})
"""Commands that change the database's schema."""
DESTRUCTIVE_SYNC = frozenset({"db push", "migrate dev", "migrate reset"})
"""Commands that can drop data to bring the database in line (a sync, or a reset)."""


def command_of(words: Sequence[str]) -> str | None:
    """The normalized command that the command words after `prisma` name (`("db", "update")`
    -> "db push", `("generate", "--watch")` -> "generate"), or None when they name none."""
    if len(words) >= 2:
        hit = COMMANDS_2.get((words[0], words[1]))
        if hit is not None:
            return hit
    if words and words[0] in COMMANDS_1:
        return words[0]
    return None


def spellings(command: str) -> tuple[str, ...]:
    """Every way the normalized `command` is written ("db push" -> "db push", "db update")."""
    written = tuple(" ".join(k) for k, v in COMMANDS_2.items() if v == command)
    return (*written, command) if command in COMMANDS_1 else written


VALUE_FLAGS = frozenset(
    {
        "--schema",
        "--name",
        "-n",
        "--applied",
        "--rolled-back",
        "--file",
        "--url",
        "--from-url",
        "--to-url",
        "--from-schema-datamodel",
        "--to-schema-datamodel",
        "--from-migrations",
        "--to-migrations",
        "--shadow-database-url",
        "--delete",
        "--rename",
        "--config",
        "--generator",
        "--browser",
        "--port",
        "-p",
    }
)
"""Flags that take a value (`--schema x`): the value is not a command word."""
_PKG_RE = re.compile(r"^(?:@prisma/cli|prisma)(?:@(?P<version>[^\s]+))?$")


@dataclass(slots=True, frozen=True)
class PrismaInvocation:
    """One Prisma CLI call.

    `command` is normalized ("migrate deploy", "db push", "generate", ...; "" when only
    `prisma` or an unknown command); `written` the command words as written ("db update");
    `flags` the flags as written plus normalized equivalents (`--accept-data-loss` for Prisma
    8's `--delete`/`--confirm`); `runner` how it is started ("prisma", "npx", "pnpm exec",
    "pnpm dlx", "yarn", "bunx", "node", ...); `version` the version asked for (`prisma@latest`
    -> "latest", "" when none); `may_download` when the runner fetches the CLI from the
    registry if it is not installed (npx, bunx) or always (pnpm dlx, yarn dlx, a pinned
    `prisma@X`)."""

    command: str
    written: str
    flags: tuple[str, ...]
    args: tuple[str, ...]
    runner: str
    version: str = ""
    may_download: bool = False
    prisma8: bool = False
    schema: str | None = None

    def has(self, flag: str) -> bool:
        return flag in self.flags

    @property
    def accept_data_loss(self) -> bool:
        return "--accept-data-loss" in self.flags

    @property
    def force_reset(self) -> bool:
        return "--force-reset" in self.flags

    @property
    def changes_schema(self) -> bool:
        return self.command in CHANGES_SCHEMA

    @property
    def label(self) -> str:
        """`prisma migrate deploy`, `prisma db push --accept-data-loss` (as normalized)."""
        shown = [f for f in self.flags if f in _SHOWN_FLAGS]
        return " ".join(["prisma", self.command or self.written, *shown]).strip()

    @property
    def pinned_elsewhere(self) -> bool:
        """Asks for a floating version (`latest`, `next`, `dev`, a bare major)."""
        v = self.version
        return v in ("latest", "next", "dev", "beta", "canary", "rc") or bool(
            re.fullmatch(r"\^?~?\d+(\.x)?", v)
        )


_SHOWN_FLAGS = frozenset(
    {
        "--accept-data-loss",
        "--force-reset",
        "--force",
        "--skip-seed",
        "--skip-generate",
        "--applied",
        "--rolled-back",
        "--create-only",
    }
)


def _is_prisma_bin(word: str) -> bool:
    return word == "prisma" or word.endswith("/.bin/prisma") or word == ".bin/prisma"


def _runner_split(argv: tuple[str, ...]) -> tuple[str, str, bool, tuple[str, ...]] | None:
    """(runner, version, may_download, words after the `prisma` word) or None."""
    if not argv:
        return None
    head = argv[0].rsplit("/", 1)[-1] if "node_modules" not in argv[0] else argv[0]
    if _is_prisma_bin(argv[0]) or head == "prisma":
        return "prisma", "", False, argv[1:]
    rest = argv[1:]
    if head in MANAGERS:
        # `pnpm --filter @acme/db exec prisma`, `yarn workspace db prisma`, `bun --cwd db x`
        rest = leading_options(head, rest).rest
    if head in ("npx", "pnpx", "bunx"):
        return _after_package_runner(head, rest, downloads=True)
    if head == "npm" and rest[:1] in (("exec",), ("x",)):
        return _after_package_runner("npm exec", rest[1:], downloads=True)
    if head == "pnpm":
        if rest[:1] == ("exec",):
            return _after_package_runner("pnpm exec", rest[1:], downloads=False)
        if rest[:1] == ("dlx",):
            return _after_package_runner("pnpm dlx", rest[1:], downloads=True, always=True)
        if rest and _PKG_RE.match(rest[0]):
            return "pnpm", "", False, rest[1:]
        return None
    if head == "yarn":
        if rest[:1] in (("exec",), ("run",)):
            rest = rest[1:]
        elif rest[:1] == ("dlx",):
            return _after_package_runner("yarn dlx", rest[1:], downloads=True, always=True)
        if rest and _is_prisma_bin(rest[0]):
            return "yarn", "", False, rest[1:]
        return None
    if head == "bun":
        if rest[:1] == ("x",):
            return _after_package_runner("bunx", rest[1:], downloads=True)
        if rest[:1] == ("run",):
            rest = rest[1:]
        while rest and rest[0].startswith("--"):
            rest = rest[1:]
        if rest and _is_prisma_bin(rest[0]):
            return "bun", "", False, rest[1:]
        return None
    if head in ("node", "tsx", "ts-node") and len(rest) >= 1:
        script = rest[0]
        if "node_modules/prisma/" in script or script.endswith("/.bin/prisma"):
            return "node", "", False, rest[1:]
    return None


def _after_package_runner(
    runner: str, rest: tuple[str, ...], downloads: bool, always: bool = False
) -> tuple[str, str, bool, tuple[str, ...]] | None:
    version = ""
    package_version: str | None = None
    i = 0
    no_install = False
    while i < len(rest):
        w = rest[i]
        if w in ("-p", "--package") and i + 1 < len(rest):
            m = _PKG_RE.match(rest[i + 1])
            if m:
                package_version = m.group("version") or ""
            i += 2
            continue
        if w.startswith("--package="):
            m = _PKG_RE.match(w.split("=", 1)[1])
            if m:
                package_version = m.group("version") or ""
            i += 1
            continue
        if w in ("--no-install", "--offline", "--prefer-offline"):
            no_install = True
        if w == "--":
            i += 1
            break
        if w.startswith("-"):
            i += 1
            continue
        break
    if i >= len(rest):
        return None
    m = _PKG_RE.match(rest[i])
    if not m and not _is_prisma_bin(rest[i]):
        return None
    if m:
        version = m.group("version") or ""
    if package_version is not None and not version:
        version = package_version
    may_download = (downloads and not no_install) or always or bool(version and downloads)
    return runner, version, may_download, rest[i + 1 :]


def prisma_invocation(words: tuple[str, ...]) -> PrismaInvocation | None:
    """The Prisma CLI call these command words make, or None (memoized for short commands:
    a pure function of the words; the cache stays bounded in bytes)."""
    return _prisma_invocation_cached(words) if small_words(words) else _prisma_invocation(words)


@lru_cache(maxsize=8192)
def _prisma_invocation_cached(words: tuple[str, ...]) -> PrismaInvocation | None:
    return _prisma_invocation(words)


def _prisma_invocation(words: tuple[str, ...]) -> PrismaInvocation | None:
    argv = effective_argv(words)
    split = _runner_split(argv)
    if split is None:
        return None
    runner, version, may_download, rest = split
    # global flags before the command (`prisma --schema x migrate deploy` is accepted)
    lead_flags: list[str] = []
    i = 0
    while i < len(rest) and rest[i].startswith("-"):
        lead_flags.append(rest[i])
        i += 2 if rest[i] in VALUE_FLAGS and "=" not in rest[i] else 1
    cmd_words = rest[i:]
    command = ""
    written = ""
    prisma8 = False
    consumed = 0
    if len(cmd_words) >= 2 and (cmd_words[0], cmd_words[1]) in COMMANDS_2:
        key = (cmd_words[0], cmd_words[1])
        command = COMMANDS_2[key]
        written = " ".join(key)
        prisma8 = key in PRISMA8_COMMANDS or key == ("contract", "emit")
        consumed = 2
    elif cmd_words and cmd_words[0] in COMMANDS_1:
        command = written = cmd_words[0]
        consumed = 1
    elif cmd_words and not cmd_words[0].startswith("-"):
        written = cmd_words[0]
        consumed = 1
    tail = (*lead_flags, *rest[i + consumed :])
    flags: list[str] = []
    schema: str | None = None
    k = 0
    while k < len(tail):
        w = tail[k]
        if w.startswith("-"):
            name = w.split("=", 1)[0]
            flags.append(name)
            if name == "--schema":
                schema = (
                    w.split("=", 1)[1] if "=" in w else (tail[k + 1] if k + 1 < len(tail) else None)
                )
            if "=" not in w and name in VALUE_FLAGS and k + 1 < len(tail):
                k += 1
        k += 1
    if command == "db push" and prisma8 and ("--delete" in flags or "--confirm" in flags):
        flags.append("--accept-data-loss")
    return PrismaInvocation(
        command=command,
        written=written,
        flags=tuple(flags),
        args=tuple(rest),
        runner=runner,
        version=version,
        may_download=may_download,
        prisma8=prisma8,
        schema=schema,
    )


@dataclass(slots=True, frozen=True)
class GlobalInstall:
    """`npm i -g prisma[@v]` and the like: a CLI installed outside the project's lockfile."""

    manager: str
    version: str


def global_prisma_install(words: tuple[str, ...]) -> GlobalInstall | None:
    """`npm install -g prisma`, `pnpm add -g prisma@6`, `yarn global add prisma`, `bun add -g`
    (memoized for short commands)."""
    return _global_install_cached(words) if small_words(words) else _global_install(words)


@lru_cache(maxsize=4096)
def _global_install_cached(words: tuple[str, ...]) -> GlobalInstall | None:
    return _global_install(words)


def _global_install(words: tuple[str, ...]) -> GlobalInstall | None:
    argv = effective_argv(words)
    if len(argv) < 3:
        return None
    head = argv[0].rsplit("/", 1)[-1]
    rest = argv[1:]
    is_global = False
    if head == "npm" and rest[0] in ("i", "install", "add", "in", "ins", "isntall"):
        is_global = any(w in ("-g", "--global", "--location=global") for w in rest)
    elif head in ("pnpm", "bun") and rest[0] in ("add", "i", "install"):
        is_global = any(w in ("-g", "--global") for w in rest)
    elif head == "yarn" and rest[:2] == ("global", "add"):
        is_global = True
    if not is_global:
        return None
    for w in rest:
        m = _PKG_RE.match(w)
        if m:
            return GlobalInstall(head, m.group("version") or "")
    return None
