"""Platform commands (Vercel, Fly, Render, Procfile, turbo tasks...) and the developer paths
(package.json scripts, Makefile targets, shell scripts)."""

from __future__ import annotations

import posixpath

from analysis.facts.startup.chain import _Builder
from analysis.facts.startup.records import LIFECYCLE_BUILD_SCRIPTS, Link, RunContext
from analysis.facts.startup.where import _FS, _At
from analysis.model import Location
from analysis.parsers.makefile import parse_makefile
from analysis.parsers.platform import PlatformFile, parse_platform
from analysis.sources import FileKind


def _platform_pass(b: _Builder) -> None:
    ctx = b.ctx
    for rel in ctx.files(FileKind.PLATFORM):
        pf: PlatformFile | None = ctx.parse(rel, parse_platform)
        if pf is None:
            continue
        folder = posixpath.dirname(rel)
        for cmd in pf.commands:
            context = {
                "build": RunContext.BUILD,
                "deploy": RunContext.DEPLOY,
                "start": RunContext.STARTUP,
            }.get(cmd.role, RunContext.DEPLOY)
            link = Link("platform", f"{rel} {cmd.key} {cmd.command}".strip(), cmd.location)
            state = b.start(
                link,
                f"platform:{rel}:{cmd.key}:{cmd.line}",
                "platform",
                context,
                f"platform-{cmd.role}",
            )
            script = b.shell_text(cmd.command, rel, cmd.location.line, cmd.location.column)
            b.follow_script(state, script, _At((link,), cmd.location, _FS(folder)), None)
            b.finish(state, f"{rel} {cmd.key}")
        if pf.platform == "vercel" and pf.default_build:
            pkg = b.package_at(folder)
            name = None
            if pkg is not None:
                name = (
                    "vercel-build"
                    if pkg.script("vercel-build")
                    else ("build" if pkg.script("build") else None)
                )
            if pkg is not None and name is not None:
                link = Link(
                    "platform",
                    f'{rel} (no buildCommand: Vercel runs the "{name}" script)',
                    Location(rel, 1),
                )
                state = b.start(
                    link,
                    f"platform:{rel}:default-build",
                    "platform",
                    RunContext.BUILD,
                    "platform-build",
                )
                b.follow_argv(state, ("npm", "run", name), _At((link,), link.location, _FS(folder)))
                b.finish(state, f"{rel} default build ({name})")
        for task in pf.tasks:
            db_deps = [d for d in task.depends_on if d.lstrip("^").split("#")[-1].startswith("db:")]
            if not db_deps:
                continue
            name = task.name.split("#", 1)[-1]
            context = (
                RunContext.BUILD
                if name in LIFECYCLE_BUILD_SCRIPTS or "build" in name
                else RunContext.DEPLOY
            )
            link = Link(
                "turbo-task",
                f'{rel} task "{task.name}" dependsOn {", ".join(db_deps)}',
                task.location,
            )
            state = b.start(
                link,
                f"turbo:{rel}:{task.name}",
                "turbo",
                context,
                "platform-build" if context == RunContext.BUILD else "platform-deploy",
            )
            at = _At((link,), task.location, _FS(folder))
            for dep in db_deps:
                b.follow_turbo_task(state, dep.lstrip("^").split("#")[-1], at, set())
            b.finish(state, f"{rel} task {task.name}")


def _developer_pass(b: _Builder) -> None:
    """package.json scripts (lifecycle ones are build path), Makefile targets, shell scripts."""
    ctx = b.ctx
    for pkg in b.packages:
        for entry in pkg.scripts:
            lifecycle = entry.name in LIFECYCLE_BUILD_SCRIPTS
            link = Link(
                "package-script", f'{pkg.path} "{entry.name}": {entry.command}', entry.location
            )
            state = b.start(
                link,
                f"package:{pkg.path}:{entry.name}",
                "lifecycle" if lifecycle else "package",
                RunContext.BUILD if lifecycle else RunContext.DEVELOPER,
                "lifecycle" if lifecycle else "developer",
            )
            parsed = b.shell_text(
                entry.command, pkg.path, entry.location.line, entry.location.column
            )
            b.follow_script(state, parsed, _At((link,), entry.location, _FS(pkg.folder)), ())
            if state.steps or state.installs:
                b.finish(state, f'{pkg.path} script "{entry.name}"')
    for rel in ctx.files(FileKind.MAKEFILE):
        mk = ctx.parse(rel, parse_makefile)
        if mk is None:
            continue
        folder = posixpath.dirname(rel)
        for target in mk.targets:
            link = Link("makefile-target", f"make {target.name}", target.location)
            state = b.start(
                link, f"make:{rel}:{target.name}", "makefile", RunContext.DEVELOPER, "developer"
            )
            for recipe in target.recipes:
                parsed = b.shell_text(recipe.command, rel, recipe.line, recipe.location.column)
                b.follow_script(state, parsed, _At((link,), recipe.location, _FS(folder)), ())
            if state.steps:
                b.finish(state, f"{rel} target {target.name}")
    for rel in ctx.files(FileKind.SHELL):
        shell = b.script(rel)
        if shell is None:
            continue
        link = Link("script", rel, Location(rel, 1))
        state = b.start(link, f"script:{rel}", "script", RunContext.DEVELOPER, "developer")
        folder = posixpath.dirname(rel)
        # every command, also in functions nothing calls and arms no argument selects
        b.follow_script(
            state, shell, _At((link,), Location(rel, 1), _FS(folder)), None, everything=True
        )
        if state.steps:
            b.finish(state, rel)
