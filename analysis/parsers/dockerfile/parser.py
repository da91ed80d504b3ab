"""Parsing a Dockerfile: directives, logical lines, heredocs, and one handler per instruction."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field

from analysis.model import Location
from analysis.parsers.dockerfile.records import (
    _DIRECTIVE,
    _HEREDOC,
    _KEYWORD,
    HEREDOC_INSTRUCTIONS,
    KNOWN_INSTRUCTIONS,
    MAX_PROBLEMS,
    Command,
    Copy,
    Directive,
    DockerfileFile,
    Expose,
    Flag,
    Heredoc,
    Instruction,
    Run,
    Stage,
    User,
    Variable,
    Volume,
    Workdir,
)
from analysis.parsers.dockerfile.words import (
    _abs_path,
    _exec_form,
    _shell_test,
    expand,
    split_words,
    unquote,
)
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.records import dataclass
from analysis.sources import SourceFile


# -- the parser ----------------------------------------------------------------------------
@dataclass
class _Logical:
    keyword: str
    rest: str
    line: int
    end_line: int
    line_starts: list[tuple[int, int]]
    heredocs: list[Heredoc] = field(default_factory=list)


@dataclass
class _StageBuilder:
    index: int
    name: str | None
    image: str
    image_raw: str
    platform: str | None
    line: int
    parent: int | None
    workdir: str
    vars: dict[str, str | None]
    inherited_env: list[Variable]
    inherited_entrypoint: Command | None
    inherited_cmd: Command | None
    user: str | None
    end_line: int = 0
    instructions: list[Instruction] = field(default_factory=list)
    copies: list[Copy] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    env: list[Variable] = field(default_factory=list)
    args: list[Variable] = field(default_factory=list)
    workdirs: list[Workdir] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    exposes: list[Expose] = field(default_factory=list)
    entrypoint: Command | None = None
    cmd: Command | None = None

    def freeze(self) -> Stage:
        eff_entry = self.entrypoint or self.inherited_entrypoint
        if self.cmd is not None:
            eff_cmd: Command | None = self.cmd
        elif self.entrypoint is not None:
            eff_cmd = None  # a new ENTRYPOINT resets the inherited CMD
        else:
            eff_cmd = self.inherited_cmd
        names = {v.name for v in self.env}
        eff_env = tuple(v for v in self.inherited_env if v.name not in names) + tuple(self.env)
        return Stage(
            index=self.index,
            name=self.name,
            image=self.image,
            image_raw=self.image_raw,
            platform=self.platform,
            line=self.line,
            end_line=max(self.end_line, self.line),
            parent=self.parent,
            instructions=tuple(self.instructions),
            copies=tuple(self.copies),
            runs=tuple(self.runs),
            env=tuple(self.env),
            args=tuple(self.args),
            workdirs=tuple(self.workdirs),
            volumes=tuple(self.volumes),
            users=tuple(self.users),
            exposes=tuple(self.exposes),
            entrypoint=self.entrypoint,
            cmd=self.cmd,
            effective_entrypoint=eff_entry,
            effective_cmd=eff_cmd,
            effective_env=eff_env,
            workdir=self.workdir,
            user=self.user,
        )


class _Parser:
    def __init__(self, source: SourceFile, build_args: Mapping[str, str] | None = None) -> None:
        self.build_args = dict(build_args or {})
        self.path = source.path
        self.lines = source.text.split("\n")
        self.escape = "\\"
        self.directives: list[Directive] = []
        self.problems: list[ParseProblem] = []
        self.dropped = 0
        self.global_args: list[Variable] = []
        self.global_vars: dict[str, str | None] = {}
        self.stages: list[_StageBuilder] = []
        self.frozen: list[Stage] = []

    # -- problems
    def problem(
        self, line: int, message: str, column: int = 1, kind: ProblemKind = ProblemKind.INVALID
    ) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.dropped += 1
            return
        self.problems.append(ParseProblem(kind, message, Location(self.path, line, column)))

    # -- lexing
    def directives_and_start(self) -> int:
        i = 0
        seen: set[str] = set()
        while i < len(self.lines):
            m = _DIRECTIVE.match(self.lines[i].strip())
            if not m:
                break
            name = m.group(1).lower()
            if name in seen:
                self.problem(
                    i + 1, f"parser directive {name!r} given twice", 1, ProblemKind.DUPLICATE
                )
                break
            seen.add(name)
            value = m.group(2)
            self.directives.append(Directive(name, value, i + 1))
            if name == "escape":
                if value in ("\\", "`"):
                    self.escape = value
                else:
                    self.problem(i + 1, f"invalid escape character {value!r}: must be ` or \\")
            i += 1
        return i

    def continues(self, text: str) -> bool:
        stripped = text.rstrip(" \t")
        return stripped.endswith(self.escape)

    def logical_lines(self) -> list[_Logical]:
        out: list[_Logical] = []
        i = self.directives_and_start()
        n = len(self.lines)
        while i < n:
            raw = self.lines[i]
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                i += 1
                continue
            start = i
            parts: list[str] = []
            starts: list[tuple[int, int]] = []
            length = 0
            text = raw.lstrip()
            while True:
                cont = self.continues(text)
                piece = text.rstrip(" \t")[:-1] if cont else text
                starts.append((length, i + 1))
                parts.append(piece)
                length += len(piece)
                i += 1
                if not cont:
                    break
                # skip comment lines and empty lines inside a continuation
                while i < n and (
                    not self.lines[i].strip() or self.lines[i].lstrip().startswith("#")
                ):
                    i += 1
                if i >= n:
                    break
                text = self.lines[i]
            joined = "".join(parts)
            km = _KEYWORD.match(joined)
            if km is None:  # pragma: no cover - a non-blank line always has a first word
                continue
            keyword = km.group(1)
            rest_offset = km.end()
            rest = joined[rest_offset:]
            shifted = [(max(0, s - rest_offset), ln) for s, ln in starts]
            logical = _Logical(keyword.upper(), rest, start + 1, i, shifted)
            if logical.keyword in HEREDOC_INSTRUCTIONS and "<<" in rest:
                i = self.read_heredocs(logical, i)
            elif logical.keyword == "ONBUILD" and "<<" in rest:
                inner = rest.split(None, 1)[0].upper() if rest.strip() else ""
                if inner in HEREDOC_INSTRUCTIONS:
                    i = self.read_heredocs(logical, i)
            out.append(logical)
        return out

    def read_heredocs(self, logical: _Logical, i: int) -> int:
        n = len(self.lines)
        for m in _HEREDOC.finditer(logical.rest):
            name = m.group(4)
            strip_tabs = m.group(2) == "-"
            quoted = bool(m.group(3))
            marker_line = self._line_for_offset(logical, m.start())
            body_start = i
            body: list[str] = []
            terminated = False
            while i < n:
                text = self.lines[i]
                check = text.lstrip("\t") if strip_tabs else text
                if check.rstrip() == name:
                    terminated = True
                    i += 1
                    break
                body.append(check)
                i += 1
            end_line = i if i > body_start else body_start + 1
            if not terminated:
                self.problem(
                    marker_line,
                    f"{logical.keyword} heredoc <<{name} is never closed: "
                    f"no line {name!r} follows it",
                )
                end_line = max(n, 1)
            logical.heredocs.append(
                Heredoc(
                    name=name,
                    body="\n".join(body) + ("\n" if body else ""),
                    line=marker_line,
                    body_line=body_start + 1,
                    end_line=end_line,
                    strip_tabs=strip_tabs,
                    quoted=quoted,
                    terminated=terminated,
                )
            )
            logical.end_line = end_line
        return i

    @staticmethod
    def _line_for_offset(logical: _Logical, offset: int) -> int:
        line = logical.line
        for start, ln in logical.line_starts:
            if start <= offset:
                line = ln
        return line

    # -- flags
    def take_flags(self, rest: str) -> tuple[list[Flag], str, int]:
        flags: list[Flag] = []
        pos = 0
        n = len(rest)
        while True:
            while pos < n and rest[pos].isspace():
                pos += 1
            if not rest.startswith("--", pos):
                break
            end = pos
            quote = ""
            while end < n and (quote or not rest[end].isspace()):
                c = rest[end]
                if quote:
                    if c == quote:
                        quote = ""
                elif c in "'\"":
                    quote = c
                end += 1
            token = rest[pos + 2 : end]
            pos = end
            if token == "":
                break  # a lone `--` ends the flags
            name, eq, value = token.partition("=")
            flags.append(Flag(name.lower(), unquote(value, self.escape) if eq else None))
        return flags, rest[pos:], pos

    # -- dispatch
    def parse(self) -> DockerfileFile:
        for logical in self.logical_lines():
            try:
                self.dispatch(logical)
            except Exception as exc:  # defensive: a parser bug must not lose the file
                self.problem(
                    logical.line, f"cannot read {logical.keyword}: {type(exc).__name__}: {exc}"
                )
        self.close_stage()
        if not self.frozen and not self.problems:
            self.problem(1, "no FROM instruction: the file defines no build stage")
        if self.dropped:
            self.problems.append(
                ParseProblem(
                    ProblemKind.LIMIT,
                    f"{self.path}: {self.dropped} more parse problems not listed",
                    Location(self.path, 1),
                )
            )
        return DockerfileFile(
            path=self.path,
            stages=tuple(self.frozen),
            global_args=tuple(self.global_args),
            directives=tuple(self.directives),
            escape=self.escape,
            problems=tuple(self.problems),
        )

    def close_stage(self) -> None:
        if self.stages and len(self.frozen) < len(self.stages):
            self.frozen.append(self.stages[-1].freeze())

    def dispatch(self, lg: _Logical) -> None:
        kw = lg.keyword
        if kw not in KNOWN_INSTRUCTIONS:
            shown = lg.keyword if len(lg.keyword) <= 40 else lg.keyword[:40] + "..."
            self.problem(lg.line, f"unknown instruction {shown!r}")
            return
        if kw == "FROM":
            self.do_from(lg)
            return
        if kw == "ARG" and not self.stages:
            self.do_arg(lg, None)
            return
        if not self.stages:
            self.problem(lg.line, f"{kw} before the first FROM: Docker rejects the file")
            return
        st = self.stages[-1]
        st.end_line = lg.end_line
        flags, body, _ = (
            self.take_flags(lg.rest)
            if kw in ("COPY", "ADD", "RUN", "HEALTHCHECK")
            else ([], lg.rest, 0)
        )
        inst = Instruction(
            kw, lg.rest.strip(), lg.line, lg.end_line, tuple(flags), tuple(lg.heredocs), st.workdir
        )
        st.instructions.append(inst)
        handler = getattr(self, "do_" + kw.lower(), None)
        if handler is not None:
            handler(lg, st, flags, body)

    def do_from(self, lg: _Logical) -> None:
        self.close_stage()
        flags, body, _ = self.take_flags(lg.rest)
        words = split_words(body, self.escape)
        platform = next((f.value for f in flags if f.name == "platform"), None)
        if not words:
            self.problem(lg.line, "FROM needs an image")
            return
        name: str | None = None
        if len(words) == 3 and words[1].lower() == "as":
            name = words[2].lower()
            if not re.fullmatch(r"[a-z][a-z0-9._-]*", name):
                self.problem(lg.line, f"invalid stage name {words[2]!r}")
        elif len(words) != 1:
            self.problem(lg.line, "FROM takes `image [AS name]`")
        image_raw = words[0]
        image = expand(unquote(image_raw, self.escape), self.global_vars, self.escape, True)
        if platform is not None:
            platform = expand(platform, self.global_vars, self.escape, True)
        index = len(self.stages)
        parent: int | None = None
        low = image.lower()
        for prev in self.stages:
            if prev.name is not None and prev.name == low:
                parent = prev.index
        if name is not None and any(s.name == name for s in self.stages):
            self.problem(lg.line, f"duplicate stage name {name!r}", 1, ProblemKind.DUPLICATE)
        if parent is not None:
            p = self.frozen[parent]
            st = _StageBuilder(
                index=index,
                name=name,
                image=image,
                image_raw=image_raw,
                platform=platform,
                line=lg.line,
                parent=parent,
                workdir=p.workdir,
                vars={v.name: v.expanded for v in p.effective_env},
                inherited_env=list(p.effective_env),
                inherited_entrypoint=p.effective_entrypoint,
                inherited_cmd=p.effective_cmd,
                user=p.user,
            )
        else:
            st = _StageBuilder(
                index=index,
                name=name,
                image=image,
                image_raw=image_raw,
                platform=platform,
                line=lg.line,
                parent=None,
                workdir="/",
                vars={},
                inherited_env=[],
                inherited_entrypoint=None,
                inherited_cmd=None,
                user=None,
            )
        st.end_line = lg.end_line
        st.instructions.append(
            Instruction("FROM", lg.rest.strip(), lg.line, lg.end_line, tuple(flags), (), "/")
        )
        self.stages.append(st)

    def do_arg(self, lg: _Logical, st: _StageBuilder | None, *_: object) -> None:
        words = split_words(lg.rest, self.escape)
        if not words:
            self.problem(lg.line, "ARG needs a name")
            return
        scope = self.global_vars if st is None else st.vars
        for w in words:
            name, eq, raw_value = w.partition("=")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                self.problem(lg.line, f"invalid ARG name {name!r}")
                continue
            if eq:
                value: str | None = unquote(raw_value, self.escape)
                expanded: str | None = unquote(raw_value, self.escape, scope)
            elif st is not None and name in self.global_vars:
                value = expanded = self.global_vars[name]
            else:
                value = expanded = None
            if name in self.build_args:  # `--build-arg` / compose `build.args` win
                expanded = self.build_args[name]
            var = Variable("ARG", name, value, expanded, lg.line, lg.end_line)
            if st is None:
                self.global_args.append(var)
                self.global_vars[name] = expanded
            else:
                st.args.append(var)
                # an ENV of the same name (here or inherited) wins over the ARG
                env_names = {e.name for e in st.env} | {e.name for e in st.inherited_env}
                if name not in env_names:
                    st.vars[name] = expanded

    def do_env(self, lg: _Logical, st: _StageBuilder, *_: object) -> None:
        words = split_words(lg.rest, self.escape)
        if not words:
            self.problem(lg.line, "ENV needs a name and a value")
            return
        pairs: list[tuple[str, str]] = []
        if "=" not in words[0]:
            # legacy form: ENV name value with spaces
            name = words[0]
            value_text = lg.rest.strip()[len(name) :].strip()
            if not value_text:
                self.problem(lg.line, f"ENV {name} has no value")
                return
            pairs.append((name, value_text))
        else:
            for w in words:
                name, eq, raw = w.partition("=")
                if not eq:
                    self.problem(lg.line, f"ENV {w!r} is not name=value")
                    continue
                pairs.append((name, raw))
        for name, raw in pairs:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name):
                self.problem(lg.line, f"invalid ENV name {name!r}")
                continue
            value = unquote(raw, self.escape)
            expanded = unquote(raw, self.escape, st.vars)
            st.env.append(Variable("ENV", name, value, expanded, lg.line, lg.end_line))
            st.vars[name] = expanded

    def do_workdir(self, lg: _Logical, st: _StageBuilder, *_: object) -> None:
        words = split_words(lg.rest, self.escape)
        if not words:
            self.problem(lg.line, "WORKDIR needs a path")
            return
        path = unquote(lg.rest.strip(), self.escape, st.vars) if len(words) > 1 else None
        if path is None:
            path = unquote(words[0], self.escape, st.vars)
        st.workdir = _abs_path(path, st.workdir)
        st.workdirs.append(Workdir(path, st.workdir, lg.line))

    def _paths(self, body: str, kw: str, line: int) -> list[str] | None:
        text = body.strip()
        if text.startswith("["):
            form = _exec_form(text)
            if form is not None:
                return list(form)
            self.problem(line, f"{kw} looks like a JSON array but is not valid JSON")
        return [w for w in split_words(text, self.escape)]

    def do_copy(
        self, lg: _Logical, st: _StageBuilder, flags: list[Flag], body: str, kw: str = "COPY"
    ) -> None:
        words = self._paths(body, kw, lg.line)
        if words is None:
            return
        # heredoc markers are sources too; keep their names
        values = [unquote(w, self.escape, st.vars) for w in words]
        if len(values) < 2:
            self.problem(lg.line, f"{kw} needs at least a source and a destination")
            return
        *sources, dest = values
        fl = {f.name: f.value for f in flags}
        link = "link" in fl and (fl["link"] is None or fl["link"].lower() != "false")
        from_stage = fl.get("from")
        if from_stage is not None:
            from_stage = expand(from_stage, st.vars, self.escape).lower()
        st.copies.append(
            Copy(
                keyword=kw,
                sources=tuple(sources),
                destination=dest,
                target=_abs_path(dest, st.workdir),
                from_stage=from_stage,
                chown=fl.get("chown"),
                chmod=fl.get("chmod"),
                link=link,
                line=lg.line,
                end_line=lg.end_line,
                heredocs=tuple(lg.heredocs),
                workdir=st.workdir,
                parents="parents" in fl
                and (fl["parents"] is None or fl["parents"].lower() != "false"),
                excludes=tuple(f.value for f in flags if f.name == "exclude" and f.value),
            )
        )

    def do_add(self, lg: _Logical, st: _StageBuilder, flags: list[Flag], body: str) -> None:
        self.do_copy(lg, st, flags, body, "ADD")

    def do_run(self, lg: _Logical, st: _StageBuilder, flags: list[Flag], body: str) -> None:
        offset = len(lg.rest) - len(body)
        text = body.strip()
        lead = len(body) - len(body.lstrip())
        offset += lead
        exec_form: tuple[str, ...] | None = None
        if text.startswith("["):
            exec_form = _exec_form(text)
            if exec_form is None and not _shell_test(text):
                self.problem(
                    lg.line,
                    "RUN looks like exec form (a JSON array) but is not valid JSON: "
                    "Docker runs it as a shell command",
                )
        command = " ".join(exec_form) if exec_form is not None else text
        starts = tuple((max(0, s - offset), ln) for s, ln in lg.line_starts)
        if exec_form is not None:
            starts = ((0, lg.line),)
        mounts = tuple(f.value or "" for f in flags if f.name == "mount")
        st.runs.append(
            Run(
                command=command,
                exec_form=exec_form,
                line=lg.line,
                end_line=lg.end_line,
                heredocs=tuple(lg.heredocs),
                mounts=mounts,
                workdir=st.workdir,
                line_starts=starts,
            )
        )

    def _command(self, lg: _Logical, kw: str) -> Command:
        text = lg.rest.strip()
        if text.startswith("["):
            form = _exec_form(text)
            if form is not None:
                return Command(kw, form, None, lg.line, lg.end_line)
            if _shell_test(text):
                return Command(kw, None, text, lg.line, lg.end_line)
            self.problem(
                lg.line,
                f"{kw} looks like exec form (a JSON array) but is not valid JSON: "
                f"Docker runs it through /bin/sh -c",
            )
        return Command(kw, None, text, lg.line, lg.end_line)

    def do_cmd(self, lg: _Logical, st: _StageBuilder, *_: object) -> None:
        st.cmd = self._command(lg, "CMD")

    def do_entrypoint(self, lg: _Logical, st: _StageBuilder, *_: object) -> None:
        st.entrypoint = self._command(lg, "ENTRYPOINT")

    def do_shell(self, lg: _Logical, st: _StageBuilder, *_: object) -> None:
        cmd = self._command(lg, "SHELL")
        if cmd.exec_form is None:
            self.problem(lg.line, "SHELL must be a JSON array")

    def do_volume(self, lg: _Logical, st: _StageBuilder, *_: object) -> None:
        text = lg.rest.strip()
        paths: list[str] | None = None
        if text.startswith("["):
            form = _exec_form(text)
            if form is not None:
                paths = [expand(p, st.vars, self.escape) for p in form]
            else:
                self.problem(lg.line, "VOLUME looks like a JSON array but is not valid JSON")
        if paths is None:
            paths = [unquote(w, self.escape, st.vars) for w in split_words(text, self.escape)]
        if not paths:
            self.problem(lg.line, "VOLUME needs a path")
            return
        st.volumes.append(
            Volume(tuple(_abs_path(p, st.workdir) for p in paths), lg.line, lg.end_line)
        )

    def do_user(self, lg: _Logical, st: _StageBuilder, *_: object) -> None:
        user = unquote(lg.rest.strip(), self.escape, st.vars)
        if not user:
            self.problem(lg.line, "USER needs a user")
            return
        st.user = user
        st.users.append(User(user, lg.line))

    def do_expose(self, lg: _Logical, st: _StageBuilder, *_: object) -> None:
        ports = tuple(unquote(w, self.escape, st.vars) for w in split_words(lg.rest, self.escape))
        if not ports:
            self.problem(lg.line, "EXPOSE needs a port")
            return
        st.exposes.append(Expose(ports, lg.line))


def parse_dockerfile(
    source: SourceFile, build_args: Mapping[str, str] | None = None
) -> DockerfileFile:
    """Parse a Dockerfile (with `build_args` as `--build-arg`s: they replace the ARG defaults).
    Never raises: what it cannot read is a `ParseProblem` in `problems`."""
    return _Parser(source, build_args).parse()


def parse_dockerfile_text(text: str, path: str = "Dockerfile") -> DockerfileFile:
    """Convenience for tests and tools: parse `text` as if it were the file `path`."""
    from analysis.sources import digest_bytes

    data = text.encode("utf-8", errors="replace")
    return parse_dockerfile(
        SourceFile(path, text.replace("\r\n", "\n"), digest_bytes(data), len(data))
    )
