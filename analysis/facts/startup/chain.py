"""The builder: follows a start command through scripts, package.json scripts, Makefile targets
and programs to every Prisma command."""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from itertools import repeat

from analysis.context import Context, normalize
from analysis.facts.images.packages import InstallStep
from analysis.facts.startup.conditions import (
    _blocked,
    _decide,
    _expand_env,
    _expand_positional,
    _known,
    _shell_join,
    _with_fallback,
)
from analysis.facts.startup.files import _Files
from analysis.facts.startup.plan import (
    _INERT_HEADS,
    _inert,
    _looks_like_script,
    _plan,
    _prisma_plan,
)
from analysis.facts.startup.records import (
    MAX_DEPTH,
    MAX_STEPS,
    CodeMigration,
    DatabaseUse,
    EntryScript,
    Link,
    OptIn,
    PrismaStep,
    SeedRun,
    StartupPath,
    WaitStep,
)
from analysis.facts.startup.where import _FS, _At, _PathState
from analysis.model import Finding, Location, Severity
from analysis.parsers.makefile import Makefile, parse_makefile
from analysis.parsers.package_json.package import PackageJson, PackageScript
from analysis.parsers.package_json.scripts import (
    ScriptCall,
    matches_workspace,
    script_calls,
    task_runner_call,
)
from analysis.parsers.platform import parse_platform
from analysis.parsers.prisma_cli import (
    PrismaInvocation,
)
from analysis.parsers.programs.entry import parse_program
from analysis.parsers.programs.javascript import wrapper_command
from analysis.parsers.programs.records import JS_SUFFIXES, ProgramCommand, ProgramFile
from analysis.parsers.shell.records import ShellCommand, ShellScript
from analysis.parsers.shell.words import effective_argv
from analysis.sources import FileKind


class _Builder(_Files):
    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.paths: list[StartupPath] = []
        self.problems: list[Finding] = []
        self._active: dict[int, tuple[ShellScript, tuple[ShellCommand, ...]]] = {}

    def active_commands(self, script: ShellScript) -> tuple[ShellCommand, ...]:
        """The commands of `script` that `follow_script` may act on: `cd`, those whose words
        depend on the script's arguments, and those `follow_argv` does something for. Computed
        once per script and run, so a script followed on several paths costs its length once
        (a 100,000-command `&&` list is mostly `echo`s)."""
        hit = self._active.get(id(script))
        if hit is not None and hit[0] is script:
            return hit[1]
        active = tuple(
            cmd
            for cmd in script.commands
            if "cd" in cmd.words
            or not (
                (cmd.words and cmd.words[0] in _INERT_HEADS)
                or (not any("$" in w for w in cmd.words) and _inert(_plan(cmd.words)))
            )
        )
        self._active[id(script)] = (script, active)
        return active

    def lookup(self, state: _PathState, name: str) -> tuple[str | None, Location, str] | None:
        if name in state.env:
            return state.env[name]
        return self.project_env.get(name)

    # -- following -----------------------------------------------------------------------------
    def follow_argv(self, state: _PathState, words: tuple[str, ...], at: _At) -> None:
        if at.depth > MAX_DEPTH:
            return
        words = _expand_positional(words, at.args)
        if any(w.startswith("$") for w in words):  # `sh -c "$APP_DIR/start.sh"`, ENV APP_DIR
            words = tuple(_expand_env(w, state.env) for w in words)
        plan = _plan(words)
        if plan is None:
            return
        argv = plan.argv
        if plan.prisma is not None:
            self.add_step(state, plan.prisma, argv, at)
            return
        if plan.inner is not None:
            # `docker compose exec api npx prisma ...`: the command runs in a container
            self.follow_argv(state, plan.inner, at._replace(depth=at.depth + 1))
            return
        if plan.install is not None:
            state.installs.append(
                InstallStep(
                    plan.install.manager,
                    "global",
                    dev_omitted=False,
                    ignore_scripts=False,
                    offset=0,
                    text=" ".join(argv),
                    version=plan.install.version,
                    location=at.location,
                    context=state.context,
                )
            )
        if plan.wait is not None:
            label, bounded, bound = plan.wait
            state.waits.append(WaitStep("tool", label, at.location, bounded, bound))
        if plan.nested is not None:
            # the string was parsed with the command when it came from a script; a string from
            # compose/Dockerfile/platform is parsed here
            if at.levels:
                return  # the shell parser already walked `sh -c` strings inline
            text, errexit = plan.nested
            script = self.shell_text(
                text, at.location.path, at.location.line, at.location.column, errexit
            )
            entry = at.depth <= 1 and state.kind in ("compose", "dockerfile")
            self.follow_script(state, script, at, None, entry=entry, inline=True)
            return
        if plan.script is not None:
            self.follow_script_file(state, plan.script[0], plan.script[1], at)
            return
        if plan.make:
            self.follow_make(state, argv, at)
            return
        if plan.turbo:
            self.follow_turbo(state, argv, at)
            return
        if plan.runner:
            found = self.package_for(at.fs)
            pkg = found[0] if found is not None else None
            call = script_calls(argv, pkg)
            if call is not None:
                self.follow_script_call(
                    state, call, pkg, at._replace(fs=found[1]) if found is not None else at
                )
                return
        if plan.program is not None:
            self.follow_program(state, plan.program[0], plan.program[1], at)

    def add_step(
        self, state: _PathState, inv: PrismaInvocation, argv: tuple[str, ...], at: _At
    ) -> None:
        if len(state.steps) >= MAX_STEPS:
            if not state.capped:
                state.capped = True
                self.problems.append(
                    Finding(
                        "KD001",
                        Severity.HIGH,
                        f"more than {MAX_STEPS:,} Prisma commands on one startup path: the ones "
                        "from here on are not followed (keepdata's limit)",
                        at.location,
                    )
                )
            return
        conditions = tuple(c for c, _ in at.conditions)
        decided = _decide(at.conditions, at.args)
        if decided is False:
            return
        opt_ins = self.opt_ins(state, at)
        label = "; ".join(c.label for c in conditions)
        link = Link("prisma", inv.label, at.location, len(at.chain))
        step = PrismaStep(
            command=inv.command,
            flags=inv.flags,
            invocation=inv,
            context=state.context,
            location=at.location,
            text=" ".join(argv),
            chain=(*at.chain, link),
            path_id=state.id,
            root_kind=state.root_kind,
            conditions=conditions,
            condition=label,
            opt_ins=opt_ins,
            levels=at.levels,
            service=state.service,
            stack=state.stack,
        )
        step = _with_fallback(step, at)
        state.steps.append(step)
        self.add_link(state, link)

    def start(
        self, link: Link, path_id: str, kind: str, context: str, root_kind: str
    ) -> _PathState:
        """A new path (no environment of its own) whose first link is `link`."""
        state = _PathState(id=path_id, kind=kind, context=context, root_kind=root_kind, env={})
        self.add_link(state, link)
        return state

    def add_link(self, state: _PathState, link: Link) -> None:
        if link not in state.link_set:
            state.link_set.add(link)
            state.links.append(link)

    def opt_ins(self, state: _PathState, at: _At) -> tuple[OptIn, ...]:
        out: list[OptIn] = []
        seen: set[tuple[str, str | None]] = set()
        for cond, script in at.conditions:
            for req in cond.requires:
                if req.variable.isdigit() or (req.variable, req.value) in seen:
                    continue
                seen.add((req.variable, req.value))
                own = [a for a in script.assignments if a.name == req.variable]
                if any(not a.default_only for a in own):
                    continue  # the script's own variable (e.g. has_migrations)
                defaults = [a for a in own if a.default_only]
                hit = self.lookup(state, req.variable)
                if hit is not None:
                    out.append(OptIn.make(req, hit[1], hit[0], hit[2]))
                elif defaults:
                    d = defaults[0]
                    value = re.sub(r"^\$\{[A-Za-z_]\w*:?[-=]", "", d.value).rstrip("}")
                    out.append(
                        OptIn.make(req, Location(script.path, d.line), value, "script default")
                    )
                else:
                    out.append(OptIn.make(req))
        return tuple(out)

    def follow_script_file(
        self, state: _PathState, ref: str, args: tuple[str, ...], at: _At
    ) -> None:
        rel = None
        if "/" not in ref and at.fs.in_image:
            for folder in ("/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin"):
                rel = self.resolve(at.fs, posixpath.join(folder, ref))
                if rel is not None:
                    break
        if rel is None:
            rel = self.resolve(at.fs, ref)
        call_link = self.call_link(state, at)
        if rel is None:
            if _looks_like_script(ref) or ref.endswith((".sh", ".bash")):
                state.unresolved.append(
                    Link(
                        "unresolved",
                        f"{ref} (not found in the project)",
                        at.location,
                        len(at.chain),
                    )
                )
            if args and not at.levels:
                # an entrypoint we cannot read: assume it ends with `exec "$@"`, as the
                # official images' docker-entrypoint.sh does
                self.follow_argv(state, args, at._replace(depth=at.depth + 1))
            return
        script = self.script(rel)
        if script is None:
            return
        link = Link("script", rel, Location(rel, 1), len(at.chain) + (1 if call_link else 0))
        chain = (*at.chain, *((call_link,) if call_link else ()), link)
        entry = state.kind in ("compose", "dockerfile") and not at.levels
        self.add_link(state, link)
        self.follow_script(
            state,
            script,
            at._replace(chain=chain, depth=at.depth + 1),
            _known(args),
            entry=entry,
        )

    def call_link(self, state: _PathState, at: _At) -> Link | None:
        if not at.levels:
            return None
        cmd = at.levels[-1][0]
        link = Link("command", cmd.text, cmd.location, len(at.chain))
        self.add_link(state, link)
        return link

    def follow_script(
        self,
        state: _PathState,
        script: ShellScript,
        at: _At,
        args: tuple[str, ...] | None,
        entry: bool = False,
        inline: bool = False,
        everything: bool = False,
    ) -> None:
        """Follow every command of `script` that runs (`everything`: also those in functions
        nothing calls)."""
        first = script.commands[0] if script.commands else None
        # the text too: a script with forwarded arguments is parsed at its call site
        key = (script.path + (f"@{first.line}:{first.text}" if first else "@0"), args)
        if key in state.visited or at.depth > MAX_DEPTH:
            return
        state.visited.add(key)
        fs = at.fs
        # `_decide` over the path's conditions and each command's own (up to 64 each in a long
        # `&&` list): the path's part once per script, each condition of the script once
        outer = _decide(at.conditions, args)
        verdicts: dict[int, bool | None] = {}
        for cmd in self.active_commands(script) if outer is not False else ():
            if not cmd.reached and not everything:
                continue
            if (
                args is not None
                and "cd" not in cmd.words
                and _inert(_plan(_expand_positional(cmd.words, args)))
            ):
                continue
            if state.capped and _prisma_plan(_expand_positional(cmd.words, args)):
                continue  # past the step cap `add_step` drops it, whatever its conditions
            if args is not None and cmd.conditions and _blocked(cmd, script, args, verdicts):
                continue
            conds = (
                at.conditions + tuple(zip(cmd.conditions, repeat(script)))
                if cmd.conditions
                else at.conditions
            )
            argv = effective_argv(cmd.words) if "cd" in cmd.words else ()
            if (
                argv[:1] == ("cd",)
                and len(argv) > 1
                and not cmd.conditions
                and not cmd.substitution
            ):
                fs = fs.chdir(argv[1])
                continue
            sub = _At(
                chain=at.chain,
                location=cmd.location,
                fs=fs,
                conditions=conds,
                levels=(*at.levels, (cmd, script)),
                args=args,
                depth=at.depth + 1,
            )
            self.follow_argv(state, cmd.words, sub)
        for loop in script.loops:
            if loop.is_wait:
                state.waits.append(
                    WaitStep(
                        "loop",
                        f"{loop.kind} {loop.condition}",
                        Location(script.path, loop.line),
                        loop.bounded,
                        loop.bound,
                    )
                )
        if entry:
            state.entries.append(
                EntryScript(
                    script.path,
                    at.location if inline else Location(script.path, 1),
                    script.final,
                    script.ends_with_exec,
                    bool(script.traps),
                    inline,
                )
            )

    def follow_script_call(
        self, state: _PathState, call: ScriptCall, pkg: PackageJson | None, at: _At
    ) -> None:
        if call.folder is not None:
            found = self.package_for(at.fs.chdir(call.folder))
            pkg, fs = found if found is not None else (None, at.fs)
        else:
            fs = at.fs
        packages: list[tuple[PackageJson, _FS]] = []
        if call.workspace is not None:
            for other in self.packages:
                if call.workspace == "*" and not other.folder and len(self.packages) > 1:
                    continue  # `pnpm -r run x`: the workspace's packages, not its root
                if matches_workspace(other, call.workspace):
                    packages.append((other, replace(_FS(other.folder), mounts=())))
        elif pkg is not None:
            packages.append((pkg, fs))
        if not packages:
            return
        call_link = self.call_link(state, at)
        base_chain = (*at.chain, *((call_link,) if call_link else ()))
        for package, pfs in packages:
            for name in call.scripts:
                script = package.script(name)
                if script is None:
                    continue
                link = Link(
                    "package-script",
                    f'{package.path} "{name}": {script.command}',
                    script.location,
                    len(base_chain),
                )
                self.add_link(state, link)
                parsed = self.package_script(package, script, call.args, at)
                self.follow_script(
                    state,
                    parsed,
                    at._replace(chain=(*base_chain, link), fs=pfs, depth=at.depth + 1),
                    (),
                )
        for command in call.commands:
            parsed = self.shell_text(
                command, at.location.path, at.location.line, at.location.column
            )
            self.follow_script(state, parsed, at._replace(depth=at.depth + 1), ())

    def package_script(
        self, pkg: PackageJson, script: PackageScript, args: tuple[str, ...], at: _At
    ) -> ShellScript:
        """A package.json script as it runs: the manager appends the forwarded arguments
        (`pnpm with-env prisma db push` runs `dotenv -e ../../.env -- prisma db push`), and
        the command is then where the arguments are written (the call site)."""
        if args:
            return self.shell_text(
                f"{script.command} {_shell_join(args)}",
                at.location.path,
                at.location.line,
                at.location.column,
            )
        return self.shell_text(
            script.command, pkg.path, script.location.line, script.location.column
        )

    def follow_program(self, state: _PathState, ref: str, args: tuple[str, ...], at: _At) -> None:
        rel = self.resolve(at.fs, ref)
        if rel is None:
            rel = self._source_twin(at.fs, ref)
        if rel is None:
            return
        prog: ProgramFile | None = self.ctx.parse(rel, parse_program)
        if prog is None:
            return
        if (
            not prog.commands
            and not prog.imported_calls
            and not posixpath.basename(rel).lower().startswith("seed")
        ):
            return
        call_link = self.call_link(state, at)
        link = Link("program", rel, Location(rel, 1), len(at.chain) + (1 if call_link else 0))
        self.add_link(state, link)
        chain = (*at.chain, *((call_link,) if call_link else ()), link)
        if (
            posixpath.basename(rel).lower().startswith("seed")
            and _decide(at.conditions, at.args) is not False
        ):
            conditions = tuple(c for c, _ in at.conditions)
            state.seeds.append(
                SeedRun(
                    " ".join((ref, *args)),
                    at.location,
                    rel,
                    chain,
                    state.context,
                    conditions,
                    "; ".join(c.label for c in conditions),
                    self.opt_ins(state, at),
                )
            )
        key = (rel, None)
        if key in state.visited:
            return
        state.visited.add(key)
        for pc in (*prog.commands, *self.imported_commands(prog)):
            sub = at._replace(chain=chain, location=pc.location, depth=at.depth + 1, args=None)
            if pc.argv is not None:
                self.follow_argv(state, pc.argv, sub)
            elif pc.command is not None:
                parsed = self.shell_text(pc.command, rel, pc.location.line, pc.location.column)
                self.follow_script(state, parsed, sub, None)

    def imported_commands(self, prog: ProgramFile) -> list[ProgramCommand]:
        """The commands that calls of relatively-imported helpers start (`import {
        executePrismaCommand } from "./executeCommand"`, whose parameter reaches `exec`)."""
        out: list[ProgramCommand] = []
        folder = posixpath.dirname(prog.path)
        for call in prog.imported_calls:
            base = normalize(posixpath.join(folder or ".", call.module))
            if base is None:
                continue
            stem = re.sub(r"\.(?:c|m)?js$", "", base)
            for cand in (
                base,
                *(stem + ext for ext in (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".tsx")),
                *(f"{base}/index{ext}" for ext in (".ts", ".js", ".mjs")),
            ):
                if cand.endswith(JS_SUFFIXES) and self.is_file(cand):
                    helper: ProgramFile | None = self.ctx.parse(cand, parse_program)
                    wrapper = helper.wrapper(call.name) if helper is not None else None
                    if wrapper is not None:
                        pc = wrapper_command(wrapper, call.values, call.location, call.name)
                        if pc is not None:
                            out.append(pc)
                    break
        return out

    def _source_twin(self, fs: _FS, ref: str) -> str | None:
        """`dist/scripts/migrate.js` (built output, not in the project) -> `scripts/migrate.ts`
        or `src/scripts/migrate.ts` when exactly that source exists."""
        m = re.match(r"^(?:\./)?(?:dist|build|out|lib)/(.+)\.(?:c|m)?js$", ref)
        if not m:
            return None
        stem = m.group(1)
        for cand in (f"{stem}.ts", f"src/{stem}.ts", f"{stem}.mts", f"src/{stem}.js"):
            rel = self.resolve(fs, cand)
            if rel is not None:
                return rel
        return None

    def follow_make(self, state: _PathState, argv: tuple[str, ...], at: _At) -> None:
        fs = at.fs
        names: list[str] = []
        k = 1
        while k < len(argv):
            w = argv[k]
            if w in ("-C", "--directory") and k + 1 < len(argv):
                fs = fs.chdir(argv[k + 1])
                k += 2
                continue
            if w in ("-f", "--file") and k + 1 < len(argv):
                k += 2
                continue
            if not w.startswith("-") and "=" not in w:
                names.append(w)
            k += 1
        rel = None
        for name in ("Makefile", "makefile", "GNUmakefile"):
            rel = self.resolve(fs, name)
            if rel is not None:
                break
        if rel is None:
            return
        mk = self.ctx.parse(rel, parse_makefile)
        if mk is None or not mk.targets:
            return
        if not names:
            names = [mk.targets[0].name]
        call_link = self.call_link(state, at)
        base = (*at.chain, *((call_link,) if call_link else ()))
        seen: set[str] = set()
        for name in names:
            self._follow_target(state, mk, name, base, at, seen)

    def _follow_target(
        self,
        state: _PathState,
        mk: Makefile,
        name: str,
        chain: tuple[Link, ...],
        at: _At,
        seen: set[str],
    ) -> None:
        if name in seen or len(seen) > 50:
            return
        seen.add(name)
        target = mk.target(name)
        if target is None:
            return
        for pre in target.prerequisites:
            if mk.target(pre) is not None:
                self._follow_target(state, mk, pre, chain, at, seen)
        link = Link("makefile-target", f"make {name}", target.location, len(chain))
        self.add_link(state, link)
        for recipe in target.recipes:
            parsed = self.shell_text(recipe.command, mk.path, recipe.line, recipe.location.column)
            self.follow_script(
                state, parsed, at._replace(chain=(*chain, link), depth=at.depth + 1), ()
            )

    def follow_turbo(self, state: _PathState, argv: tuple[str, ...], at: _At) -> None:
        """`turbo run a b --filter=web -- x` and `nx run web:a`, `nx run-many -t a -p web`,
        `nx a web`: the package scripts of those tasks (of the filtered packages)."""
        runs = task_runner_call(argv)
        if runs is None:
            return
        for task in runs.tasks:
            while (
                runs.tool == "nx" and ":" in task and not any(p.script(task) for p in self.packages)
            ):
                task = task.rsplit(":", 1)[0]  # nx: `target:configuration`
            self.follow_turbo_task(state, task, at, set(), runs.filters, runs.args)

    def follow_turbo_task(
        self,
        state: _PathState,
        task: str,
        at: _At,
        seen: set[str],
        filters: tuple[str, ...] = (),
        args: tuple[str, ...] = (),
    ) -> None:
        if task in seen or len(seen) > 30:
            return
        seen.add(task)
        for rel in self.ctx.files(FileKind.PLATFORM):
            if posixpath.basename(rel) != "turbo.json":
                continue
            pf = self.ctx.parse(rel, parse_platform)
            for t in pf.tasks if pf is not None else ():
                name = t.name.split("#", 1)[-1]
                if name != task:
                    continue
                for dep in t.depends_on:
                    dep_name = dep.lstrip("^").split("#", 1)[-1]
                    if not dep_name.startswith("$"):
                        self.follow_turbo_task(state, dep_name, at, seen)
        for pkg in self.packages:
            script = pkg.script(task)
            if script is None:
                continue
            if filters and not any(matches_workspace(pkg, f) for f in filters):
                continue
            link = Link(
                "package-script",
                f'{pkg.path} "{task}": {script.command}',
                script.location,
                len(at.chain),
            )
            self.add_link(state, link)
            parsed = self.package_script(pkg, script, args, at)
            self.follow_script(
                state,
                parsed,
                at._replace(chain=(*at.chain, link), fs=_FS(pkg.folder), depth=at.depth + 1),
                (),
            )

    # -- finishing a path -----------------------------------------------------------------------
    def finish(
        self,
        state: _PathState,
        name: str,
        *,
        compose_file: str | None = None,
        dockerfile: str | None = None,
        stage: str | None = None,
        argv: tuple[str, ...] = (),
        image: str | None = None,
        database: DatabaseUse | None = None,
        code_migration: CodeMigration | None = None,
    ) -> StartupPath:
        path = StartupPath(
            id=state.id,
            kind=state.kind,
            name=name,
            context=state.context,
            links=tuple(state.links),
            commands=tuple(state.steps),
            waits=tuple(state.waits),
            entry_scripts=tuple(state.entries),
            installs=tuple(state.installs),
            seeds=tuple(state.seeds),
            unresolved=tuple(state.unresolved),
            service=state.service,
            stack=state.stack,
            compose_file=compose_file,
            dockerfile=dockerfile,
            stage=stage,
            argv=argv,
            image=image,
            database=database,
            code_migration=code_migration,
        )
        self.paths.append(path)
        return path
