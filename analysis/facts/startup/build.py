"""The build paths of Dockerfile `RUN`s."""

from __future__ import annotations

import re
from dataclasses import replace

from analysis.facts.images.records import Image
from analysis.facts.startup.chain import _Builder
from analysis.facts.startup.records import Link, RunContext
from analysis.facts.startup.where import _FS, EmbeddedShell, _At
from analysis.model import Location
from analysis.parsers.dockerfile.records import Run
from analysis.parsers.shell.records import ShellScript, relocated
from analysis.parsers.shell.scripts import parse_shell_text


def _run_pass(b: _Builder, images: tuple[Image, ...]) -> None:
    """Every `RUN` of the stages an image is made from: build path."""
    done: set[tuple[str, int]] = set()
    for image in images:
        df = image.file
        if df is None:
            continue
        used = set(image.stages_used) or {s.index for s in df.stages}
        for stage in df.stages:
            if stage.index not in used:
                continue
            for run in stage.runs:
                if (image.dockerfile, run.line) in done:
                    continue
                done.add((image.dockerfile, run.line))
                link = Link(
                    "dockerfile-run",
                    f"RUN {run.command.strip()[:160]}",
                    Location(image.dockerfile, run.line),
                )
                state = b.start(
                    link,
                    f"run:{image.dockerfile}:{run.line}",
                    "dockerfile-run",
                    RunContext.BUILD,
                    "dockerfile-run",
                )
                script = _run_script(b, image.dockerfile, run)
                fs = _FS(run.workdir or "/", image)
                b.follow_script(state, script, _At((link,), link.location, fs), None)
                if state.steps or state.installs:
                    b.finish(
                        state,
                        f"{image.dockerfile} RUN (line {run.line})",
                        dockerfile=image.dockerfile,
                    )


def _run_script(b: _Builder, path: str, run: Run) -> ShellScript:
    """A RUN's shell text with each command at its line of the Dockerfile."""
    embedded = b.ctx.parse(path, EmbeddedShell)
    if embedded is None:
        return _remap_run(parse_shell_text(run.script, path, 1, 1), path, run)
    return embedded.memo(
        ("RUN", run.line, run.script),
        lambda: _remap_run(parse_shell_text(run.script, path, 1, 1), path, run),
    )


_NEWLINE = re.compile("\n")


def _remap_run(parsed: ShellScript, path: str, run: Run) -> ShellScript:
    text = run.script
    if not parsed.commands:
        return parsed
    starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]

    def remap(loc: Location) -> Location:
        idx = min(max(loc.line - 1, 0), len(starts) - 1)
        offset = starts[idx] + loc.column - 1
        return Location(path, run.line_at(offset), 1)

    commands = tuple(relocated(c, remap(c.location)) for c in parsed.commands)
    by_id = {id(o): n for o, n in zip(parsed.commands, commands, strict=True)}
    final = tuple(by_id.get(id(c), c) for c in parsed.final)
    return replace(parsed, commands=commands, final=final)
