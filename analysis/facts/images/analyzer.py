"""One image's analysis: its COPY steps, the Prisma commands its build and its start run,
node_modules, migrations, schemas and `.env` files."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from analysis.context import Context
from analysis.discover import classify as _classify
from analysis.facts.images.commands import find_prisma_commands
from analysis.facts.images.copies import _abs_source, _context_source, _Resolver, _stages_used
from analysis.facts.images.env_files import env_file_mentions
from analysis.facts.images.inputs import _present
from analysis.facts.images.packages import (
    _PM,
    _PM_BUILTINS,
    _RUN_SCRIPT,
    PackageInfo,
    find_installs,
    read_package_info,
)
from analysis.facts.images.records import (
    EXAMPLE_ENV_SUFFIXES,
    CopyStep,
    EnvFileInContext,
    Image,
    MigrationsInImage,
    NodeModules,
    PrismaCommand,
)
from analysis.model import Location, Related
from analysis.parsers.dockerfile.records import Copy, DockerfileFile, Run, Stage
from analysis.parsers.dockerignore import DockerIgnore, IgnorePattern
from analysis.sources import FileKind


def _env_at(df: DockerfileFile, stage: Stage, line: int) -> dict[str, str | None]:
    env: dict[str, str | None] = {}
    if stage.parent is not None:
        for v in df.stages[stage.parent].effective_env:
            env[v.name] = v.expanded
    for v in sorted((*stage.args, *stage.env), key=lambda v: v.line):
        if v.line < line and (v.keyword == "ENV" or v.name not in env or v.expanded is not None):
            env[v.name] = v.expanded
    return env


class _Analyzer:
    def __init__(
        self,
        ctx: Context,
        base: Image,
        df: DockerfileFile,
        stage: Stage,
        ignore: DockerIgnore | None,
    ) -> None:
        self.ctx = ctx
        self.base = base
        self.df = df
        self.stage = stage
        self.ignore = ignore
        self.resolver = _Resolver(df, ignore)
        self.used = _stages_used(df, stage)
        self.final_chain = tuple(s.index for s in df.chain(stage))
        self.context_files = self._context_files()
        self._packages: dict[str, PackageInfo | None] = {}
        self._pkg: object = _UNSET

    # -- inputs
    def rel(self, root_rel: str) -> str | None:
        return self.base.rel_in_context(root_rel)

    def root_rel(self, context_rel: str) -> str:
        c = self.base.context
        return context_rel if c in ("", ".") else posixpath.normpath(f"{c}/{context_rel}")

    def _context_files(self) -> dict[FileKind, tuple[str, ...]]:
        out: dict[FileKind, tuple[str, ...]] = {}
        for kind in (
            FileKind.PRISMA_SCHEMA,
            FileKind.MIGRATION_SQL,
            FileKind.ENV,
            FileKind.PACKAGE_JSON,
        ):
            out[kind] = tuple(p for p in self.ctx.files(kind) if self.rel(p) not in (None, "."))
        return out

    def loc(self, line: int) -> Location:
        return Location(self.df.path, line)

    def package(self, root_rel: str) -> PackageInfo | None:
        if root_rel not in self._packages:
            self._packages[root_rel] = (
                self.ctx.parse(root_rel, read_package_info)
                if _present(self.ctx, root_rel, FileKind.PACKAGE_JSON)
                else None
            )
        return self._packages[root_rel]

    def package_at(self, stage: Stage, line: int, folder: str) -> PackageInfo | None:
        """The package.json that is at `folder/package.json` in `stage` before `line`."""
        want = posixpath.normpath(posixpath.join(folder, "package.json"))
        for root_rel in self.context_files[FileKind.PACKAGE_JSON]:
            rel = self.rel(root_rel)
            if rel is None:
                continue
            for path, _ in self.resolver.landings(stage.index, rel, line):
                if path == want:
                    return self.package(root_rel)
        return None

    def schema_present(self, stage: Stage, line: int | None) -> bool:
        for root_rel in self.context_files[FileKind.PRISMA_SCHEMA]:
            rel = self.rel(root_rel)
            if rel is not None and self.resolver.landings(stage.index, rel, line):
                return True
        return False

    # -- the record
    def build(self, target_missing: bool) -> Image:
        copies = self._copies()
        prisma = tuple(self._prisma_commands())
        context_copy = next(
            (
                c.location
                for c in copies
                if c.origin == "context" and any(_context_source(s) == "." for s in c.copy.sources)
            ),
            None,
        )
        schemas = self.context_files[FileKind.PRISMA_SCHEMA]
        schemas_in_image = tuple(s for s in schemas if self._in_final(s))
        app = self.app_paths(schemas)
        app_schemas = tuple(s for s in schemas if s in app)
        return Image(
            dockerfile=self.base.dockerfile,
            context=self.base.context,
            target=self.base.target,
            uses=self.base.uses,
            file=self.df,
            dockerignore_path=self.base.dockerignore_path,
            dockerignore=self.ignore,
            stage=self.stage,
            stages_used=self.used,
            copies=copies,
            prisma=prisma,
            node_modules=self._node_modules(self.stage, None, 0),
            migrations=self._migrations(),
            schemas=schemas,
            schemas_in_image=schemas_in_image,
            app_schemas=app_schemas,
            env_files=self._env_files(),
            copies_context=context_copy is not None,
            context_copy=context_copy,
            target_missing=target_missing,
        )

    def _in_final(self, root_rel: str) -> bool:
        rel = self.rel(root_rel)
        return rel is not None and bool(self.resolver.landings(self.stage.index, rel))

    def _copies(self) -> tuple[CopyStep, ...]:
        out: list[CopyStep] = []
        for idx in self.used:
            st = self.df.stages[idx]
            for c in st.copies:
                if c.heredocs:
                    origin, from_idx = "heredoc", None
                elif c.from_stage is None:
                    origin, from_idx = "context", None
                else:
                    src = self.df.stage_by_ref(c.from_stage)
                    origin = "stage" if src is not None else "image"
                    from_idx = src.index if src is not None else None
                out.append(
                    CopyStep(
                        idx,
                        c,
                        origin,
                        from_idx,
                        self.loc(c.line),
                        idx in self.final_chain,
                    )
                )
        return tuple(out)

    # -- prisma during the build
    def _prisma_commands(self) -> Iterator[PrismaCommand]:
        for st in self.df.stages:
            in_final = st.index in self.used
            for run in st.runs:
                yield from self._run_prisma(st, run, in_final)

    def _run_prisma(self, st: Stage, run: Run, in_final: bool) -> Iterator[PrismaCommand]:
        script = run.script
        run_loc = self.loc(run.line)
        present: bool | None = None

        def schema_here() -> bool:
            nonlocal present
            if present is None:
                present = self.schema_present(st, run.line)
            return present

        for found in find_prisma_commands(script):
            yield PrismaCommand(
                found.command,
                found.text,
                found.flags,
                self.loc(run.line_at(found.offset)),
                run_loc,
                st.index,
                (),
                schema_here(),
                False,
                in_final,
            )
        pkg = None
        needs_pkg = _RUN_SCRIPT.search(script) is not None or _PM.search(script) is not None
        if needs_pkg:
            pkg = self.package_at(st, run.line, run.workdir)
        if pkg is None:
            return
        for m in _RUN_SCRIPT.finditer(script):
            name = m["name"]
            if name in _PM_BUILTINS:
                continue
            link = Related(self.loc(run.line_at(m.start())), f"`{m.group(0).strip()}`")
            yield from self._script_prisma(pkg, name, st, run, in_final, (link,), 0, schema_here)
        env = _env_at(self.df, st, run.line)
        for inst in find_installs(script, env):
            if inst.kind != "install" or inst.ignore_scripts:
                continue
            link = Related(self.loc(run.line_at(inst.offset)), f"`{inst.text}`")
            for hook in ("preinstall", "install", "postinstall", "prepare"):
                if pkg.script(hook) is not None:
                    yield from self._script_prisma(
                        pkg, hook, st, run, in_final, (link,), 0, schema_here
                    )
            if "@prisma/client" in pkg.dependencies + pkg.dev_dependencies and schema_here():
                # @prisma/client's own install hook generates the client when it finds a schema
                yield PrismaCommand(
                    "generate",
                    f"{inst.text} (@prisma/client install hook)",
                    (),
                    self.loc(run.line_at(inst.offset)),
                    run_loc,
                    st.index,
                    (),
                    True,
                    True,
                    in_final,
                )

    def _script_prisma(
        self,
        pkg: PackageInfo,
        name: str,
        st: Stage,
        run: Run,
        in_final: bool,
        via: tuple[Related, ...],
        depth: int,
        schema_here: Callable[[], bool],
    ) -> Iterator[PrismaCommand]:
        if depth > 6:
            return
        names = [name]
        for pre in ("pre" + name, "post" + name):
            if pkg.script(pre) is not None and not name.startswith(("pre", "post")):
                names.append(pre)
        for n in names:
            script = pkg.script(n)
            if script is None:
                continue
            here = Location(pkg.path, script.line)
            chain = (*via, Related(here, f'package.json script "{n}": `{script.command}`'))
            for found in find_prisma_commands(script.command):
                yield PrismaCommand(
                    found.command,
                    found.text,
                    found.flags,
                    here,
                    self.loc(run.line),
                    st.index,
                    chain,
                    schema_here(),
                    False,
                    in_final,
                )
            for m in _RUN_SCRIPT.finditer(script.command):
                if m["name"] in _PM_BUILTINS or m["name"] == n:
                    continue
                yield from self._script_prisma(
                    pkg, m["name"], st, run, in_final, chain, depth + 1, schema_here
                )

    # -- node_modules
    def _node_modules(self, stage: Stage, before: int | None, depth: int) -> NodeModules:
        state = NodeModules(False, None, "none")
        if depth > 16:
            return state
        if stage.parent is not None:
            state = self._node_modules(self.df.stages[stage.parent], None, depth + 1)
        events: list[tuple[int, Run | Copy]] = [(r.line, r) for r in stage.runs]
        events += [(c.line, c) for c in stage.copies]
        events.sort(key=lambda e: e[0])
        for line, item in events:
            if before is not None and line >= before:
                break
            if isinstance(item, Run):
                env = _env_at(self.df, stage, item.line)
                for inst in find_installs(item.script, env):
                    if inst.kind == "deploy":
                        continue
                    loc = self.loc(item.line_at(inst.offset))
                    if inst.kind == "prune":
                        if inst.dev_omitted and state.present:
                            pkg = self.package_at(stage, item.line, item.workdir)
                            state = NodeModules(True, False, inst.text, loc, _cli(pkg, False))
                        continue
                    pkg = self.package_at(stage, item.line, item.workdir)
                    dev = not inst.dev_omitted
                    state = NodeModules(True, dev, inst.text, loc, _cli(pkg, dev))
            else:
                state = self._copied_node_modules(stage, item, state, depth)
        return state

    def _copied_node_modules(
        self, stage: Stage, copy: Copy, state: NodeModules, depth: int
    ) -> NodeModules:
        loc = self.loc(copy.line)
        if copy.from_stage is not None:
            src_stage = self.df.stage_by_ref(copy.from_stage)
            for src in copy.sources:
                s = "/" + _abs_source(src).lstrip("/")
                direct = s.endswith("/node_modules")
                if not direct and "/node_modules/" in s:
                    # single packages (`/app/node_modules/prisma`): the rest is unknown
                    origin = src_stage.label if src_stage is not None else copy.from_stage
                    cli = True if s.endswith("/node_modules/prisma") else state.prisma_cli
                    return NodeModules(
                        True,
                        state.dev_dependencies,
                        f"{src} copied from {origin}",
                        loc,
                        cli,
                    )
                if src_stage is None:
                    if direct:
                        return NodeModules(True, None, f"copied from image {copy.from_stage}", loc)
                    continue
                if not direct and not _holds_node_modules(src_stage, s):
                    continue
                nm = self._node_modules(src_stage, None, depth + 1)
                if nm.present:
                    what = "node_modules" if direct else f"{src} (with its node_modules)"
                    return NodeModules(
                        True,
                        nm.dev_dependencies,
                        f"{what} copied from {src_stage.label} ({nm.how})",
                        loc,
                        nm.prisma_cli,
                    )
            return state
        # from the build context: the host's node_modules, when it is there and not ignored
        for src in copy.sources:
            s = _context_source(src)
            nm_rel = "node_modules" if s == "." else (s if s.endswith("node_modules") else None)
            if nm_rel is None:
                continue
            if self.ctx.is_dir(self.root_rel(nm_rel)) and not (
                self.ignore is not None and self.ignore.excluded(nm_rel)
            ):
                pkg = self.package(self.root_rel("package.json"))
                return NodeModules(
                    True,
                    True,
                    "the host's node_modules, copied from the build context",
                    loc,
                    _cli(pkg, True),
                )
        return state

    # -- migrations, env files
    def _migrations(self) -> tuple[MigrationsInImage, ...]:
        folders: dict[str, list[str]] = {}
        for root_rel in self.context_files[FileKind.MIGRATION_SQL]:
            folder = _grandparent(root_rel)
            folders.setdefault(folder, []).append(root_rel)
        out: list[MigrationsInImage] = []
        for folder, files in sorted(folders.items()):
            in_image = 0
            image_path: str | None = None
            ignored_by: IgnorePattern | None = None
            copy_loc: Location | None = None
            for root_rel in files:
                rel = self.rel(root_rel)
                if rel is None:
                    continue
                if self.ignore is not None:
                    excluded, pat = self.ignore.decide(rel)
                    if excluded:
                        ignored_by = ignored_by or pat
                        continue
                lands = self.resolver.landings(self.stage.index, rel)
                if lands:
                    in_image += 1
                    if image_path is None:
                        path, copy = lands[0]
                        image_path = posixpath.dirname(posixpath.dirname(path))
                        copy_loc = self.loc(copy.line)
            out.append(
                MigrationsInImage(folder, len(files), in_image, image_path, ignored_by, copy_loc)
            )
        return self._mark_belonging(out)

    def _nearest_package(self, folder: str) -> str | None:
        packages = set(self.context_files[FileKind.PACKAGE_JSON])
        top = self.base.context if self.base.context not in ("", ".") else ""
        cur = folder
        while True:
            candidate = f"{cur}/package.json" if cur else "package.json"
            if candidate in packages:
                return candidate
            if cur in ("", ".", top):
                return None
            cur = posixpath.dirname(cur)

    def app_paths(self, paths: Iterable[str]) -> set[str]:
        """Of `paths` (folders or files), those of the image's own app: whose nearest
        package.json is the one the final stage installs from, else the shallowest."""
        items = list(paths)
        if len(items) < 2:
            return set(items)
        st = self.stage
        if self._pkg is _UNSET:
            self._pkg = self.package_at(st, 10**9, st.workdir)
        app = self._pkg if isinstance(self._pkg, PackageInfo) else None
        nearest = {p: self._nearest_package(posixpath.dirname(p)) for p in items}
        if app is not None and any(n == app.path for n in nearest.values()):
            kept = {p for p, n in nearest.items() if n == app.path}
            # Prisma's default place beside that package.json wins over other schemas below it
            home = posixpath.dirname(app.path)
            prefix = f"{home}/prisma/" if home else "prisma/"
            default = {p for p in kept if p.startswith(prefix)}
            return default or kept
        depth = min(p.count("/") for p in items)
        return {p for p in items if p.count("/") == depth}

    def _mark_belonging(self, found: list[MigrationsInImage]) -> tuple[MigrationsInImage, ...]:
        keep = self.app_paths(m.folder + "/x" for m in found)
        return tuple(m if m.folder + "/x" in keep else replace(m, belongs=False) for m in found)

    def _absent_named(self, present: set[str]) -> list[tuple[str, Location, str]]:
        """Env files the checkout lacks but the project names, with where and how: templates
        (`.env.example` -> `.env`), compose `env_file:` of the services that build this image,
        and `.env.local` / `.env.production` where a file of the project spells them."""
        found: list[tuple[str, Location, str]] = []

        def add(root_rel: str | None, at: Location, how: str) -> None:
            if root_rel is None or root_rel in present or self.rel(root_rel) in (None, "."):
                return
            present.add(root_rel)
            found.append((root_rel, at, how))

        for root_rel in self.context_files[FileKind.ENV]:
            # a template names the file developers create from it (`.env.example` -> `.env`)
            base = posixpath.basename(root_rel)
            for suffix in EXAMPLE_ENV_SUFFIXES:
                if base.lower().endswith(suffix) and base.lower() != suffix:
                    twin = posixpath.join(posixpath.dirname(root_rel), base[: -len(suffix)])
                    if posixpath.basename(twin).startswith(".env"):
                        add(twin, Location(root_rel, 1), "template")
                    break
        for use in self.base.uses:
            for root_rel, at in use.env_files:
                if _classify(root_rel) == FileKind.ENV:
                    add(posixpath.normpath(root_rel), at, "env_file")
        top = self.base.context if self.base.context not in ("", ".") else ""
        for name, at, kind in self.ctx.fact(env_file_mentions):
            # where the mention means: a Dockerfile's paths are in its build context (only this
            # image's own counts), compose and package.json paths beside the file, a script's at
            # the project root (where scripts are usually run from; its own folder is a guess)
            if kind == FileKind.DOCKERFILE:
                folders = [top] if at.path == self.df.path else []
            else:
                folders = [""] if kind == FileKind.SHELL else [posixpath.dirname(at.path)]
            for folder in dict.fromkeys(folders):
                where = posixpath.normpath(posixpath.join(folder, name))
                if not where.startswith("../"):
                    add(where, at, "mention")
        return found

    def _env_files(self) -> tuple[EnvFileInContext, ...]:
        out: list[EnvFileInContext] = []
        present = set(self.context_files[FileKind.ENV])
        named: list[tuple[str, Location | None, str]] = [
            (r, None, "") for r in self.context_files[FileKind.ENV]
        ]
        named += self._absent_named(present)
        for root_rel, named_at, named_as in named:
            name = posixpath.basename(root_rel).lower()
            if name.endswith(EXAMPLE_ENV_SUFFIXES):
                continue
            rel = self.rel(root_rel)
            if rel is None:
                continue
            excluded_by: IgnorePattern | None = None
            reincluded_by: IgnorePattern | None = None
            reaches = True
            if self.ignore is not None:
                excluded, pat = self.ignore.decide(rel)
                if excluded:
                    reaches = False
                    excluded_by = pat
                elif pat is not None and pat.negated:
                    reincluded_by = pat
            copied_by: Location | None = None
            copied_into: str | None = None
            in_final = False
            if reaches:
                for idx in self.used:
                    lands = self.resolver.landings(idx, rel)
                    if lands and (copied_by is None or idx == self.stage.index):
                        copied_by = self.loc(lands[0][1].line)
                        copied_into = self.df.stages[idx].label
                    if lands and idx == self.stage.index:
                        in_final = True
            out.append(
                EnvFileInContext(
                    root_rel,
                    reaches,
                    excluded_by,
                    reincluded_by,
                    copied_by,
                    in_final,
                    copied_into,
                    named_at.path if named_at is not None else "",
                    named_at.line if named_at is not None else 1,
                    named_as,
                )
            )
        return tuple(out)


def _cli(pkg: PackageInfo | None, dev_installed: bool | None) -> bool | None:
    """Whether node_modules installed from `pkg` holds the `prisma` CLI package."""
    if pkg is None:
        return None
    if "prisma" in pkg.dependencies:
        return True
    if "prisma" in pkg.dev_dependencies:
        return dev_installed
    return False


def _holds_node_modules(stage: Stage, folder: str) -> bool:
    """Whether `folder` of `stage` holds its node_modules (the install ran in it or below)."""
    folder = folder.rstrip("/") or "/"
    for run in stage.runs:
        if _PM.search(run.script):
            wd = run.workdir
            if folder == "/" or wd == folder or wd.startswith(folder + "/"):
                return True
    return any(
        c.target == folder + "/node_modules" or c.target.startswith(folder + "/node_modules")
        for c in stage.copies
    )


_UNSET = object()


def _grandparent(path: str) -> str:
    """`posixpath.dirname(posixpath.dirname(path))` for a root-relative path (no leading or
    doubled slash): `prisma/migrations/20240101_init/migration.sql` -> `prisma/migrations`.
    Asked once per migration file of each image: string slicing, not two calls."""
    cut = path.rfind("/")
    if cut <= 0:
        return ""
    cut = path.rfind("/", 0, cut)
    return path[:cut] if cut > 0 else ""
