"""What one command's words lead to (a Prisma command, a script, a program, a wait tool...):
a pure function of the words."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from analysis.parsers.prisma_cli import (
    GlobalInstall,
    PrismaInvocation,
    global_prisma_install,
    prisma_invocation,
)
from analysis.parsers.programs.entry import program_file
from analysis.parsers.shell.words import (
    effective_argv,
    shell_script_argument,
    shell_script_file,
    small_words,
)

_WAIT_TOOLS = {
    "wait-for-it": ("-t", "--timeout"),
    "wait-for-it.sh": ("-t", "--timeout"),
    "wait-for": ("-t", "--timeout"),
    "wait-for.sh": ("-t", "--timeout"),
    "dockerize": ("-timeout",),
    "wait-on": ("-t", "--timeout"),
    "wait-port": ("-t", "--timeout"),
    "pg_isready": (),
}


_SCRIPT_RUNNERS = frozenset(
    {"npm", "pnpm", "yarn", "bun", "run-s", "run-p", "npm-run-all", "npm-run-all2", "concurrently"}
)


_DEFAULT_TIMEOUT = {"wait-for-it": True, "wait-for-it.sh": True, "dockerize": True}


_DOCKER_VALUE_FLAGS = frozenset(
    {
        "-u",
        "--user",
        "-w",
        "--workdir",
        "-e",
        "--env",
        "--index",
        "--name",
        "-v",
        "--volume",
        "--entrypoint",
        "-p",
        "--publish",
        "-l",
        "--label",
        "--env-file",
        "-f",
        "--file",
        "--project-name",
        "--profile",
        "--project-directory",
        "-c",
        "--container",
        "-n",
        "--namespace",
    }
)


def _docker_inner(argv: tuple[str, ...]) -> tuple[str, ...] | None:
    """The command of `docker compose exec|run SERVICE CMD...`, `docker exec CONTAINER CMD...`,
    `kubectl exec POD -- CMD...`; None for anything else."""
    head = argv[0].rsplit("/", 1)[-1]
    rest = list(argv[1:])
    if head == "kubectl":
        if rest[:1] == ["exec"] and "--" in rest:
            return tuple(rest[rest.index("--") + 1 :]) or None
        return None
    if head == "docker" and rest[:1] == ["compose"]:
        rest = rest[1:]
    elif head == "docker" and rest[:1] == ["exec"]:
        pass
    elif head != "docker-compose":
        return None
    # global flags before the subcommand
    while rest and rest[0].startswith("-"):
        rest = rest[2:] if rest[0] in _DOCKER_VALUE_FLAGS and "=" not in rest[0] else rest[1:]
    if not rest or rest[0] not in ("exec", "run"):
        return None
    rest = rest[1:]
    while rest and rest[0].startswith("-"):
        rest = rest[2:] if rest[0] in _DOCKER_VALUE_FLAGS and "=" not in rest[0] else rest[1:]
    if len(rest) < 2:
        return None
    return tuple(rest[1:])


class _Plan(NamedTuple):
    """What `follow_argv` does with a command's words: a pure function of them (memoized), in
    the order it is tried: a Prisma command; a command run in a container (`docker compose
    exec`); else a global Prisma install and a wait tool are noted, and the command leads to a
    `sh -c` string, a script file, `make`, `turbo`, a package manager's script (when the
    package.json has it) or a program file."""

    argv: tuple[str, ...]
    prisma: PrismaInvocation | None = None
    inner: tuple[str, ...] | None = None
    install: GlobalInstall | None = None
    wait: tuple[str, bool, str] | None = None
    nested: tuple[str, bool] | None = None
    script: tuple[str, tuple[str, ...]] | None = None
    make: bool = False
    turbo: bool = False
    runner: bool = False
    program: tuple[str, tuple[str, ...]] | None = None


def _plan(words: tuple[str, ...]) -> _Plan | None:
    return _plan_cached(words) if small_words(words) else _plan_of(words)


@lru_cache(maxsize=8192)
def _plan_cached(words: tuple[str, ...]) -> _Plan | None:
    return _plan_of(words)


def _plan_of(words: tuple[str, ...]) -> _Plan | None:
    argv = effective_argv(words)
    if not argv:
        return None
    inv = prisma_invocation(argv)
    if inv is not None:
        return _Plan(argv, prisma=inv)
    inner = _docker_inner(argv)
    if inner is not None:
        return _Plan(argv, inner=inner)
    found = _Plan(argv, install=global_prisma_install(argv), wait=_wait_tool(argv))
    nested = shell_script_argument(argv)
    if nested is not None:
        return found._replace(nested=nested)
    file_call = shell_script_file(argv)
    if file_call is not None:
        return found._replace(script=(file_call[0], file_call[1]))
    if _looks_like_script(argv[0]):
        return found._replace(script=(argv[0], argv[1:]))
    head = argv[0].rsplit("/", 1)[-1]
    if head in ("make", "gmake"):
        return found._replace(make=True)
    if head in ("turbo", "nx") or (
        head in ("npx", "pnpm", "yarn", "bunx") and argv[1:2] in (("turbo",), ("nx",))
    ):
        return found._replace(turbo=True)
    return found._replace(runner=head in _SCRIPT_RUNNERS, program=program_file(argv))


_INERT_HEADS = frozenset(
    {
        "echo",
        "printf",
        "true",
        "false",
        ":",
        "test",
        "[",
        "sleep",
        "set",
        "export",
        "unset",
        "shift",
        "exit",
        "return",
        "mkdir",
        "rm",
        "cp",
        "mv",
        "ls",
        "cat",
        "chmod",
        "chown",
        "touch",
        "trap",
        "wait",
        "read",
        "local",
        "umask",
    }
)
"""Commands `follow_argv` never follows whatever their arguments (a shortcut past `_plan`)."""


def _inert(plan: _Plan | None) -> bool:
    """A command `follow_argv` does nothing for (no Prisma, script, program, wait, ...)."""
    return plan is None or (
        plan.prisma is None
        and plan.inner is None
        and plan.install is None
        and plan.wait is None
        and plan.nested is None
        and plan.script is None
        and plan.program is None
        and not (plan.make or plan.turbo or plan.runner)
    )


def _wait_tool(argv: tuple[str, ...]) -> tuple[str, bool, str] | None:
    """A wait tool (`wait-for-it db:5432 -t 60`, `npx wait-on tcp:db:5432`): (the command,
    bounded, why), or None."""
    head = argv[0].rsplit("/", 1)[-1]
    if head in ("npx", "pnpx", "bunx") and len(argv) > 1:
        argv = argv[1:]
        while argv and argv[0].startswith("-"):
            argv = argv[1:]
        if not argv:
            return None
        head = argv[0].rsplit("/", 1)[-1]
    if head not in _WAIT_TOOLS or head == "pg_isready":
        return None
    flags = _WAIT_TOOLS[head]
    timeout = None
    for k, w in enumerate(argv):
        name, _, value = w.partition("=")
        if name in flags:
            timeout = value or (argv[k + 1] if k + 1 < len(argv) else "")
    if timeout is not None:
        bounded = timeout not in ("0", "")
        bound = f"timeout {timeout}" if bounded else "timeout 0 (waits forever)"
    else:
        bounded = _DEFAULT_TIMEOUT.get(head, False)
        bound = "its default timeout" if bounded else "no timeout"
    return " ".join(argv), bounded, bound


def _looks_like_script(word: str) -> bool:
    if "$" in word or "node_modules/.bin/" in word:
        return False  # a package's bin (`./node_modules/.bin/tsx`), not a project file
    base = word.rsplit("/", 1)[-1]
    if base.endswith((".sh", ".bash")):
        return True
    return (
        "/" in word
        and (word.startswith(("./", "/", "scripts/", "bin/", "docker/")) and "." not in base[1:])
        and base
        not in ("node", "npm", "npx", "pnpm", "yarn", "bun", "python", "python3", "sh", "bash")
    )


def _prisma_plan(words: tuple[str, ...]) -> bool:
    plan = _plan(words)
    return plan is not None and plan.prisma is not None
