"""The shell parser's public records: commands, conditions, loops, assignments, scripts."""

from __future__ import annotations

from analysis.model import Location
from analysis.parsers.problems import ParseProblem
from analysis.parsers.shell.words import _shebang_errexit, effective_argv
from analysis.records import dataclass, quick_init

# ---------------------------------------------------------------------------------------------
# Public records
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Requirement:
    """A variable that must be set (to `value`, or to anything non-empty when None)."""

    variable: str
    value: str | None = None

    def __str__(self) -> str:
        if self.value is None:
            return f"${self.variable} is set"
        return f"${self.variable} = {self.value}"


@quick_init
@dataclass(slots=True, frozen=True)
class Condition:
    """One branch decision a command depends on.

    `kind`: "if" (then-arm), "elif", "else", "and" (right of `&&`), "or" (right of `||`),
    "case" (a `case` arm), "while"/"until" (a loop body). `text` is the test as written
    (`[ "$DATABASE_SETUP" = 1 ]`). Arms of one `if`/`case`/`&&`-`||` list share `group`
    (the offset of that construct) and differ in `arm`. `requires` lists the variables that
    must be set for this arm to run (empty when the arm runs by default); `one_of`: at least
    one of these must hold (`case "$1" in a|b)`); `excludes`: none of these may hold (the
    tests of the arms before it, for `elif`/`else` and later `case` arms).
    """

    kind: str
    text: str
    line: int
    group: int
    arm: int
    requires: tuple[Requirement, ...] = ()
    variables: tuple[str, ...] = ()
    one_of: tuple[Requirement, ...] = ()
    excludes: tuple[Requirement, ...] = ()

    @property
    def label(self) -> str:
        if self.kind in ("if", "elif"):
            return f"{self.kind} {self.text}"
        if self.kind == "else":
            return f"else of if {self.text}"
        if self.kind == "and":
            return f"after {self.text} &&"
        if self.kind == "or":
            return f"when {self.text} fails (||)"
        if self.kind == "case":
            return self.text
        return f"{self.kind} {self.text}"


@dataclass(slots=True, frozen=True)
class ShellLoop:
    """A `while`/`until`/`for` loop. `bounded` when it cannot run forever; `bound` says why."""

    kind: str
    line: int
    end_line: int
    condition: str
    bounded: bool
    bound: str = ""
    probes: tuple[str, ...] = ()
    """Commands in the loop that wait for a service (pg_isready, nc, prisma, ...)."""

    @property
    def is_wait(self) -> bool:
        return bool(self.probes) and self.kind in ("while", "until")


@quick_init
@dataclass(slots=True, frozen=True)
class ShellCommand:
    """A simple command and everything about where and how it runs."""

    words: tuple[str, ...]
    text: str
    location: Location
    end_line: int
    conditions: tuple[Condition, ...] = ()
    loop: ShellLoop | None = None
    function: str = ""
    reached: bool = True
    """False for a command inside a function that nothing in the script calls."""
    errexit: bool = False
    pipefail: bool = False
    piped: bool = False
    """Part of a pipeline and not its last command: its exit status is the pipeline's only
    with `pipefail`."""
    tested: bool = False
    """Its exit status decides an `if`/`while`/`until` (or it is negated with `!`)."""
    and_follows: bool = False
    """Followed by `&&`: a failure skips the rest of that list (and `set -e` does not stop)."""
    on_failure: str = ""
    """"" (nothing on the `||` side), "ignore" (`|| true`, `|| echo ...`), "exit" (`|| exit 1`),
    "fallback" (`|| other-command`)."""
    fallback: str = ""
    status_checked: bool = False
    """The next statement reads `$?`."""
    background: bool = False
    substitution: bool = False
    """Inside `$(...)` or backticks."""
    nested: str = ""
    """"sh -c" or "heredoc" when the command comes from a string another command runs."""
    chain: int = 0
    """Identity of its `&&`/`||` list: commands of one list share it."""
    exec: bool = False
    assignments: tuple[str, ...] = ()
    """`VAR=value` words before the command (its environment), as written."""
    failure_branch: str = ""
    """For the command an `if` tests (`if ! cmd; then ...; fi`, `if cmd; then ...; else ...;
    fi`): what the branch that runs when it fails does: "ignore" (nothing, or only `echo`,
    `printf`, `true`, `sleep`...), "exit" (`exit 1`, `return 1`, `false`, `die`...),
    "exit-zero" (`exit 0`, a bare `exit`), "other" (anything else, or an `elif`); "" when no
    `if` tests it."""
    failure_line: int = 0
    """The line where that branch starts (the `if` itself when there is no such branch)."""

    @property
    def argv(self) -> tuple[str, ...]:
        """The program and its arguments with `exec`, `env`, `gosu`, ... stripped."""
        return effective_argv(self.words)

    @property
    def stops_on_failure(self) -> bool:
        """Would a failure of this command stop the script (or be handled by an explicit check)?"""
        if self.on_failure == "exit":
            return True
        if self.on_failure in ("ignore", "fallback"):
            return False
        if self.tested or self.status_checked:
            return True
        if self.and_follows:
            return False
        if self.piped and not self.pipefail:
            return False
        return self.errexit

    @property
    def line(self) -> int:
        return self.location.line


def relocated(c: ShellCommand, location: Location) -> ShellCommand:
    """`c` at `location` (`dataclasses.replace` costs several times more, for every command of
    a long list)."""
    return ShellCommand(
        c.words,
        c.text,
        location,
        c.end_line,
        c.conditions,
        c.loop,
        c.function,
        c.reached,
        c.errexit,
        c.pipefail,
        c.piped,
        c.tested,
        c.and_follows,
        c.on_failure,
        c.fallback,
        c.status_checked,
        c.background,
        c.substitution,
        c.nested,
        c.chain,
        c.exec,
        c.assignments,
        c.failure_branch,
        c.failure_line,
    )


@dataclass(slots=True, frozen=True)
class ShellAssignment:
    name: str
    value: str
    line: int
    conditions: tuple[Condition, ...] = ()
    default_only: bool = False
    """`: ${X:=v}` / `X=${X:-v}`: sets the variable only when it is unset."""


@dataclass(slots=True, frozen=True)
class ShellScript:
    """A parsed script: commands in source order (functions' commands where they are called)."""

    path: str
    commands: tuple[ShellCommand, ...]
    loops: tuple[ShellLoop, ...] = ()
    assignments: tuple[ShellAssignment, ...] = ()
    functions: tuple[str, ...] = ()
    final: tuple[ShellCommand, ...] = ()
    """The commands that can run last (the app start of an entrypoint)."""
    shebang: str = ""
    traps: tuple[int, ...] = ()
    """Lines of `trap` commands (signal forwarding)."""
    problems: tuple[ParseProblem, ...] = ()
    inline: bool = False
    """A command string inside another file (package.json script, compose command, RUN)."""

    @property
    def label(self) -> str:
        return f"the command string in {self.path}" if self.inline else self.path

    @property
    def ends_with_exec(self) -> bool:
        return bool(self.final) and all(c.exec for c in self.final)

    @property
    def errexit_at_start(self) -> bool:
        return _shebang_errexit(self.shebang)

    def assigned(self, name: str) -> tuple[ShellAssignment, ...]:
        return tuple(a for a in self.assignments if a.name == name)
