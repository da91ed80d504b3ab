"""Destructive docker commands (KD111) in scripts, Makefiles and package.json."""

from __future__ import annotations

from analysis.facts.startup.chain import _Builder
from analysis.facts.startup.records import DockerCommand, RunContext
from analysis.parsers.makefile import parse_makefile
from analysis.parsers.shell.records import ShellScript
from analysis.parsers.shell.words import effective_argv
from analysis.sources import FileKind


def destructive_docker(argv: tuple[str, ...]) -> str | None:
    """What a docker command removes, or None: `docker compose down -v`, `docker volume rm`,
    `docker volume prune`, `docker system prune --volumes`."""
    argv = effective_argv(argv)
    if not argv:
        return None
    head = argv[0].rsplit("/", 1)[-1]
    rest = list(argv[1:])
    if head in ("sudo", "podman"):
        head = "docker"
    if head == "docker-compose" or (head == "docker" and rest[:1] == ["compose"]):
        if head == "docker":
            rest = rest[1:]
        pos = [w for w in rest if not w.startswith("-")]
        # skip `-f file`, `-p name` values
        skip_next = False
        words: list[str] = []
        for w in rest:
            if skip_next:
                skip_next = False
                continue
            if w in (
                "-f",
                "--file",
                "-p",
                "--project-name",
                "--env-file",
                "--profile",
                "--project-directory",
            ):
                skip_next = True
                continue
            words.append(w)
        pos = [w for w in words if not w.startswith("-")]
        if pos[:1] == ["down"]:
            flags = [w for w in words if w.startswith("-")]
            if any(
                f in ("-v", "--volumes")
                or (f.startswith("-") and not f.startswith("--") and "v" in f[1:])
                for f in flags
            ):
                return "the project's volumes (docker compose down -v)"
        if pos[:1] == ["rm"] and any(w in ("-v", "--volumes") for w in words):
            return "the services' anonymous volumes (docker compose rm -v)"
        return None
    if head != "docker":
        return None
    if rest[:1] == ["volume"] and len(rest) > 1:
        if rest[1] in ("rm", "remove"):
            return "named volumes (docker volume rm)"
        if rest[1] == "prune":
            return "every unused volume (docker volume prune)"
    if rest[:2] == ["system", "prune"] and any(w in ("--volumes",) for w in rest):
        return "every unused volume (docker system prune --volumes)"
    return None


def _docker_pass(b: _Builder) -> tuple[DockerCommand, ...]:
    ctx = b.ctx
    out: list[DockerCommand] = []

    def scan(script: ShellScript, origin: str) -> None:
        for cmd in script.commands:
            what = destructive_docker(cmd.words)
            if what is not None:
                out.append(
                    DockerCommand(what, cmd.location, cmd.text, RunContext.DEVELOPER, origin)
                )

    for rel in ctx.files(FileKind.SHELL):
        shell = b.script(rel)
        if shell is not None and any("docker" in c.text for c in shell.commands):
            scan(shell, rel)
    for rel in ctx.files(FileKind.MAKEFILE):
        mk = ctx.parse(rel, parse_makefile)
        for target in mk.targets if mk is not None else ():
            for recipe in target.recipes:
                if "docker" in recipe.command:
                    scan(
                        b.shell_text(recipe.command, rel, recipe.line, recipe.location.column),
                        f"{rel} target {target.name}",
                    )
    for pkg in b.packages:
        for entry in pkg.scripts:
            if "docker" in entry.command:
                scan(
                    b.shell_text(
                        entry.command, pkg.path, entry.location.line, entry.location.column
                    ),
                    f'{pkg.path} script "{entry.name}"',
                )
    seen: set[tuple[str, int, int]] = set()
    unique: list[DockerCommand] = []
    for d in out:
        key = (d.location.path, d.location.line, d.location.column)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return tuple(unique)
