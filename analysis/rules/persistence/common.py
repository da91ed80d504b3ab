"""Rules of the persistence area: where database data lives (KD101-KD115, not KD111).

KD111 (destructive docker commands in scripts) belongs to the startup area.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.compose import DEFAULT_FILES, ComposeStack, compose_stacks, is_file
from analysis.facts.databases import Database, DataState, databases
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Related
from analysis.parsers.compose.records import (
    Mount,
    MountKind,
    Service,
    VolumeDecl,
    covers,
    normalize_target,
)
from analysis.parsers.dockerfile.parser import parse_dockerfile
from analysis.parsers.dockerfile.records import DockerfileFile, Stage
from analysis.parsers.dotenv_file import parse_dotenv
from analysis.parsers.prisma_config import parse_prisma_config
from analysis.parsers.prisma_schema.files import parse_prisma_schema
from analysis.records import dataclass
from analysis.secrets import mask_url
from analysis.sources import FileKind


def _finding(
    rule: str,
    message: str,
    location: Location,
    related: Iterable[Related] = (),
    key: str = "",
) -> Finding:
    return Finding(rule, BY_ID[rule].severity, message, location, tuple(related), key=key)


def _db_label(db: Database) -> str:
    image = (db.image or db.engine).split("@", 1)[0]
    return f"database service {db.service!r} ({image}, version {db.version})"


def _db_anchor(db: Database) -> Location:
    return db.image_location or db.location


def _image_related(db: Database) -> list[Related]:
    out: list[Related] = []
    if db.image_location is not None:
        out.append(Related(db.image_location, f"the image: {db.detected_by}"))
    if db.data_dir_location is not None:
        out.append(Related(db.data_dir_location, f"{db.data_dir_source} sets the data directory"))
    return out


def _where(image_volume: str | None) -> str:
    if image_volume is not None:
        return (
            f"the image's VOLUME {image_volume} keeps it in an anonymous volume, which a "
            "`down`/`up` cycle leaves behind: the new container starts empty"
        )
    return "it lives in the container's writable layer and is lost when the container is re-created"


# -- KD101-KD106 ---------------------------------------------------------------------------------
def check_data_directories(dbs: Iterable[Database]) -> Iterator[Finding]:
    """KD101-KD105, at most one per database, the most specific; KD106 for a bind mount."""
    for db in dbs:
        st = db.storage
        unknown = "" if db.version_known else f" (the major version is {db.version})"
        label = _db_label(db)
        if st.state is DataState.TMPFS and st.holder is not None:
            yield _finding(
                "KD105",
                f"{label}: tmpfs at {st.holder.target} holds the data directory {st.data_dir}; "
                f"every stop of the container deletes the database{unknown}",
                st.holder.location,
                _image_related(db),
            )
        elif st.state is DataState.PG18_PATH:
            old = next(m for m in st.meant if m.target == "/var/lib/postgresql/data")
            yield _finding(
                "KD103",
                f"{label}: postgres 18+ keeps its data in {st.data_dir} and declares its VOLUME "
                "at /var/lib/postgresql, so the mount at /var/lib/postgresql/data does not hold "
                "the data (a new stack writes to an anonymous volume; an old data mount makes "
                "the server refuse to start); mount the volume at /var/lib/postgresql, or set "
                "PGDATA=/var/lib/postgresql/data",
                old.location,
                _image_related(db),
            )
        elif st.state is DataState.WRONG_PATH:
            mount = st.meant[0]
            moved = (
                f" (set by {db.data_dir_source})" if db.data_dir_source != "image default" else ""
            )
            yield _finding(
                "KD102",
                f"{label}: {mount.label} is meant for the data, but the data directory "
                f"{st.data_dir}{moved} does not land on it: {_where(st.image_volume)}{unknown}",
                mount.location,
                _image_related(db),
            )
        elif st.state is DataState.ANONYMOUS and st.holder is not None:
            yield _finding(
                "KD104",
                f"{label}: the data directory {st.data_dir} sits on an anonymous volume "
                f"({st.holder.text}); `docker compose down` then `up` starts an empty database "
                f"and orphans the old data{unknown}",
                st.holder.location,
                _image_related(db),
            )
        elif st.state is DataState.NOT_PERSISTED:
            yield _finding(
                "KD101",
                f"{label}: no volume or bind mount covers its data directory {st.data_dir}; "
                f"{_where(st.image_volume)}{unknown}",
                _db_anchor(db),
                [Related(db.location, f"service {db.service!r}")]
                + [r for r in _image_related(db) if r.location != _db_anchor(db)],
            )
        elif (
            st.state is DataState.PERSISTED
            and st.holder is not None
            and st.holder.kind is MountKind.BIND
        ):
            yield _finding(
                "KD106",
                f"{label}: the host folder {st.holder.source} holds the data directory "
                f"{st.data_dir} (bind mount): file ownership, permissions and moving the "
                "project to another machine are now your job; a named volume avoids that",
                st.holder.location,
            )


# -- KD107 ------------------------------------------------------------------------------------------


# -- KD108 ------------------------------------------------------------------------------------------


# -- KD109 ------------------------------------------------------------------------------------------
def _volume_identity(stack: ComposeStack, m: Mount) -> tuple[str, str] | None:
    if m.kind is MountKind.VOLUME and m.source:
        decl = stack.volume(m.source)
        name = decl.explicit_name if decl is not None and decl.explicit_name else m.source
        return ("volume", name)
    if m.kind is MountKind.BIND and m.source:
        return ("bind", m.host_path or posixpath.normpath(m.source))
    return None


def _data_mounts(db: Database) -> list[Mount]:
    out: list[Mount] = []
    if db.storage.holder is not None:
        out.append(db.storage.holder)
    for m in db.storage.meant:
        if m not in out:
            out.append(m)
    return [m for m in out if not m.read_only]


# -- KD110 ------------------------------------------------------------------------------------------
def _data_volumes(
    stacks: Iterable[ComposeStack], dbs: tuple[Database, ...]
) -> dict[tuple[str, str], tuple[ComposeStack, list[tuple[Database, Mount]]]]:
    """Per (stack, volume name): the named volume that holds a database's data, or, when no
    mount holds it, the ones mounted for it at the wrong path (they name the volume meant to
    keep the data), with the databases and mounts that use each, in service order."""
    by_id = {s.id: s for s in stacks}
    out: dict[tuple[str, str], tuple[ComposeStack, list[tuple[Database, Mount]]]] = {}
    for db in dbs:
        stack = by_id.get(db.stack)
        if stack is None:
            continue
        holder = db.storage.holder
        for m in [holder] if holder is not None else db.storage.meant:
            if m.kind is not MountKind.VOLUME or not m.source:
                continue
            out.setdefault((stack.id, m.source), (stack, []))[1].append((db, m))
    return out


@dataclass(slots=True, frozen=True)
class DataVolume:
    """A named volume that holds (or is meant to hold) databases' data (KD110, KD114)."""

    source: str
    stack: ComposeStack
    decl: VolumeDecl | None
    users: list[tuple[Database, Mount]]

    @property
    def services(self) -> str:
        return _services(self.users)

    @property
    def mounts(self) -> list[Related]:
        return [Related(m.location, f"{db.service!r} mounts it here") for db, m in self.users]


def data_volumes(stacks: Iterable[ComposeStack], dbs: tuple[Database, ...]) -> Iterator[DataVolume]:
    for (_, source), (stack, users) in _data_volumes(stacks, dbs).items():
        yield DataVolume(source, stack, stack.volume(source), users)


def _services(users: list[tuple[Database, Mount]]) -> str:
    names = list(dict.fromkeys(db.service for db, _ in users))
    quoted = [repr(n) for n in names]
    if len(quoted) == 1:
        return f"database service {quoted[0]}"
    return f"database services {', '.join(quoted[:-1])} and {quoted[-1]}"


# -- KD112 ------------------------------------------------------------------------------------------
def _copies_context(parsed: DockerfileFile | None, target: str | None, rel: str) -> bool:
    """Whether the built stage copies `rel` (context-relative) from the build context."""
    if parsed is None:
        return True
    for stage in parsed.stages:
        for copy in stage.copies:
            if not copy.from_context:
                continue
            for src in copy.sources:
                s = posixpath.normpath(src.lstrip("/")) if src not in (".", "./") else "."
                if s in (".", "*") or rel == s or rel.startswith(s + "/"):
                    return True
    return False


# -- KD113 ------------------------------------------------------------------------------------------
def _sqlite_path(url: str) -> str | None:
    if not url.startswith("file:"):
        return None
    path = url[len("file:") :].split("?", 1)[0]
    if path.startswith("//"):
        path = path[2:]
        if not path.startswith("/"):
            path = "/" + path.split("/", 1)[-1] if "/" in path else path
    return path or None


def _container_paths(path: str, workdir: str, schema_dirs: Iterable[str]) -> list[str]:
    if path.startswith("/"):
        return [normalize_target(path)]
    out = [normalize_target(posixpath.join(d, path)) for d in schema_dirs]
    out.append(normalize_target(posixpath.join(workdir or "/", path)))
    return list(dict.fromkeys(out))


def _schema_dirs_in_container(
    ctx: Context, service: Service | None, context: str | None, workdir: str
) -> list[str]:
    out: list[str] = []
    for schema in ctx.files(FileKind.PRISMA_SCHEMA):
        folder = posixpath.dirname(schema)
        if service is not None:
            for m in service.mounts:
                if m.kind is MountKind.BIND and m.host_path is not None:
                    h = m.host_path
                    if h == "." or folder == h or folder.startswith(h + "/") or h == "":
                        rel = folder if h in (".", "") else posixpath.relpath(folder, h)
                        out.append(normalize_target(posixpath.join(m.target, rel)))
        if context is not None:
            if context in (".", ""):
                rel = folder or "."
            elif folder == context or folder.startswith(context + "/"):
                rel = posixpath.relpath(folder, context)
            else:
                continue
            out.append(normalize_target(posixpath.join(workdir or "/", rel)))
    return list(dict.fromkeys(out))


def _sqlite_urls_of_context(ctx: Context, context: str) -> list[tuple[str, Location, str]]:
    """`file:` URLs a build context carries: `.env*` files, literal schema URLs and
    `prisma.config.*` literals under the context."""
    out: list[tuple[str, Location, str]] = []
    prefix = "" if context in (".", "") else context + "/"
    for rel in ctx.files(FileKind.ENV):
        if not rel.startswith(prefix) or posixpath.basename(rel) not in (".env", ".env.production"):
            continue
        df = ctx.parse(rel, parse_dotenv)
        entry = df.get("DATABASE_URL") if df is not None else None
        if df is not None and entry is not None and entry.value and entry.value.startswith("file:"):
            out.append((entry.value, df.location(entry), rel))
    for rel in ctx.files(FileKind.PRISMA_SCHEMA):
        if not rel.startswith(prefix):
            continue
        schema = ctx.parse(rel, parse_prisma_schema)
        if schema is None:
            continue
        for ds in schema.datasources:
            url = ds.url
            if (
                url is not None
                and url.kind == "literal"
                and url.text.strip('"').startswith("file:")
            ):
                out.append((url.text.strip('"'), Location(rel, url.line, url.column), rel))
    for rel in ctx.files(FileKind.PRISMA_CONFIG):
        if not rel.startswith(prefix):
            continue
        cfg = ctx.parse(rel, parse_prisma_config)
        if cfg is None or cfg.url is None:
            continue
        value = cfg.url.value if cfg.url.kind == "literal" else cfg.url.default
        if value and value.startswith("file:"):
            out.append((value, Location(rel, cfg.url.line, cfg.url.column), rel))
    return out


def _stage_for(ctx: Context, service: Service) -> tuple[Stage | None, str | None]:
    build = service.build
    if build is None or build.dockerfile_path is None or not is_file(ctx, build.dockerfile_path):
        return None, None
    parsed = ctx.parse(build.dockerfile_path, parse_dockerfile)
    if parsed is None:
        return None, build.dockerfile_path
    return parsed.stage(build.target), build.dockerfile_path


def _stage_volumes(parsed: DockerfileFile, stage: Stage) -> list[str]:
    return [normalize_target(p) for st in parsed.chain(stage) for v in st.volumes for p in v.paths]


def _fly_mounts(ctx: Context, dockerfile: str) -> list[tuple[str, Location]]:
    """Volume mount destinations of the fly.toml files that deploy `dockerfile` (`[build]
    dockerfile`, else the Dockerfile beside fly.toml): Fly keeps these paths across deploys."""
    import tomllib

    out: list[tuple[str, Location]] = []
    for rel in ctx.files(FileKind.PLATFORM):
        if posixpath.basename(rel) != "fly.toml":
            continue
        src = ctx.source(rel)
        try:
            data = tomllib.loads(src.text) if src is not None else {}
        except tomllib.TOMLDecodeError:
            continue
        build = data.get("build")
        named = build.get("dockerfile") if isinstance(build, dict) else None
        folder = posixpath.dirname(rel)
        target = posixpath.normpath(
            posixpath.join(folder, named.lstrip("/") if isinstance(named, str) else "Dockerfile")
        )
        if target != dockerfile:
            continue
        mounts = data.get("mounts")
        for m in mounts if isinstance(mounts, list) else [mounts]:
            dest = m.get("destination") if isinstance(m, dict) else None
            if isinstance(dest, str) and dest.startswith("/"):
                line = (
                    next((i for i, t in enumerate(src.text.splitlines(), 1) if dest in t), 1)
                    if src is not None
                    else 1
                )
                out.append((normalize_target(dest), Location(rel, line)))
    return out


def _litefs_dirs(ctx: Context, dockerfile: str, stage: Stage, mounts: list[str]) -> list[str]:
    """LiteFS FUSE directories whose data directory lies on a mount: LiteFS keeps the SQLite
    files of its FUSE mount in `data.dir` (epic-stack: /litefs/data backed by /data/litefs on
    the Fly volume at /data)."""
    from analysis.parsers.yaml_import import yaml

    env = {v.name: v.expanded or "" for v in stage.effective_env}
    out: list[str] = []
    folder = posixpath.dirname(dockerfile)
    for rel in dict.fromkeys([posixpath.join(folder, "litefs.yml"), "litefs.yml"]):
        src = ctx.source(rel) if ctx.exists(rel) else None
        if src is None:
            continue
        try:
            data = yaml.safe_load(src.text)
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict):
            continue
        fuse, store = data.get("fuse"), data.get("data")
        fuse_dir = fuse.get("dir") if isinstance(fuse, dict) else None
        data_dir = store.get("dir") if isinstance(store, dict) else None
        if not isinstance(fuse_dir, str) or not isinstance(data_dir, str):
            continue
        name = fuse_dir.strip("${}")
        fuse_dir = env.get(name, fuse_dir) if fuse_dir.startswith("$") else fuse_dir
        if fuse_dir.startswith("/") and any(covers(m, normalize_target(data_dir)) for m in mounts):
            out.append(normalize_target(fuse_dir))
    return out


def _sqlite_in_images(ctx: Context, built: set[str]) -> Iterator[Finding]:
    """Dockerfiles no compose service builds (deployed as images): ENV DATABASE_URL=file:...,
    else a literal `file:` URL of a schema the image copies (shopify-app-remix)."""
    for rel in ctx.files(FileKind.DOCKERFILE):
        if rel in built:
            continue
        parsed = ctx.parse(rel, parse_dockerfile)
        stage = parsed.final_stage if parsed is not None else None
        if parsed is None or stage is None:
            continue
        volumes = _stage_volumes(parsed, stage)
        fly = _fly_mounts(ctx, rel)
        mounts = volumes + [m for m, _ in fly]
        mounts += _litefs_dirs(ctx, rel, stage, mounts)
        context = posixpath.dirname(rel) or "."
        schema_dirs = _schema_dirs_in_container(ctx, None, context, stage.workdir)
        urls: list[tuple[str, Location, str]] = []
        for var in stage.effective_env:
            if var.expanded and var.expanded.startswith("file:") and var.name.endswith("URL"):
                urls.append((var.expanded, Location(rel, var.line), "Dockerfile"))
        if not urls and not any(v.name.endswith("DATABASE_URL") for v in stage.effective_env):
            urls = _sqlite_urls_in_image(ctx, rel, context)
        for url, loc, origin in urls:
            path = _sqlite_path(url)
            if path is None:
                continue
            candidates = _container_paths(path, stage.workdir, schema_dirs)
            if any(covers(v, c) for v in mounts for c in candidates):
                continue
            source = "" if origin == "Dockerfile" else f" (from {origin}, which the image holds)"
            yield _finding(
                "KD113",
                f"{rel}: the SQLite database {mask_url(url)}{source} resolves to "
                f"{candidates[0]} in the image, and no VOLUME covers it: without a mount the "
                "file lives in the container's writable layer and every redeploy starts empty",
                loc,
                [] if origin == "Dockerfile" else [Related(Location(rel, 1), "the image")],
            )


def _sqlite_urls_in_image(
    ctx: Context, dockerfile: str, context: str
) -> list[tuple[str, Location, str]]:
    """An image no compose file runs and whose Dockerfile sets no DATABASE_URL: the `file:`
    URL its Prisma reads from the files the image holds (a `.env` the build copies in, the
    schema's literal URL, a `prisma.config.*` literal). None when a platform file of the
    project sets the URL or mounts a disk: the deploy decides, not the image."""
    for rel in ctx.files(FileKind.PLATFORM):
        src = ctx.source(rel)
        text = src.text if src is not None else ""
        if "DATABASE_URL" in text or "[mounts]" in text or "[[mounts]]" in text or "disk:" in text:
            return []
    from analysis.facts.images.builds import images

    image = next((i for i in ctx.fact(images) if i.dockerfile == dockerfile), None)
    if image is None or image.stage is None:
        return []
    in_image = {e.path for e in image.env_files if e.in_final_image and e.copied_by is not None}
    out: list[tuple[str, Location, str]] = []
    for url, loc, origin in _sqlite_urls_of_context(ctx, image.context or context):
        if origin.endswith(".prisma"):
            if origin in image.app_schemas:
                out.append((url, loc, origin))
        elif posixpath.basename(origin).startswith(".env"):
            if origin in in_image:
                out.append((url, loc, origin))
        elif image.copies_context:
            out.append((url, loc, origin))
    return out


# -- KD114 ------------------------------------------------------------------------------------------


# -- KD115 ------------------------------------------------------------------------------------------


# -- area -------------------------------------------------------------------------------------------


def data_directories_findings(ctx: Context) -> tuple[Finding, ...]:
    """The findings of `check_data_directories` (KD101, KD102, KD103, KD104, KD105, KD106 from one pass), memoized as a fact:
    each of those rules selects its own (see `analysis.rules.registry`)."""
    phantom = merged_only_stacks(ctx)
    jobs = client_jobs(ctx)
    return tuple(
        check_data_directories(
            d
            for d in ctx.fact(databases)
            if d.stack not in phantom and (d.stack, d.service) not in jobs
        )
    )


_CLIENT = lazy_compile(
    r"(?<![\w-])(psql|pg_dump|pg_restore|createdb|mysqldump|mongosh|redis-cli)\b"
)
_SERVER = lazy_compile(
    r"^\W*(?:exec\s+)?(?:\S*/)?(?:postgres|mysqld|mariadbd|mongod|redis-server|"
    r"docker-entrypoint\.sh)(?![\w-])"
)


def client_jobs(ctx: Context) -> frozenset[tuple[str, str]]:
    """Services on a database image whose command runs a client and no server (formbricks'
    hub-db-create: `sh -c "psql ... CREATE DATABASE hub"`, restart "no"): a one-shot job that
    keeps no data of its own."""
    out = set()
    for stack in ctx.fact(compose_stacks):
        for s in stack.services:
            text = " ".join(t.text for t in (s.command, s.entrypoint) if t is not None)
            if _CLIENT.search(text) and not _SERVER.match(text):
                out.add((stack.id, s.name))
    return frozenset(out)


def merged_only_stacks(ctx: Context) -> frozenset[str]:
    """Stacks of one base file that the project only runs merged into `-f` chains (timelines'
    docker-compose.common.yml, always with dev.yml or prod.yml, which add the data volume):
    its data is decided by those chains, whose own findings say it."""
    stacks = ctx.fact(compose_stacks)
    chained = {f for s in stacks if s.origin == "-f chain" and len(s.files) > 1 for f in s.files}
    return frozenset(
        s.id
        for s in stacks
        if s.origin == "single"
        and s.files[0] in chained
        and posixpath.basename(s.files[0]) not in DEFAULT_FILES
    )
