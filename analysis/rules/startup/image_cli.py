"""KD220's image side: the Prisma CLI a final image installs (`npm install prisma@X`,
`pnpm add prisma@${PRISMA_VERSION}`, `yarn add`, `bun add`, not global: the global ones are
the startup path's `InstallStep`s) compared with the version the project's package.json
pins."""

from __future__ import annotations

import re
from collections.abc import Iterator

from analysis.facts.images.records import Image
from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.parsers.dockerfile.records import DockerfileFile, Stage
from analysis.parsers.package_manager import leading_options
from analysis.parsers.shell.scripts import parse_shell_text
from analysis.parsers.shell.words import effective_argv
from analysis.records import dataclass

_ADD = {
    "npm": ("install", "i", "add", "in", "ins"),
    "pnpm": ("add", "install", "i"),
    "yarn": ("add",),
    "bun": ("add", "install", "i", "a"),
}
_PKG = lazy_compile(r"^prisma(?:@(?P<version>\S+))?$")
_VAR = lazy_compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}?")
_FLOATING = frozenset({"", "latest", "next", "dev", "beta", "canary", "rc", "*", "x"})


@dataclass(slots=True, frozen=True)
class ImageCliInstall:
    """`npm install prisma@6.2.0` in a RUN of the final image's stages."""

    text: str
    version: str
    """As resolved (ARG defaults substituted); "" when none is named."""
    written: str
    location: Location


def _args(df: DockerfileFile, stage: Stage) -> dict[str, str]:
    out: dict[str, str] = {}
    for var in (*df.global_args, *stage.args):
        value = var.expanded if var.expanded is not None else var.value
        if value is not None:
            out[var.name] = value
    return out


def _final_stages(image: Image) -> list[Stage]:
    df, stage = image.file, image.stage
    out: list[Stage] = []
    if df is None:
        return out
    seen: set[int] = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        out.append(stage)
        stage = df.stages[stage.parent] if stage.parent is not None else None
    return out


def image_cli_installs(image: Image) -> Iterator[ImageCliInstall]:
    """The local (project) Prisma CLI installs of the stages the final image is made of."""
    df = image.file
    if df is None or image.stage is None:
        return
    for stage in _final_stages(image):
        args = _args(df, stage)
        for run in stage.runs:
            script = parse_shell_text(run.script, image.dockerfile, run.line, 1)
            for cmd in script.commands:
                argv = effective_argv(cmd.words)
                if not argv:
                    continue
                head = argv[0].rsplit("/", 1)[-1]
                if head not in _ADD:
                    continue
                rest = leading_options(head, tuple(argv[1:])).rest
                if not rest or rest[0] not in _ADD[head]:
                    continue
                if any(w in ("-g", "--global", "--location=global") for w in rest):
                    continue  # a global install: the startup path's InstallStep
                for word in rest[1:]:
                    m = _PKG.match(word)
                    if m is None:
                        continue
                    written = m.group("version") or ""
                    version = _VAR.sub(lambda v, a=args: a.get(v.group(1), v.group(0)), written)
                    yield ImageCliInstall(
                        cmd.text, version, written, Location(image.dockerfile, run.line)
                    )


def _parts(v: str) -> tuple[int, int, int] | None:
    m = re.fullmatch(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?", v.strip())
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)


def floating(version: str) -> bool:
    """`latest`, no version, a range (`^6`, `~6.2`, `6.x`, `>=6`), an unresolved `$ARG`."""
    v = version.strip()
    if v in _FLOATING or "$" in v or re.search(r"[\^~<>*xX|]| ", v):
        return True
    return re.fullmatch(r"v?\d+\.\d+\.\d+(?:[-+].*)?", v) is None  # `7`, `7.8`: the newest


def satisfies(version: str, spec: str) -> bool | None:
    """Whether an exact `version` is in the package.json range `spec` (`6.4.1`, `^6.4.1`,
    `~6.4.1`, `>=6.0.0`, `6.x`); None when the range is not one of these."""
    have = _parts(version)
    s = spec.strip()
    if have is None:
        return None
    if s.startswith("^"):
        want = _parts(s[1:])
        if want is None:
            return None
        if want[0] > 0:
            return have[0] == want[0] and have >= want
        return have[:2] == want[:2] and have >= want
    if s.startswith("~"):
        want = _parts(s[1:])
        return None if want is None else (have[:2] == want[:2] and have >= want)
    if s.startswith(">="):
        want = _parts(s[2:])
        return None if want is None else have >= want
    m = re.fullmatch(r"(\d+)(?:\.(\d+|x|\*))?(?:\.(x|\*))?", s)
    if m and (m.group(2) in (None, "x", "*") or m.group(3) in ("x", "*")):
        if have[0] != int(m.group(1)):
            return False
        return m.group(2) in (None, "x", "*") or have[1] == int(m.group(2))
    want = _parts(s)
    return None if want is None else have == want
