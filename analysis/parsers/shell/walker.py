"""From the syntax tree to records: the walk that follows functions, conditions and substitutions."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from analysis.model import Location
from analysis.parsers.shell.conditions import (
    _loop_bound,
    _probes_in,
    _test_requirements,
    _var_ref,
    _variables,
)
from analysis.parsers.shell.lexer import (
    MAX_CONDITIONS,
    MAX_EXCLUDES,
    MAX_INLINED,
    MAX_NESTING,
    bounded_conditions,
    unquote,
)
from analysis.parsers.shell.parser import (
    _AndOr,
    _Case,
    _Cmd,
    _Func,
    _Group,
    _If,
    _LoopNode,
    _Pipeline,
    _Seq,
)
from analysis.parsers.shell.reader import _read_script
from analysis.parsers.shell.records import (
    Condition,
    Requirement,
    ShellAssignment,
    ShellCommand,
    ShellLoop,
)
from analysis.parsers.shell.words import (
    _ASSIGN_RE,
    _DEFAULT_RE,
    _NEWLINE,
    _SHELLS,
    _basename,
    effective_argv,
    shell_script_argument,
    shell_script_file,
)

if TYPE_CHECKING:
    from analysis.parsers.shell.conditions import _TestResult
    from analysis.parsers.shell.lexer import _Heredoc
    from analysis.parsers.shell.parser import _Node


# ---------------------------------------------------------------------------------------------
# From the tree to records
# ---------------------------------------------------------------------------------------------


class _Ctx(NamedTuple):
    """Where a command sits (a NamedTuple: `_replace` is much cheaper than
    dataclasses.replace, and the walker copies it for every node)."""

    conditions: tuple[Condition, ...] = ()
    loop: ShellLoop | None = None
    function: str = ""
    tested: bool = False
    substitution: bool = False
    nested: str = ""
    background: bool = False
    piped: bool = False
    and_follows: bool = False
    on_failure: str = ""
    fallback: str = ""
    status_checked: bool = False
    chain: int = 0
    reached: bool = True
    timeout_bound: bool = False
    failure_branch: str = ""
    failure_line: int = 0


_IGNORE_WORDS = frozenset({"true", ":", "echo", "printf", "log", "warn", "info", "logger", "cat"})
_EXIT_WORDS = frozenset({"exit", "return", "false", "kill", "abort", "die", "fail", "fatal"})


class _Positions:
    """Character offsets -> (line, column) of the file the text came from."""

    def __init__(self, text: str, base_line: int = 1, base_column: int = 1) -> None:
        self.starts = [0]
        self.starts.extend(m.end() for m in _NEWLINE.finditer(text))
        self.base_line = base_line
        self.base_column = base_column

    def line_col(self, pos: int) -> tuple[int, int]:
        idx = bisect.bisect_right(self.starts, max(pos, 0)) - 1
        col = pos - self.starts[idx] + 1
        if idx == 0:
            col += self.base_column - 1
        return self.base_line + idx, col


class _Capped:
    """Requirements collected arm by arm, at most `MAX_EXCLUDES` (the first ones); `items` is
    rebuilt only when it changes, so a long `elif` chain or `case` costs linear time."""

    __slots__ = ("_list", "items")

    def __init__(self) -> None:
        self._list: list[Requirement] = []
        self.items: tuple[Requirement, ...] = ()

    def extend(self, reqs: tuple[Requirement, ...]) -> None:
        room = MAX_EXCLUDES - len(self._list)
        if reqs and room > 0:
            self._list.extend(reqs[:room])
            self.items = tuple(self._list)


class _Walker:
    def __init__(
        self,
        path: str,
        text: str,
        positions: _Positions,
        heredocs: list[_Heredoc],
        errexit: bool = False,
        depth: int = 0,
        fixed_line: bool = False,
    ) -> None:
        self.path = path
        self.text = text
        self.pos = positions
        self.heredocs = heredocs
        self.errexit = errexit
        self.pipefail = False
        self.depth = depth
        self.fixed_line = fixed_line
        self.commands: list[ShellCommand] = []
        self.loops: list[ShellLoop] = []
        self.assignments: list[ShellAssignment] = []
        self.functions: dict[str, _Func] = {}
        self.called: set[str] = set()
        self.calling: list[str] = []
        self.traps: list[int] = []
        self.problems: list[tuple[int, int, str]] = []
        self.inlined = [0]
        """Commands walked inside function calls (shared with nested walkers)."""
        self.inline_capped: list[tuple[int, int, str]] = []
        """(line, column, why) of the first call not followed into its function, past
        `MAX_INLINED` or `MAX_NESTING` (shared with nested walkers)."""

    # -- helpers ---------------------------------------------------------------------------
    def line(self, pos: int) -> int:
        return self.pos.line_col(pos)[0]

    def src(self, start: int, end: int, limit: int = 120) -> str:
        raw = self.text[start:end]
        if "\n" not in raw and "  " not in raw and "\t" not in raw:
            one = raw.strip()
            if one.endswith(";"):
                one = one[:-1].rstrip()
            return one if len(one) <= limit else one[: limit - 1] + "…"
        one = " ".join(part.strip() for part in raw.replace("\\\n", " ").splitlines())
        one = re.sub(r"\s+", " ", one).strip()
        if one.endswith(";"):
            one = one[:-1].rstrip()
        return one if len(one) <= limit else one[: limit - 1] + "…"

    # -- walk ------------------------------------------------------------------------------
    def walk_statements(self, statements: list[tuple[_Node, bool]], ctx: _Ctx) -> None:
        text = self.text
        last = len(statements) - 1
        for k, (node, bg) in enumerate(statements):
            if k < last:
                nxt = statements[k + 1][0]
                checked = text.find("$?", nxt.start, nxt.end) >= 0
            else:
                # the last statement's status is the enclosing compound's (`if ...; then
                # migrate; fi; status=$?` reads the migration's status)
                checked = ctx.status_checked
            background = ctx.background or bg
            if background == ctx.background and checked == ctx.status_checked:
                self.walk(node, ctx)
            else:
                self.walk(node, ctx._replace(background=background, status_checked=checked))

    def walk(self, node: _Node, ctx: _Ctx) -> None:
        if isinstance(node, _Cmd):
            self.command(node, ctx)
        elif isinstance(node, _Seq):
            self.walk_statements(list(zip(node.items, node.background, strict=True)), ctx)
        elif isinstance(node, _AndOr):
            self.and_or(node, ctx)
        elif isinstance(node, _Pipeline):
            inner = ctx._replace(tested=True) if node.negated and not ctx.tested else ctx
            for k, item in enumerate(node.items):
                last = k == len(node.items) - 1
                self.walk(item, inner if last else inner._replace(piped=True))
        elif isinstance(node, _If):
            self.if_(node, ctx)
        elif isinstance(node, _LoopNode):
            self.loop(node, ctx)
        elif isinstance(node, _Case):
            self.case(node, ctx)
        elif isinstance(node, _Group):
            if node.subshell:
                saved = (self.errexit, self.pipefail)
                self.walk(node.body, ctx)
                self.errexit, self.pipefail = saved
            else:
                self.walk(node.body, ctx)
        elif isinstance(node, _Func):
            self.functions[node.name] = node

    def and_or(self, node: _AndOr, ctx: _Ctx) -> None:
        """Each item runs under the conditions of the items before it (bounded: the outermost
        and the nearest ones, `bounded_conditions`), in time linear in the list's length."""
        ops = node.ops
        n_ops = len(ops)
        # the first `||` at or after each operator: it takes over when the item fails
        next_or = [n_ops] * (n_ops + 1)
        for j in range(n_ops - 1, -1, -1):
            next_or[j] = j if ops[j] == "||" else next_or[j + 1]
        handlers: dict[int, tuple[str, str]] = {}
        # the context of an item with no `||` after it, but for its conditions (built
        # positionally below: `_replace` for every item of a long list costs)
        plain = ctx._replace(
            chain=node.start + 1, status_checked=False, and_follows=True, on_failure=""
        )[1:]
        base = ctx.conditions
        own: list[Condition] = []
        conditions = base
        group = node.start
        for k, item in enumerate(node.items):
            if k < n_ops:
                j = next_or[k]
                if j < n_ops:
                    handled = handlers.get(j)
                    if handled is None:
                        handler = node.items[j + 1]
                        handled = handlers[j] = (
                            self.classify_handler(handler),
                            self.src(handler.start, handler.end),
                        )
                    sub = ctx._replace(
                        chain=group + 1,
                        conditions=conditions,
                        status_checked=False,
                        on_failure=handled[0],
                        fallback=handled[1],
                        and_follows=ops[k] == "&&",
                    )
                else:
                    sub = _Ctx(conditions, *plain)
            else:
                sub = ctx._replace(chain=group + 1, conditions=conditions)
            self.walk(item, sub)
            if k < n_ops:
                op = ops[k]
                text = self.src(item.start, item.end)
                reqs = self.item_requirements(item)
                requires = reqs[0] if op == "&&" else reqs[1]
                own.append(
                    Condition(
                        "and" if op == "&&" else "or",
                        text,
                        self.line(item.start),
                        group,
                        k,
                        requires or (),
                        _variables(text),
                    )
                )
                if len(base) + len(own) <= MAX_CONDITIONS:
                    conditions = (*base, *own)
                else:  # the outermost and the nearest conditions, never the whole list
                    half = MAX_CONDITIONS // 2
                    conditions = bounded_conditions(
                        (*base, *own[:half], *own[max(half, len(own) - half) :])
                    )

    def classify_handler(self, handler: _Node) -> str:
        words = self.first_words(handler)
        if not words:
            return "fallback"
        head = _basename(words[0])
        if head in _EXIT_WORDS:
            return "exit"
        text = self.text[handler.start : handler.end]
        if re.search(r"\b(exit|return)\b", text):
            return "exit"
        if head in _IGNORE_WORDS:
            return "ignore"
        return "fallback"

    def first_words(self, node: _Node) -> tuple[str, ...]:
        if isinstance(node, _Cmd):
            return tuple(w.value for w in node.words)
        if isinstance(node, (_Seq, _AndOr, _Pipeline)):
            return self.first_words(node.items[0]) if node.items else ()
        if isinstance(node, _Group):
            return self.first_words(node.body)
        return ()

    def item_requirements(self, node: _Node) -> _TestResult:
        if isinstance(node, _Cmd):
            if not node.words or node.words[0].value not in ("[", "[[", "test"):
                return None, None  # not a test (what `_test_requirements` says, sooner)
            return _test_requirements(tuple(w.value for w in node.words))
        if isinstance(node, _Pipeline) and len(node.items) == 1:
            t, f = self.item_requirements(node.items[0])
            return (f, t) if node.negated else (t, f)
        if isinstance(node, _Seq) and node.items:
            return self.item_requirements(node.items[-1])
        if isinstance(node, _AndOr):
            results = [self.item_requirements(i) for i in node.items]
            if all(op == "&&" for op in node.ops):
                return tuple(x for r in results if r[0] for x in r[0]) or None, None
            if all(op == "||" for op in node.ops) and all(r[0] for r in results):
                return tuple(x for r in results if r[0] for x in r[0]), None
        return None, None

    def if_(self, node: _If, ctx: _Ctx) -> None:
        group = node.start
        # requirements of the arms before (the first MAX_EXCLUDES: an `elif` chain of n arms
        # must not cost n * n)
        previous_false = _Capped()
        previous_true = _Capped()
        cond_texts: list[str] = []
        for k, (cond, body) in enumerate(node.arms):
            if cond is not None:
                tested = ctx._replace(tested=True, status_checked=False)
                if k == 0:
                    branch, line = self.failure_branch(node)
                    if branch:
                        tested = tested._replace(failure_branch=branch, failure_line=line)
                elif ctx.failure_branch:
                    tested = tested._replace(failure_branch="", failure_line=0)
                self.walk(cond, tested)
                text = self.src(cond.start, cond.end)
                if len(cond_texts) < MAX_EXCLUDES:
                    cond_texts.append(text)
                true_req, false_req = self.item_requirements(cond)
                condition = Condition(
                    "if" if k == 0 else "elif",
                    text,
                    self.line(cond.start),
                    group,
                    k,
                    previous_false.items + (true_req or ()),
                    _variables(text),
                    excludes=previous_true.items,
                )
                previous_false.extend(false_req or ())
                if true_req and len(true_req) == 1:
                    previous_true.extend(true_req)
            else:
                text = " / ".join(cond_texts)
                condition = Condition(
                    "else",
                    text,
                    self.line(body.start) if body.end > body.start else self.line(node.start),
                    group,
                    k,
                    previous_false.items,
                    _variables(text),
                    excludes=previous_true.items,
                )
            self.walk(
                body, ctx._replace(conditions=bounded_conditions((*ctx.conditions, condition)))
            )

    def failure_branch(self, node: _If) -> tuple[str, int]:
        """What runs when the command the first `if` arm tests fails (see
        `ShellCommand.failure_branch`), and the line where that branch starts; ("", 0) when
        the test is not one command (`[ -d x ]`, `a && b`)."""
        cond = node.arms[0][0]
        while isinstance(cond, _Seq) and len(cond.items) == 1:
            cond = cond.items[0]
        negated = False
        if isinstance(cond, _Pipeline):
            if len(cond.items) != 1:
                return "", 0
            negated = cond.negated
            cond = cond.items[0]
        if not isinstance(cond, _Cmd) or not cond.words:
            return "", 0
        if cond.words[0].value in ("[", "[[", "test", "true", "false", ":"):
            return "", 0
        if negated:
            body = node.arms[0][1]
        elif len(node.arms) > 1:
            other, body = node.arms[1]
            if other is not None:
                return "other", self.line(other.start)  # an `elif`: it decides
        else:
            return "ignore", self.line(node.start)  # nothing runs on failure
        cmds = list(self.simple_commands(body))
        if not cmds:
            return "ignore", self.line(node.start)
        kind = "ignore"
        for c in cmds:
            words = [w.value for w in c.words]
            head = _basename(words[0]) if words else ""
            if not words:
                kind = "other"  # an assignment: a later check may read it
            elif head in ("exit", "return"):
                code = words[1] if len(words) > 1 else ""
                return ("exit-zero" if code in ("", "0") else "exit"), self.line(body.start)
            elif head in _EXIT_WORDS:
                return "exit", self.line(body.start)
            elif head not in _IGNORE_WORDS and head not in ("sleep", "logger", ">&2"):
                kind = "other"
        return kind, self.line(cmds[0].start)

    def simple_commands(self, node: _Node) -> Iterator[_Cmd]:
        """The simple commands of a branch, in order (not into functions)."""
        if isinstance(node, _Cmd):
            yield node
        elif isinstance(node, (_Seq, _AndOr, _Pipeline)):
            for item in node.items:
                yield from self.simple_commands(item)
        elif isinstance(node, _Group):
            yield from self.simple_commands(node.body)
        elif isinstance(node, _If):
            for cond, body in node.arms:
                if cond is not None:
                    yield from self.simple_commands(cond)
                yield from self.simple_commands(body)
        elif isinstance(node, _LoopNode):
            yield from self.simple_commands(node.body)
        elif isinstance(node, _Case):
            for clause in node.clauses:
                if clause[1] is not None:
                    yield from self.simple_commands(clause[1])

    def loop(self, node: _LoopNode, ctx: _Ctx) -> None:
        head = self.text[node.head_start : node.head_end]
        body_text = self.text[node.body.start : node.body.end]
        bounded, why = _loop_bound(node.kind, head, body_text)
        if not bounded and ctx.timeout_bound:
            bounded, why = True, "run under `timeout`"
        info = ShellLoop(
            node.kind,
            self.line(node.start),
            self.line(node.end),
            self.src(node.head_start, node.head_end),
            bounded,
            why,
            _probes_in(head + "\n" + body_text),
        )
        self.loops.append(info)
        if node.cond is not None:
            self.walk(node.cond, ctx._replace(tested=True, loop=info, status_checked=False))
        cond = Condition(
            node.kind, info.condition, info.line, node.start, 0, (), _variables(info.condition)
        )
        conditions = bounded_conditions((*ctx.conditions, cond))
        self.walk(node.body, ctx._replace(loop=info, conditions=conditions))

    def case(self, node: _Case, ctx: _Ctx) -> None:
        ref = _var_ref(node.subject)
        previous = _Capped()
        for k, (patterns, body, start) in enumerate(node.clauses):
            pat = "|".join(patterns)
            requires: tuple[Requirement, ...] = ()
            literal = [p for p in patterns if not any(ch in p for ch in "*?[")]
            if ref is not None and literal and len(literal) == len(patterns):
                requires = tuple(Requirement(ref[0], unquote(p)) for p in literal)
            cond = Condition(
                "case",
                f"case {node.subject} in {pat})",
                self.line(start),
                node.start,
                k,
                requires if len(requires) == 1 else (),
                _variables(node.subject),
                one_of=requires if len(requires) > 1 else (),
                excludes=previous.items,
            )
            previous.extend(requires)
            if body is not None:
                self.walk(
                    body, ctx._replace(conditions=bounded_conditions((*ctx.conditions, cond)))
                )

    # -- simple commands -------------------------------------------------------------------
    def command(self, node: _Cmd, ctx: _Ctx) -> None:
        words = tuple([w.value for w in node.words])
        for w in (*node.assigns, *node.words) if node.assigns else node.words:
            for sub in w.subs:
                self.walk(
                    sub,
                    ctx._replace(
                        substitution=True,
                        tested=False,
                        piped=False,
                        and_follows=False,
                        on_failure="",
                        status_checked=False,
                    ),
                )
        for a in node.assigns:
            name, _, value = a.value.partition("=")
            name = name.rstrip("+")
            if not words:
                default_only = bool(re.fullmatch(rf"\$\{{{name}:?-[^}}]*\}}", value))
                self.assignments.append(
                    ShellAssignment(name, value, self.line(a.start), ctx.conditions, default_only)
                )
        if not words:
            return
        head = _basename(words[0])
        if head == ":" or head == "export" or head in ("local", "declare", "readonly", "typeset"):
            for arg in words[1:]:
                for m in _DEFAULT_RE.finditer(arg):
                    if m.group(2) == "=":
                        self.assignments.append(
                            ShellAssignment(
                                m.group(1), m.group(3), self.line(node.start), ctx.conditions, True
                            )
                        )
                if head != ":" and "=" in arg and _ASSIGN_RE.match(arg):
                    name, _, value = arg.partition("=")
                    default_only = bool(re.fullmatch(rf"\$\{{{name}:?-[^}}]*\}}", value))
                    self.assignments.append(
                        ShellAssignment(
                            name, value, self.line(node.start), ctx.conditions, default_only
                        )
                    )
        if head == "set":
            self.set_options(words[1:])
        if head == "trap":
            self.traps.append(self.line(node.start))
        # a call of a function defined in this script: walk its body here
        if head in self.functions and head not in self.calling and self.depth < 8:
            if self.inlined[0] < MAX_INLINED and len(self.calling) < MAX_NESTING:
                self.called.add(head)
                self.calling.append(head)
                self.emit(node, words, ctx)
                self.walk(self.functions[head].body, ctx._replace(function=head))
                self.calling.pop()
                return
            if not self.inline_capped:
                line, col = self.pos.line_col(node.start)
                why = (
                    f"expand to more than {MAX_INLINED} commands"
                    if self.inlined[0] >= MAX_INLINED
                    else f"are nested deeper than {MAX_NESTING} levels"
                )
                self.inline_capped.append((line, col, why))
            self.emit(node, words, ctx)
            return
        self.emit(node, words, ctx)
        argv = effective_argv(words)
        nested = shell_script_argument(argv)
        if nested is not None and self.depth < 4:
            self.nested_script(node, nested[0], nested[1], ctx, "sh -c", words)
        elif (
            argv
            and self.depth < 4
            and _basename(argv[0]) in _SHELLS
            and shell_script_file(argv) is None
        ):
            for h in self.heredocs_of(node):
                body = self.text[h.body_start : h.body_end]
                self.nested_script(node, body, False, ctx, "heredoc", words, h.body_start)

    def heredocs_of(self, node: _Cmd) -> list[_Heredoc]:
        if node.heredocs:
            return list(node.heredocs)
        line_end = self.text.find("\n", node.start)
        line_end = len(self.text) if line_end < 0 else line_end
        return [h for h in self.heredocs if node.start <= h.op_start < line_end]

    def emit(self, node: _Cmd, words: tuple[str, ...], ctx: _Ctx) -> None:
        if self.calling:
            self.inlined[0] += 1
        line, col = self.pos.line_col(node.words[0].start if node.words else node.start)
        last = max(node.end - 1, node.start)
        end_line = line if self.text.find("\n", node.start, last) < 0 else self.line(last)
        assigns = tuple(a.value for a in node.assigns)
        is_exec = bool(words) and words[0] == "exec" and len(words) > 1
        self.commands.append(
            ShellCommand(
                words=words,
                text=self.src(node.start, node.end, 200),
                location=Location(self.path, line, col, end_line if end_line != line else None),
                end_line=end_line,
                conditions=ctx.conditions,
                loop=ctx.loop,
                function=ctx.function,
                reached=ctx.reached,
                errexit=self.errexit,
                pipefail=self.pipefail,
                piped=ctx.piped,
                tested=ctx.tested,
                and_follows=ctx.and_follows,
                on_failure=ctx.on_failure,
                fallback=ctx.fallback,
                status_checked=ctx.status_checked,
                background=ctx.background,
                substitution=ctx.substitution,
                nested=ctx.nested,
                chain=ctx.chain or node.start + 1,
                exec=is_exec,
                assignments=assigns,
                failure_branch=ctx.failure_branch,
                failure_line=ctx.failure_line,
            )
        )

    def set_options(self, args: tuple[str, ...]) -> None:
        k = 0
        while k < len(args):
            a = args[k]
            if a in ("-o", "+o") and k + 1 < len(args):
                on = a == "-o"
                if args[k + 1] == "errexit":
                    self.errexit = on
                elif args[k + 1] == "pipefail":
                    self.pipefail = on
                k += 2
                continue
            if len(a) > 1 and a[0] in "-+" and a[1:].isalpha():
                on = a[0] == "-"
                if "e" in a[1:]:
                    self.errexit = on
                if a.endswith("o") and k + 1 < len(args) and args[k + 1] == "pipefail":
                    self.pipefail = on
                    k += 2
                    continue
            k += 1

    def nested_script(
        self,
        node: _Cmd,
        script: str,
        errexit: bool,
        ctx: _Ctx,
        kind: str,
        words: tuple[str, ...],
        body_start: int | None = None,
    ) -> None:
        if body_start is not None:
            base_line, base_col = self.pos.line_col(body_start)
        else:
            idx = next((k for k, w in enumerate(node.words) if w.value == script), None)
            anchor = node.words[idx].start + 1 if idx is not None else node.start
            base_line, base_col = self.pos.line_col(anchor)
        timeout = ctx.timeout_bound or any(_basename(w) == "timeout" for w in words[:3])
        read = _read_script(script)
        positions = _Positions(script, base_line, base_col)
        inner = _Walker(
            self.path, script, positions, read.heredocs, errexit, self.depth + 1, self.fixed_line
        )
        inner.functions = dict(self.functions)
        inner.called = set(self.functions)  # the outer script lists its own functions
        inner.inlined = self.inlined
        inner.inline_capped = self.inline_capped
        inner_ctx = ctx._replace(nested=kind, timeout_bound=timeout, chain=0)
        inner.walk_statements(read.statements, inner_ctx)
        inner.finish()
        self.commands.extend(inner.commands)
        self.loops.extend(inner.loops)
        self.assignments.extend(inner.assignments)
        self.traps.extend(inner.traps)

    def finish(self) -> None:
        """Commands of functions that nothing calls are still listed (reached=False)."""
        for name, fn in list(self.functions.items()):
            if name not in self.called:
                self.called.add(name)
                self.walk(fn.body, _Ctx(function=name, reached=False))
