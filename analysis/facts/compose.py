"""Fact: the project's compose stacks, each merged and interpolated as `docker compose` does.

Which files make one stack (RULES.md, KD1xx):

- in a folder, the default file (`compose.yaml`, `compose.yml`, `docker-compose.yaml`,
  `docker-compose.yml`: the first that exists) merges with its override
  (`compose.override.yml`, `compose.override.yaml`, `docker-compose.override.yml`,
  `docker-compose.override.yaml`: the first that exists), or with the files that
  `COMPOSE_FILE` in the folder's `.env` lists;
- any other `<name>.override.<ext>` merges into its twin `<name>.<ext>` in the same folder;
- a chain `docker compose -f a.yml -f b.yml` found in a script, Makefile or package.json merges
  in that order (a file that only ever appears after the first `-f` is not a stack of its own);
- `include:` and `extends:` pull in what they name (read through `ctx.parse`, so they are
  analyzed files; their relative paths resolve against their own folder);
- every other compose file is a stack of its own.

Each file's tree is interpolated from the `.env` beside the stack's first file, then the trees
are merged with Compose's rules (`analysis.parsers.compose.merge.merge_trees`). Every value keeps the
location of the file and line that set it. Services get `container_env`: their `env_file`s
beneath their `environment:`, what the container really receives.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable
from dataclasses import field, replace

from analysis.context import Context, join, normalize
from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.parsers.compose.files import build_compose, parse_compose
from analysis.parsers.compose.merge import map_scalars, merge_trees, strip_reset, with_entry
from analysis.parsers.compose.nodes import YMap, YNode, YScalar
from analysis.parsers.compose.records import (
    ComposeFile,
    EnvVar,
    Service,
    Text,
    VolumeDecl,
    service_named,
)
from analysis.parsers.dotenv_file import DotenvFile, parse_dotenv
from analysis.parsers.interpolate import interpolate
from analysis.records import dataclass
from analysis.sources import FileKind, SourceFile

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_FILES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
ENV_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")
"""A missing `env_file:` whose `<name><suffix>` exists: keepdata reads the template's values
(a fresh checkout is run after copying it) and says so."""
MAX_DEPTH = 8
"""`include`/`extends` nesting deeper than this is not followed."""


@dataclass(slots=True, frozen=True)
class VariableRef:
    """One `${VAR}` use in a stack's files. `defined`: the `.env` beside the stack (or an
    `env_file` of the stack) gives it a value; `value_location`: where."""

    name: str
    location: Location
    operator: str
    defined: bool
    value_location: Location | None = None

    @property
    def has_default(self) -> bool:
        return self.operator in (":-", "-")

    @property
    def required(self) -> bool:
        return self.operator in (":?", "?")

    @property
    def undefined(self) -> bool:
        """KD406: no value, no default, no required marker."""
        return not self.defined and self.operator in ("", ":+", "+")


@dataclass(slots=True, frozen=True)
class MissingFile:
    """A file the stack names (include, extends, env_file) that does not exist."""

    path: str
    location: Location
    what: str
    required: bool = True


@dataclass(slots=True, frozen=True)
class ComposeStack:
    """One compose project: the files docker compose merges for it and the merged model.

    `files`: the compose files given to compose, in merge order; `pulled_in`: files read through
    `include`/`extends`; `origin`: how keepdata decided they go together ("default",
    "default+override", "override twin", "-f chain", "COMPOSE_FILE", "single") and
    `origin_location` where (the `-f` chain's line). `dotenv` is the `.env` beside the first
    file (its variables interpolate the files; `COMPOSE_PROJECT_NAME` there names the project).
    `root_name` is the analyzed folder's own name: the project name of a stack at the root.
    """

    id: str
    files: tuple[str, ...]
    pulled_in: tuple[str, ...]
    origin: str
    origin_location: Location | None
    project_dir: str
    name: Text | None
    dotenv: str | None
    dotenv_vars: tuple[EnvVar, ...]
    services: tuple[Service, ...]
    volumes: tuple[VolumeDecl, ...]
    variables: tuple[VariableRef, ...]
    missing: tuple[MissingFile, ...]
    tree: YMap | None
    root_name: str = ""
    _by_name: dict[str, Service] | None = field(default=None, init=False, repr=False, compare=False)

    def service(self, name: str) -> Service | None:
        return service_named(self, self.services, name)

    def volume(self, name: str) -> VolumeDecl | None:
        for v in self.volumes:
            if v.name == name:
                return v
        return None

    @property
    def all_files(self) -> tuple[str, ...]:
        return self.files + self.pulled_in

    def dotenv_var(self, name: str) -> EnvVar | None:
        for var in reversed(self.dotenv_vars):
            if var.name == name:
                return var
        return None

    @property
    def project_name(self) -> str:
        """The project name compose uses: top-level `name`, `COMPOSE_PROJECT_NAME`, else the
        folder's name (lowercased, as compose normalizes it)."""
        if self.name is not None and self.name.value:
            return self.name.value
        var = self.dotenv_var("COMPOSE_PROJECT_NAME")
        if var is not None and var.value:
            return var.value
        folder = posixpath.basename(self.project_dir) if self.project_dir else self.root_name
        folder = folder or "<root folder>"
        return re.sub(r"[^a-z0-9_-]", "", folder.lower()) or folder

    @property
    def project_name_pinned(self) -> bool:
        if self.name is not None and self.name.value:
            return True
        var = self.dotenv_var("COMPOSE_PROJECT_NAME")
        return var is not None and bool(var.value)

    @property
    def undefined_variables(self) -> tuple[VariableRef, ...]:
        return tuple(v for v in self.variables if v.undefined)


def _file_cache(ctx: Context) -> dict[str, bool]:
    """Per-run memo for `is_file` (seeded lazily; discovered files are known to exist)."""
    return {}


def _discovered(ctx: Context) -> frozenset[str]:
    return frozenset(p for p, _ in ctx.inventory.files)


def is_file(ctx: Context, rel: str | None) -> bool:
    """True when `rel` is a regular file inside the root (memoized for the run)."""
    if rel is None:
        return False
    cache = ctx.fact(_file_cache)
    hit = cache.get(rel)
    if hit is None:
        hit = rel in ctx.fact(_discovered) or (ctx.exists(rel) and not ctx.is_dir(rel))
        cache[rel] = hit
    return hit


# -- which files make one stack -----------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class _Plan:
    files: tuple[str, ...]
    origin: str
    origin_location: Location | None = None


@dataclass(slots=True, frozen=True)
class ComposeChain:
    """A `docker compose -f a -f b` found in a file: the files as written and the line."""

    files: tuple[str, ...]
    line: int


@dataclass(slots=True, frozen=True)
class ComposeChains:
    path: str
    chains: tuple[ComposeChain, ...]


_COMPOSE_CALL = lazy_compile(r"docker(?:-compose|\s+compose)\b(?P<args>[^\n;&|`)]*)")


def find_compose_chains(source: SourceFile) -> ComposeChains:
    """Every `docker compose ... -f X [-f Y]` in a script, Makefile or package.json."""
    chains: list[ComposeChain] = []
    text = source.text
    if "compose" not in text:
        return ComposeChains(source.path, ())
    for m in _COMPOSE_CALL.finditer(text):
        args = m.group("args").replace('\\"', '"')
        if "-f" not in args and "--file" not in args:
            continue
        try:
            words = shlex.split(args, comments=False, posix=True)
        except ValueError:
            words = args.split()
        files: list[str] = []
        i = 0
        while i < len(words):
            w = words[i]
            if w in ("-f", "--file") and i + 1 < len(words):
                files.append(words[i + 1])
                i += 2
                continue
            if w.startswith("--file="):
                files.append(w[len("--file=") :])
            elif w.startswith("-f") and len(w) > 2 and not w.startswith("--"):
                files.append(w[2:])
            elif not w.startswith("-"):
                break  # the subcommand: global options end here
            i += 1
        if files:
            line = text.count("\n", 0, m.start()) + 1
            chains.append(ComposeChain(tuple(files), line))
    return ComposeChains(source.path, tuple(chains))


def _chain_plans(ctx: Context, compose_files: set[str]) -> list[_Plan]:
    plans: list[_Plan] = []
    for rel in ctx.files(FileKind.SHELL, FileKind.MAKEFILE, FileKind.PACKAGE_JSON):
        found = ctx.parse(rel, find_compose_chains)
        if found is None:
            continue
        folder = posixpath.dirname(rel)
        for chain in found.chains:
            resolved: list[str] = []
            for name in chain.files:
                if "$" in name:
                    break
                candidates = [join(folder, name)]
                if folder:
                    candidates.append(normalize(name))
                hit = next((c for c in candidates if c is not None and c in compose_files), None)
                if hit is None:
                    hit = next((c for c in candidates if is_file(ctx, c)), None)
                if hit is None:
                    break
                resolved.append(hit)
            else:
                if resolved:
                    plans.append(_Plan(tuple(resolved), "-f chain", Location(rel, chain.line)))
    return plans


def _twin_base(name: str, present: set[str]) -> str | None:
    """`x.override.yml` -> `x.yml`/`x.yaml` when present in the same folder."""
    m = re.match(r"^(?P<stem>.+)\.override\.(?P<ext>ya?ml)$", name, re.IGNORECASE)
    if m is None:
        return None
    for ext in (m["ext"], "yml", "yaml"):
        candidate = f"{m['stem']}.{ext}"
        if candidate in present:
            return candidate
    return None


def plan_stacks(ctx: Context) -> list[_Plan]:
    files = ctx.files(FileKind.COMPOSE)
    compose_set = set(files)
    by_folder: dict[str, list[str]] = {}
    for rel in files:
        by_folder.setdefault(posixpath.dirname(rel), []).append(posixpath.basename(rel))
    plans: list[_Plan] = []
    for folder, names in sorted(by_folder.items()):
        present = set(names)
        used: set[str] = set()

        def full(name: str, folder: str = folder) -> str:
            return f"{folder}/{name}" if folder else name

        default = next((n for n in DEFAULT_FILES if n in present), None)
        if default is not None:
            used.add(default)
            override = next((n for n in OVERRIDE_FILES if n in present), None)
            env_chain = _compose_file_env(ctx, folder)
            if env_chain:
                plans.append(_Plan(env_chain, "COMPOSE_FILE"))
            elif override is not None:
                used.add(override)
                plans.append(_Plan((full(default), full(override)), "default+override"))
            else:
                plans.append(_Plan((full(default),), "default"))
        twins: dict[str, list[str]] = {}
        for name in sorted(present - used):
            base = _twin_base(name, present)
            if base is not None and base not in OVERRIDE_FILES and base != name:
                twins.setdefault(base, []).append(name)
        for name in sorted(present - used):
            if name in {t for ts in twins.values() for t in ts}:
                continue
            if name in twins:
                plans.append(_Plan((full(name), *(full(t) for t in twins[name])), "override twin"))
            else:
                plans.append(_Plan((full(name),), "single"))
    chains = _chain_plans(ctx, compose_set)
    # Files that only ever follow another in a chain are fragments, not stacks of their own.
    followers = {f for p in chains for f in p.files[1:]}
    leaders = {p.files[0] for p in chains}
    out: list[_Plan] = []
    seen: set[tuple[str, ...]] = set()
    for plan in plans:
        if (
            plan.origin == "single"
            and plan.files[0] in followers
            and plan.files[0] not in leaders
            and posixpath.basename(plan.files[0]) not in DEFAULT_FILES
        ):
            continue
        if plan.files not in seen:
            seen.add(plan.files)
            out.append(plan)
    for plan in chains:
        if len(plan.files) > 1 and plan.files not in seen:
            seen.add(plan.files)
            out.append(plan)
    return out


def _compose_file_env(ctx: Context, folder: str) -> tuple[str, ...]:
    env_path = join(folder, ".env")
    if not is_file(ctx, env_path):
        return ()
    assert env_path is not None
    dotenv = ctx.parse(env_path, parse_dotenv)
    entry = dotenv.get("COMPOSE_FILE") if dotenv is not None else None
    if entry is None or not entry.value:
        return ()
    sep = ";" if ";" in entry.value else ":"
    out: list[str] = []
    for name in entry.value.split(sep):
        rel = join(folder, name.strip())
        if rel is None or not is_file(ctx, rel):
            return ()
        out.append(rel)
    return tuple(out)


# -- building one stack -------------------------------------------------------------------------
class _StackBuilder:
    def __init__(self, ctx: Context, plan: _Plan) -> None:
        self.ctx = ctx
        self.plan = plan
        self.project_dir = posixpath.dirname(plan.files[0])
        self.base_dirs: dict[str, str] = {f: self.project_dir for f in plan.files}
        self.pulled: list[str] = []
        self.missing: list[MissingFile] = []
        self.refs: dict[tuple[str, int, int, str], VariableRef] = {}
        dotenv_path = join(self.project_dir, ".env")
        self.dotenv: DotenvFile | None = None
        if dotenv_path is not None and is_file(ctx, dotenv_path):
            self.dotenv = ctx.parse(dotenv_path, parse_dotenv)
        self.env: dict[str, str] = self.dotenv.values() if self.dotenv is not None else {}
        self.extra_defined: dict[str, Location] = {}
        self._trees: dict[tuple[str, int], YMap | None] = {}

    # files
    def parsed(self, rel: str) -> ComposeFile | None:
        if not is_file(self.ctx, rel):
            return None
        return self.ctx.parse(rel, parse_compose)

    def interpolated(self, rel: str, env: dict[str, str], env_id: int) -> YMap | None:
        key = (rel, env_id)
        if key in self._trees:
            return self._trees[key]
        parsed = self.parsed(rel)
        tree = parsed.root if parsed is not None else None
        if tree is not None:
            tree = self.interpolate_tree(tree, env)
        self._trees[key] = tree
        return tree

    def interpolate_tree(self, tree: YMap, env: dict[str, str]) -> YMap:
        refs = self.refs

        def fn(node: YScalar) -> YScalar:
            if "$" not in node.text:
                return node
            result = interpolate(node.text, env)
            loc = node.location
            for use in result.uses:
                key = (loc.path, loc.line, loc.column, use.name)
                if key not in refs:
                    refs[key] = VariableRef(use.name, loc, use.operator, use.defined)
            if result.value == node.text:
                return node
            return YScalar(result.value, loc, node.tag, node.raw or node.text)

        entries = []
        for k, v in tree.entries:
            if k.text.startswith("x-"):
                entries.append((k, v))
            else:
                entries.append((k, map_scalars(v, fn)))
        return YMap(tuple(entries), tree.location, tree.tag)

    # include
    def with_includes(self, rel: str, tree: YMap, depth: int) -> YMap:
        parsed = self.parsed(rel)
        if parsed is None or not parsed.includes or depth > MAX_DEPTH:
            return tree
        merged: YMap | None = None
        folder = posixpath.dirname(rel)
        for inc in parsed.includes:
            proj = inc.project_directory.value if inc.project_directory is not None else None
            for path in inc.paths:
                value = interpolate(path.value, self.env).value
                target = join(folder, value)
                if target is None or self.parsed(target) is None:
                    self.missing.append(MissingFile(value, path.location, "include"))
                    continue
                if target not in self.pulled and target not in self.plan.files:
                    self.pulled.append(target)
                inc_dir = join(folder, proj) if proj else posixpath.dirname(target)
                self.base_dirs[target] = inc_dir or ""
                env = self.include_env(inc_dir or "", inc.env_files, folder)
                sub = self.interpolated(target, env, id(env) if env is not self.env else 0)
                if sub is None:
                    continue
                sub = self.with_includes(target, sub, depth + 1)
                sub = with_entry(sub, "include", None)
                merged = sub if merged is None else _as_map(merge_trees(merged, sub))
        if merged is None:
            return tree
        return _as_map(merge_trees(merged, with_entry(tree, "include", None)))

    def include_env(
        self, inc_dir: str, env_files: Iterable[Text], including_dir: str
    ) -> dict[str, str]:
        paths = [join(including_dir, t.value) for t in env_files]
        if not paths:
            paths = [join(inc_dir, ".env")]
        env: dict[str, str] = {}
        for p in paths:
            if p is None or not is_file(self.ctx, p):
                continue
            df = self.ctx.parse(p, parse_dotenv)
            if df is not None:
                env.update(df.values())
        if not env:
            return self.env
        return {**env, **self.env}

    # extends
    def resolve_extends(self, tree: YMap, depth: int = 0) -> YMap:
        services = tree.get("services")
        if not isinstance(services, YMap):
            return tree
        if not any(isinstance(v, YMap) and "extends" in v for _, v in services.entries):
            return tree
        entries = []
        for k, v in services.entries:
            if isinstance(v, YMap) and "extends" in v:
                v = self.extend(k.text, v, services, depth, set())
            entries.append((k, v))
        return with_entry(tree, "services", YMap(tuple(entries), services.location, "map"))

    def extend(
        self, name: str, node: YMap, services: YMap, depth: int, seen: set[tuple[str, str]]
    ) -> YMap:
        ext = node.get("extends")
        local = with_entry(node, "extends", None)
        if ext is None or depth > MAX_DEPTH:
            return local
        base_name: str | None = None
        file_ref: YScalar | None = None
        if isinstance(ext, YScalar) and not ext.is_null:
            base_name = ext.text
        elif isinstance(ext, YMap):
            s = ext.get("service")
            base_name = s.text if isinstance(s, YScalar) else None
            f = ext.get("file")
            file_ref = f if isinstance(f, YScalar) and not f.is_null else None
        if base_name is None:
            return local
        if file_ref is not None:
            folder = posixpath.dirname(ext.location.path)
            target = join(folder, file_ref.text)
            base_tree = self.interpolated(target, self.env, 0) if target else None
            if target is None or base_tree is None:
                self.missing.append(MissingFile(file_ref.text, file_ref.location, "extends"))
                return local
            if target not in self.pulled and target not in self.plan.files:
                self.pulled.append(target)
                self.base_dirs[target] = posixpath.dirname(target)
            base_services = base_tree.get("services")
            origin = target
        else:
            base_services = services
            origin = ext.location.path
        if (origin, base_name) in seen:
            return local
        base = base_services.get(base_name) if isinstance(base_services, YMap) else None
        if not isinstance(base, YMap):
            self.missing.append(
                MissingFile(f"service {base_name}", ext.location, "extends service")
            )
            return local
        if "extends" in base and isinstance(base_services, YMap):
            base = self.extend(base_name, base, base_services, depth + 1, {*seen, (origin, name)})
        merged = merge_trees(base, local, ("services", name))
        return _as_map(merged)

    def build(self) -> ComposeStack:
        files = self.plan.files
        tree: YMap | None = None
        for rel in files:
            sub = self.interpolated(rel, self.env, 0)
            if sub is None:
                continue
            sub = self.with_includes(rel, sub, 0)
            tree = sub if tree is None else _as_map(merge_trees(tree, sub))
        if tree is not None:
            tree = self.resolve_extends(tree)
            tree = _as_map(strip_reset(tree))
        base_dirs = self.base_dirs
        project_dir = self.project_dir

        def base_dir(path: str) -> str:
            return base_dirs.get(path, posixpath.dirname(path) if path else project_dir)

        model = build_compose(files[0], tree, base_dir, [])
        env_files_vars = self.env_file_vars(model.services)
        services = tuple(self.with_container_env(s) for s in model.services)
        variables = self.variables(env_files_vars)
        dotenv_vars: tuple[EnvVar, ...] = ()
        if self.dotenv is not None:
            dotenv_vars = tuple(
                EnvVar(
                    e.key,
                    self.env.get(e.key, e.value),
                    self.dotenv.location(e),
                    e.value,
                    "dotenv",
                )
                for e in self.dotenv.entries
            )
        return ComposeStack(
            id="+".join(files),
            files=files,
            pulled_in=tuple(self.pulled),
            origin=self.plan.origin,
            origin_location=self.plan.origin_location,
            project_dir=project_dir,
            name=model.name,
            dotenv=self.dotenv.path if self.dotenv is not None else None,
            dotenv_vars=dotenv_vars,
            services=services,
            volumes=model.volumes,
            variables=variables,
            missing=tuple(self.missing),
            tree=tree,
            root_name=self.ctx.root.name,
        )

    def env_file_vars(self, services: Iterable[Service]) -> dict[str, Location]:
        out: dict[str, Location] = {}
        for s in services:
            for ref in s.env_files:
                df = self.read_env_file(ref.resolved) or self.read_env_file(
                    self.env_template(ref.resolved)
                )
                if df is None:
                    continue
                for e in df.entries:
                    if e.value is not None:
                        out.setdefault(e.key, df.location(e))
        return out

    def read_env_file(self, rel: str | None) -> DotenvFile | None:
        if rel is None or not is_file(self.ctx, rel):
            return None
        return self.ctx.parse(rel, parse_dotenv)

    def env_template(self, rel: str | None) -> str | None:
        """The template of a missing env file (`.env.example` for `.env`), when it exists."""
        if rel is None or is_file(self.ctx, rel):
            return None
        for suffix in ENV_TEMPLATE_SUFFIXES:
            if is_file(self.ctx, rel + suffix):
                return rel + suffix
        return None

    def with_container_env(self, service: Service) -> Service:
        container: list[EnvVar] = []
        for ref in service.env_files:
            df = self.read_env_file(ref.resolved)
            if df is None:
                template = self.env_template(ref.resolved)
                if ref.required:
                    what = (
                        "env_file"
                        if template is None
                        else f"env_file (its template {template} defines its variables)"
                    )
                    self.missing.append(MissingFile(ref.path, ref.location, what))
                continue
            values = df.values(None)
            for e in df.entries:
                value = values.get(e.key)
                if e.value is None:
                    value = self.env.get(e.key)
                container.append(EnvVar(e.key, value, df.location(e), e.value, "env_file"))
        for var in service.environment:
            if var.value is None and var.name in self.env:
                var = replace(var, value=self.env[var.name])
            container.append(var)
        return replace(service, container_env=tuple(container))

    def variables(self, env_file_vars: dict[str, Location]) -> tuple[VariableRef, ...]:
        out: list[VariableRef] = []
        for ref in self.refs.values():
            value_loc: Location | None = None
            defined = ref.defined
            if self.dotenv is not None:
                entry = self.dotenv.get(ref.name)
                if entry is not None:
                    value_loc = self.dotenv.location(entry)
            if not defined and ref.name in env_file_vars:
                defined = True
                value_loc = env_file_vars[ref.name]
            out.append(replace(ref, defined=defined, value_location=value_loc))
        out.sort(key=lambda r: (r.location.path, r.location.line, r.location.column, r.name))
        return tuple(out)


def _as_map(node: YNode) -> YMap:
    if isinstance(node, YMap):
        return node
    return YMap((), node.location)


def compose_stacks(ctx: Context) -> tuple[ComposeStack, ...]:
    """Fact: every compose stack of the project (see the module docstring)."""
    stacks = [_StackBuilder(ctx, plan).build() for plan in plan_stacks(ctx)]
    pulled = {f for s in stacks for f in s.pulled_in}
    return tuple(
        s
        for s in stacks
        if not (
            s.origin == "single"
            and s.files[0] in pulled
            and posixpath.basename(s.files[0]) not in DEFAULT_FILES
        )
    )
