"""The records of a parsed Dockerfile (stages, instructions, COPY, RUN, variables) and the instruction vocabulary."""

from __future__ import annotations

import bisect

from analysis.lazy_re import lazy_compile
from analysis.parsers.problems import ParseProblem
from analysis.records import dataclass

KNOWN_INSTRUCTIONS = frozenset(
    {
        "FROM",
        "RUN",
        "CMD",
        "LABEL",
        "MAINTAINER",
        "EXPOSE",
        "ENV",
        "ADD",
        "COPY",
        "ENTRYPOINT",
        "VOLUME",
        "USER",
        "WORKDIR",
        "ARG",
        "ONBUILD",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "SHELL",
    }
)
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
MAX_PROBLEMS = 20

_DIRECTIVE = lazy_compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$")
_HEREDOC = lazy_compile(r"(?<![<\w])(\d*)<<(-?)(?!<)\s*([\"']?)([A-Za-z0-9_][A-Za-z0-9_.-]*)\3")
_KEYWORD = lazy_compile(r"^\s*(\S+)(\s+|$)")
_BARE_HEREDOC = lazy_compile(r"\s*<<-?\s*([\"']?)[A-Za-z0-9_][A-Za-z0-9_.-]*\1\s*")
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})


def _shell_shebang(body: str) -> bool:
    """True unless the body starts with a `#!` line naming an interpreter that is no shell."""
    if not body.startswith("#!"):
        return True
    words = body[2:].split("\n", 1)[0].split()
    if not words:
        return True
    prog = words[0].rsplit("/", 1)[-1]
    if prog == "env":
        rest = [w for w in words[1:] if not w.startswith("-")]
        prog = rest[0].rsplit("/", 1)[-1] if rest else "sh"
    return prog in _SHELLS


# -- records -------------------------------------------------------------------------------
def _first(pair: tuple[int, int]) -> int:
    return pair[0]


@dataclass(slots=True, frozen=True)
class Flag:
    """A `--name=value` (or bare `--name`) flag of an instruction."""

    name: str
    value: str | None


@dataclass(slots=True, frozen=True)
class Heredoc:
    """A heredoc body: `<<EOF` (or `<<-EOF`, `<<"EOF"`) on `line`, its text up to the terminator."""

    name: str
    body: str
    line: int
    body_line: int
    end_line: int
    strip_tabs: bool
    quoted: bool
    terminated: bool = True


@dataclass(slots=True, frozen=True)
class Instruction:
    """One instruction as written: keyword, argument text (continuations joined), lines."""

    keyword: str
    text: str
    line: int
    end_line: int
    flags: tuple[Flag, ...] = ()
    heredocs: tuple[Heredoc, ...] = ()
    workdir: str = "/"

    def flag(self, name: str) -> str | None:
        for f in self.flags:
            if f.name == name:
                return f.value if f.value is not None else "true"
        return None

    def has_flag(self, name: str) -> bool:
        return any(f.name == name for f in self.flags)

    @property
    def location_lines(self) -> tuple[int, int]:
        return (self.line, self.end_line)


@dataclass(slots=True, frozen=True)
class Copy:
    """`COPY`/`ADD`: sources (relative to the build context, or to the `--from` stage/image),
    the destination as written and `target`, the absolute destination in the image."""

    keyword: str
    sources: tuple[str, ...]
    destination: str
    target: str
    from_stage: str | None
    chown: str | None
    chmod: str | None
    link: bool
    line: int
    end_line: int
    heredocs: tuple[Heredoc, ...] = ()
    workdir: str = "/"
    parents: bool = False
    excludes: tuple[str, ...] = ()

    @property
    def from_context(self) -> bool:
        """True when the sources come from the build context (no `--from`, not a heredoc)."""
        return self.from_stage is None and not self.heredocs

    @property
    def target_is_dir(self) -> bool:
        """Whether the destination is a directory the sources go into (Docker's rule: it ends
        with `/`, or there are several sources or wildcards)."""
        d = self.destination
        return (
            d.endswith(("/", "/."))
            or d in (".", "..")
            or len(self.sources) > 1
            or any(any(c in s for c in "*?[") for s in self.sources)
        )


@dataclass(slots=True, frozen=True)
class Run:
    """`RUN`: the command as the shell sees it (exec form joined with spaces), heredoc bodies,
    and a map from offsets in `command` to file lines."""

    command: str
    exec_form: tuple[str, ...] | None
    line: int
    end_line: int
    heredocs: tuple[Heredoc, ...] = ()
    mounts: tuple[str, ...] = ()
    workdir: str = "/"
    line_starts: tuple[tuple[int, int], ...] = ()

    @property
    def script(self) -> str:
        """The command followed by every heredoc body: all the shell text this RUN runs.

        `RUN <<EOF` (or `<<-EOF`, `<<"EOF"`) with nothing else runs the body itself as the
        script (BuildKit), so the marker is blanked out (same length: offsets, and so lines,
        stay as `line_at` maps them) and the body's commands are commands of this RUN. A
        body whose `#!` line names another interpreter (`#!/usr/bin/env python3`) is not
        shell. `RUN bash <<EOF` needs nothing here: the shell parser reads a heredoc a shell
        reads as that shell's script.
        """
        if not self.heredocs:
            return self.command
        head = self.command
        if (
            len(self.heredocs) == 1
            and _BARE_HEREDOC.fullmatch(head)
            and _shell_shebang(self.heredocs[0].body)
        ):
            head = " " * len(head)
        return "\n".join([head, *(h.body for h in self.heredocs)])

    def line_at(self, offset: int) -> int:
        """The file line of character `offset` of `command` (or of `script` past the command)."""
        if offset >= len(self.command) and self.heredocs:
            rest = offset - len(self.command) - 1
            for h in self.heredocs:
                if rest <= len(h.body):
                    return h.body_line + h.body.count("\n", 0, max(rest, 0))
                rest -= len(h.body) + 1
            return self.end_line
        # the last line start at or before `offset` (they are in order): a bisection, not a
        # scan, so a RUN of many continued lines costs linear time over all its commands
        k = bisect.bisect_right(self.line_starts, offset, key=_first)
        return self.line_starts[k - 1][1] if k else self.line

    def line_of(self, fragment: str) -> int:
        """The line where `fragment` first appears in the script (the RUN line if it does not)."""
        idx = self.script.find(fragment)
        return self.line if idx < 0 else self.line_at(idx)


@dataclass(slots=True, frozen=True)
class Variable:
    """An `ENV` or `ARG` variable. `value` is the literal text (quotes removed, `$VAR` kept);
    `expanded` has the variables known at that point substituted. ARG without default: None."""

    keyword: str
    name: str
    value: str | None
    expanded: str | None
    line: int
    end_line: int


@dataclass(slots=True, frozen=True)
class Command:
    """`ENTRYPOINT` or `CMD` (also `SHELL`): exec form (JSON array) or shell form."""

    keyword: str
    exec_form: tuple[str, ...] | None
    shell: str | None
    line: int
    end_line: int

    @property
    def text(self) -> str:
        if self.exec_form is not None:
            return " ".join(self.exec_form)
        return self.shell or ""

    @property
    def argv(self) -> tuple[str, ...]:
        """What Docker executes: the exec array, or `/bin/sh -c <shell>`."""
        if self.exec_form is not None:
            return self.exec_form
        return ("/bin/sh", "-c", self.shell or "")


@dataclass(slots=True, frozen=True)
class Volume:
    paths: tuple[str, ...]
    line: int
    end_line: int


@dataclass(slots=True, frozen=True)
class Workdir:
    path: str
    effective: str
    line: int


@dataclass(slots=True, frozen=True)
class User:
    user: str
    line: int


@dataclass(slots=True, frozen=True)
class Expose:
    ports: tuple[str, ...]
    line: int


@dataclass(slots=True, frozen=True)
class Stage:
    """One build stage: `FROM image[:tag] [AS name]` and what follows up to the next FROM."""

    index: int
    name: str | None
    image: str
    image_raw: str
    platform: str | None
    line: int
    end_line: int
    parent: int | None
    instructions: tuple[Instruction, ...] = ()
    copies: tuple[Copy, ...] = ()
    runs: tuple[Run, ...] = ()
    env: tuple[Variable, ...] = ()
    args: tuple[Variable, ...] = ()
    workdirs: tuple[Workdir, ...] = ()
    volumes: tuple[Volume, ...] = ()
    users: tuple[User, ...] = ()
    exposes: tuple[Expose, ...] = ()
    entrypoint: Command | None = None
    cmd: Command | None = None
    effective_entrypoint: Command | None = None
    effective_cmd: Command | None = None
    effective_env: tuple[Variable, ...] = ()
    workdir: str = "/"
    user: str | None = None

    @property
    def ref(self) -> str:
        """How other stages name it: the `AS` name, else its index."""
        return self.name if self.name is not None else str(self.index)

    @property
    def label(self) -> str:
        return f"stage {self.name!r}" if self.name else f"stage {self.index}"

    def env_value(self, name: str) -> str | None:
        for v in reversed(self.effective_env):
            if v.name == name:
                return v.expanded
        return None


@dataclass(slots=True, frozen=True)
class Directive:
    name: str
    value: str
    line: int


@dataclass(slots=True, frozen=True)
class DockerfileFile:
    path: str
    stages: tuple[Stage, ...]
    global_args: tuple[Variable, ...] = ()
    directives: tuple[Directive, ...] = ()
    escape: str = "\\"
    problems: tuple[ParseProblem, ...] = ()

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage(self, target: str | None = None) -> Stage | None:
        """The stage a build produces: `target` (a compose `build.target`) or the last one.
        None when the file has no stage or no stage of that name."""
        if target is None or target == "":
            return self.final_stage
        return self.stage_by_ref(target)

    def stage_by_ref(self, ref: str) -> Stage | None:
        """The stage `ref` names (`--from=builder`, `--from=0`), or None (an external image)."""
        low = ref.lower()
        for st in self.stages:
            if st.name is not None and st.name == low:
                return st
        if ref.isdigit():
            i = int(ref)
            if 0 <= i < len(self.stages):
                return self.stages[i]
        return None

    def chain(self, stage: Stage) -> tuple[Stage, ...]:
        """The stage and the stages it is built `FROM`, root first."""
        out = [stage]
        seen = {stage.index}
        cur = stage
        while cur.parent is not None and cur.parent not in seen:
            cur = self.stages[cur.parent]
            seen.add(cur.index)
            out.append(cur)
        return tuple(reversed(out))
