"""Rules of the environment area: passwords, published ports, connection URLs, `.env` files
and compose variables (KD401-KD407)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.facts.databases import Database, databases
from analysis.gitread import git_dir_of, tracked_paths
from analysis.model import Finding, Location, Related
from analysis.parsers.compose import EnvVar, Service
from analysis.parsers.dotenv_file import DotenvEntry, parse_dotenv
from analysis.parsers.gitignore import gitignore_matcher
from analysis.parsers.interpolate import interpolate, variables
from analysis.secrets import mask_url
from analysis.sources import FileKind

PASSWORD_KEYS = frozenset(
    {
        "POSTGRES_PASSWORD",
        "POSTGRESQL_PASSWORD",
        "POSTGRESQL_POSTGRES_PASSWORD",
        "PGPASSWORD",
        "MYSQL_PASSWORD",
        "MYSQL_ROOT_PASSWORD",
        "MARIADB_PASSWORD",
        "MARIADB_ROOT_PASSWORD",
        "MONGO_INITDB_ROOT_PASSWORD",
        "MONGODB_ROOT_PASSWORD",
        "MONGODB_PASSWORD",
        "MSSQL_SA_PASSWORD",
        "SA_PASSWORD",
        "REDIS_PASSWORD",
        "DB_PASSWORD",
        "DATABASE_PASSWORD",
    }
)
_DB_PASSWORD_NAME = re.compile(
    r"^(?:DB|DATABASE|PG|POSTGRES(?:QL)?|MYSQL|MARIADB|MONGO(?:DB)?|MSSQL|REDIS)[A-Z0-9_]*PASSWORD$"
)
WEAK_PASSWORDS = frozenset(
    {
        "postgres",
        "postgresql",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "pass",
        "root",
        "toor",
        "admin",
        "admin123",
        "administrator",
        "example",
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "secret",
        "123456",
        "1234567",
        "12345678",
        "123456789",
        "1234",
        "12345",
        "qwerty",
        "letmein",
        "test",
        "test123",
        "testing",
        "mysql",
        "mongo",
        "mongodb",
        "redis",
        "default",
        "prisma",
        "docker",
        "db",
        "database",
        "user",
        "dev",
        "development",
        "local",
        "sa",
        "pg",
        "app",
        "mypassword",
        "yourpassword",
        "your_password",
        "supersecret",
    }
)
DB_SCHEMES = frozenset(
    {
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "mongodb",
        "mongodb+srv",
        "sqlserver",
        "redis",
        "rediss",
        "cockroachdb",
        "prisma+postgres",
    }
)
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]"})
_URL_IN_TEXT = re.compile(r"(?P<url>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"]+)")


def _finding(
    rule: str, message: str, location: Location, related: Iterable[Related] = ()
) -> Finding:
    return Finding(rule, BY_ID[rule].severity, message, location, tuple(related))


def is_password_key(name: str) -> bool:
    return name in PASSWORD_KEYS or _DB_PASSWORD_NAME.match(name) is not None


def is_url_key(name: str) -> bool:
    up = name.upper()
    return up.endswith(("_URL", "_URI", "_DSN")) or up in ("DATABASE_URL", "DB_URL", "DSN")


@dataclass(slots=True, frozen=True)
class DbUrl:
    """A parsed database URL (credentials unquoted)."""

    scheme: str
    user: str | None
    password: str | None
    hosts: tuple[str, ...]
    database: str | None


def parse_db_url(value: str) -> DbUrl | None:
    if "://" not in value:
        return None
    scheme = value.split("://", 1)[0].lower()
    if scheme not in DB_SCHEMES:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    netloc = parts.netloc
    user = password = None
    if "@" in netloc:
        cred, _, hostpart = netloc.rpartition("@")
        if ":" in cred:
            u, _, p = cred.partition(":")
            user, password = unquote(u), unquote(p)
        else:
            user = unquote(cred)
    else:
        hostpart = netloc
    hosts: list[str] = []
    for h in hostpart.split(","):
        h = h.strip()
        if h.startswith("["):
            hosts.append(h[: h.find("]") + 1] if "]" in h else h)
        else:
            hosts.append(h.rsplit(":", 1)[0] if h.count(":") == 1 else h)
    database = parts.path.lstrip("/") or None
    return DbUrl(scheme, user, password, tuple(hosts), unquote(database) if database else None)


def _url_password_literal(raw: str) -> bool:
    """True when a URL as written in compose carries a literal (non-variable) password."""
    for m in _URL_IN_TEXT.finditer(raw):
        url = m.group("url")
        scheme = url.split("://", 1)[0].lower()
        if scheme not in DB_SCHEMES:
            continue
        netloc = url.split("://", 1)[1].split("/", 1)[0]
        if "@" not in netloc:
            continue
        cred = netloc.rpartition("@")[0]
        if ":" not in cred:
            continue
        password = cred.partition(":")[2]
        if password and "$" not in password.replace("$$", ""):
            return True
    return False


# -- KD401 ------------------------------------------------------------------------------------------
def check_hardcoded_passwords(stacks: Iterable[ComposeStack]) -> Iterator[Finding]:
    for stack in stacks:
        env = {v.name: v.value or "" for v in stack.dotenv_vars if v.value is not None}
        for service in stack.services:
            for var in service.environment:
                raw = var.raw
                if raw is None or not raw.strip():
                    continue
                if is_password_key(var.name):
                    if "$" not in raw.replace("$$", ""):
                        yield _finding(
                            "KD401",
                            f"service {service.name!r}: {var.name} is written into the compose "
                            "file as a literal; anyone who can read the repository has the "
                            f"database password; use `{var.name}: ${{{var.name}:?}}` and keep "
                            "the value in an ignored .env or a secret",
                            var.location,
                        )
                    elif _default_used(raw, env):
                        yield _finding(
                            "KD401",
                            f"service {service.name!r}: {var.name} falls back to a literal "
                            "default written in the compose file (no .env sets the variable), "
                            "so the password is in the repository; use a required marker "
                            f"(`${{{var.name}:?}}`) instead of a default",
                            var.location,
                        )
                elif is_url_key(var.name) and _url_password_literal(raw):
                    yield _finding(
                        "KD401",
                        f"service {service.name!r}: {var.name} carries a literal password "
                        f"({mask_url(raw)}); build the URL from variables "
                        "(`postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD}@db:5432/...`)",
                        var.location,
                    )


def _default_used(raw: str, env: dict[str, str]) -> bool:
    uses = variables(raw)
    if len(uses) != 1:
        return False
    use = uses[0]
    if not use.has_default or not use.argument or "$" in use.argument:
        return False
    value = env.get(use.name)
    if use.operator == ":-":
        return not value
    return use.name not in env


# -- KD402 ------------------------------------------------------------------------------------------
def _value_location(stack: ComposeStack, var: EnvVar) -> Location:
    """Where the value of an environment entry is really set: the `.env` line for
    `${VAR}`, else the entry itself."""
    if var.raw is not None and var.source == "environment":
        uses = variables(var.raw)
        if len(uses) == 1:
            dv = stack.dotenv_var(uses[0].name)
            if dv is not None and dv.value:
                return dv.location
    return var.location


def is_weak(password: str, user: str | None = None) -> bool:
    low = password.strip().lower()
    if not low:
        return False
    return low in WEAK_PASSWORDS or (user is not None and low == user.strip().lower())


def check_weak_passwords(stacks: Iterable[ComposeStack]) -> Iterator[Finding]:
    """One finding per place that sets a weak password (a `.env` line used by several
    services is reported once)."""
    seen: set[Location] = set()
    for finding in _weak_passwords(stacks):
        if finding.location not in seen:
            seen.add(finding.location)
            yield finding


def _weak_passwords(stacks: Iterable[ComposeStack]) -> Iterator[Finding]:
    for stack in stacks:
        for service in stack.services:
            users = {
                v.name: v.value
                for v in service.container_env or service.environment
                if v.value and v.name.endswith(("_USER", "_USERNAME"))
            }
            for var in service.container_env or service.environment:
                value = var.value
                if not value:
                    continue
                if is_password_key(var.name):
                    user = users.get(var.name.replace("PASSWORD", "USER"))
                    if is_weak(value, user):
                        yield _finding(
                            "KD402",
                            f"service {service.name!r}: {var.name} is a default-looking "
                            "password that every scanner tries first; generate a long random "
                            "one",
                            _value_location(stack, var),
                            [Related(var.location, f"{var.name} of service {service.name!r}")]
                            if _value_location(stack, var) != var.location
                            else [],
                        )
                elif is_url_key(var.name):
                    url = parse_db_url(value)
                    if url is not None and url.password and is_weak(url.password, url.user):
                        yield _finding(
                            "KD402",
                            f"service {service.name!r}: {var.name} ({mask_url(value)}) uses a "
                            "default-looking password; generate a long random one",
                            _value_location(stack, var),
                        )


# -- KD403 ------------------------------------------------------------------------------------------
def check_published_ports(
    dbs: Iterable[Database], stacks: Iterable[ComposeStack]
) -> Iterator[Finding]:
    by_id = {s.id: s for s in stacks}
    for db in dbs:
        stack = by_id.get(db.stack)
        service = stack.service(db.service) if stack is not None else None
        if service is None or not db.port:
            continue
        for port in service.ports:
            if not port.exposes(db.port) or not port.all_interfaces:
                continue
            host = port.published or "a random host port"
            yield _finding(
                "KD403",
                f"database service {db.service!r}: port {db.port} is published on every "
                f"interface of the host ({port.text} -> {host}): anyone who reaches the machine "
                f"can try the database; publish it on 127.0.0.1 only "
                f'("127.0.0.1:{port.published or db.port}:{port.target}") or not at all',
                port.location,
            )


# -- KD404 ------------------------------------------------------------------------------------------
def _host_names(stack: ComposeStack) -> set[str]:
    names: set[str] = set()
    for s in stack.services:
        names.add(s.name.lower())
        for t in (s.container_name, s.hostname):
            if t is not None and t.value:
                names.add(t.value.lower())
        names.update(a.lower() for a in s.aliases)
    return names


def _url_vars(service: Service) -> Iterator[tuple[EnvVar, DbUrl]]:
    for var in service.container_env or service.environment:
        if not var.value or not is_url_key(var.name):
            continue
        url = parse_db_url(var.value)
        if url is not None:
            yield var, url


def check_url_hosts(
    stacks: tuple[ComposeStack, ...], dbs: tuple[Database, ...]
) -> Iterator[Finding]:
    db_names = {(d.stack, d.service) for d in dbs}
    # A host that is a service of another stack of the project is probably reached over a
    # shared (external) network: not reported.
    everywhere = {name for stack in stacks for name in _host_names(stack)}
    for stack in stacks:
        known = _host_names(stack) | everywhere
        for service in stack.services:
            if (stack.id, service.name) in db_names:
                continue
            host_net = service.network_mode is not None and service.network_mode.value == "host"
            for var, url in _url_vars(service):
                for host in url.hosts:
                    low = host.lower()
                    if not low or "$" in low:
                        continue
                    if low in LOCAL_HOSTS:
                        if host_net:
                            continue
                        yield _finding(
                            "KD404",
                            f"service {service.name!r}: {var.name} points at {host} "
                            f"({mask_url(var.value or '')}), which inside a container is the "
                            "container itself, not the database; use the database service's "
                            "name as the host",
                            var.location,
                        )
                    elif (
                        "." not in low
                        and ":" not in low
                        and low not in known
                        and low != "host.docker.internal"
                        and len(stack.services) > 1
                    ):
                        services = ", ".join(sorted(s.name for s in stack.services))
                        yield _finding(
                            "KD404",
                            f"service {service.name!r}: {var.name} points at host {host!r}, "
                            f"which is no service of this compose project ({services}): the "
                            "connection fails with 'could not translate host name'",
                            var.location,
                        )


# -- KD405 ------------------------------------------------------------------------------------------
_TEMPLATE = re.compile(r"(example|sample|template|dist|defaults?|tpl|schema|ci)$", re.IGNORECASE)
_SECRET_KEY = re.compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|ACCESS_KEY|AUTH_KEY|CREDENTIALS)",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"^(<.*>|\$\{.*\}|\$[A-Z_]+|x+|\*+|your[-_ ].*|changeme|change[-_]me|todo|tbd|\.\.\.|none|null)$",
    re.IGNORECASE,
)


def _is_template(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    stem = name[:-4] if name.lower().endswith(".env") and name != ".env" else name
    return _TEMPLATE.search(stem) is not None


def _secret_entries(entries: Iterable[DotenvEntry]) -> list[DotenvEntry]:
    out: list[DotenvEntry] = []
    for e in entries:
        value = (e.value or "").strip()
        if not value or _PLACEHOLDER.match(value):
            continue
        if _SECRET_KEY.search(e.key):
            out.append(e)
            continue
        url = parse_db_url(value) if "://" in value else None
        if url is not None and url.password and "$" not in url.password:
            out.append(e)
    return out


_LS_CACHE: dict[tuple[str, int], frozenset[str] | None] = {}


def tracked_files(root: Path) -> frozenset[str] | None:
    """Root-relative paths git tracks, or None when the root is not in a git repository."""
    found = git_dir_of(root)
    if found is None:
        return None
    _top, git_dir = found
    try:
        stamp = (git_dir / "index").stat().st_mtime_ns
    except OSError:
        stamp = 0
    key = (str(root), stamp)
    if key in _LS_CACHE:
        return _LS_CACHE[key]
    result = tracked_paths(root, timeout=20)
    if result is None:
        return None
    if len(_LS_CACHE) > 64:
        _LS_CACHE.clear()
    _LS_CACHE[key] = result
    return result


def check_env_files_ignored(ctx: Context) -> Iterator[Finding]:
    env_files = [r for r in ctx.files(FileKind.ENV) if not _is_template(r)]
    if not env_files:
        return
    matcher = None
    tracked: frozenset[str] | None = None
    tracked_known = False
    for rel in env_files:
        parsed = ctx.parse(rel, parse_dotenv)
        if parsed is None:
            continue
        secrets = _secret_entries(parsed.entries)
        if not secrets:
            continue
        if matcher is None:
            matcher = ctx.fact(gitignore_matcher)
        if not tracked_known:
            tracked = tracked_files(ctx.root)
            tracked_known = True
        ignored = matcher.ignored(rel)
        is_tracked = tracked is not None and rel in tracked
        names = ", ".join(dict.fromkeys(e.key for e in secrets[:4]))
        more = " ..." if len(secrets) > 4 else ""
        first = parsed.location(secrets[0])
        if is_tracked:
            extra = (
                f" (.gitignore line {ignored.line} ignores it, but that does not apply to files "
                "already tracked)"
                if ignored is not None
                else ""
            )
            yield _finding(
                "KD405",
                f"{rel} holds secrets ({names}{more}) and git tracks it{extra}: they are in the "
                "repository's history; `git rm --cached` it, add it to .gitignore and rotate "
                "the secrets",
                first,
                [Related(ignored.location, "this .gitignore line")] if ignored else [],
            )
        elif ignored is None:
            state = "" if tracked is None else " (not committed yet)"
            yield _finding(
                "KD405",
                f"{rel} holds secrets ({names}{more}) and no .gitignore ignores it{state}: one "
                "`git add .` publishes them; add it to .gitignore (commit a .env.example "
                "without values instead)",
                first,
            )


# -- KD406 ------------------------------------------------------------------------------------------
def _column_of(ctx: Context, loc: Location, name: str) -> int:
    src = ctx.source(loc.path)
    if src is None:
        return loc.column
    lines = src.lines
    if not 0 < loc.line <= len(lines):
        return loc.column
    text = lines[loc.line - 1]
    for probe in ("${" + name, "$" + name):
        idx = text.find(probe, max(loc.column - 1, 0))
        if idx >= 0:
            return idx + 1
    return loc.column


def check_undefined_variables(ctx: Context, stacks: Iterable[ComposeStack]) -> Iterator[Finding]:
    for stack in stacks:
        beside = stack.dotenv or f"{stack.project_dir + '/' if stack.project_dir else ''}.env"
        for ref in stack.undefined_variables:
            loc = ref.location
            column = _column_of(ctx, loc, ref.name)
            yield _finding(
                "KD406",
                f"${{{ref.name}}} has no value: neither {beside} nor an env_file sets it, and "
                f"it has no default (`${{{ref.name}:-...}}`) or required marker "
                f"(`${{{ref.name}:?...}}`); docker compose substitutes an empty string",
                Location(loc.path, loc.line, column, loc.end_line),
            )


# -- KD407 ------------------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class Credentials:
    user: str | None
    user_var: EnvVar | None
    password: str | None
    password_var: EnvVar | None
    database: str | None
    database_var: EnvVar | None


def _resolved(var: EnvVar | None, stack: ComposeStack) -> str | None:
    """The value of an entry, or None when it is unknown (a variable with no value)."""
    if var is None or var.value is None:
        return None
    if var.raw is not None and var.source == "environment":
        result = interpolate(var.raw, {v.name: v.value or "" for v in stack.dotenv_vars})
        if result.undefined or result.errors:
            return None
    return var.value


def db_credentials(db: Database, service: Service, stack: ComposeStack) -> Credentials | None:
    def get(*names: str) -> tuple[str | None, EnvVar | None]:
        for n in names:
            var = service.env(n)
            if var is not None:
                return _resolved(var, stack), var
        return None, None

    if db.engine == "postgres":
        if db.family == "bitnami/postgresql":
            user, uv = get("POSTGRESQL_USERNAME")
            pw, pv = get("POSTGRESQL_PASSWORD")
            name, nv = get("POSTGRESQL_DATABASE")
            if uv is None:
                user = "postgres"
                pw, pv = get("POSTGRESQL_POSTGRES_PASSWORD", "POSTGRESQL_PASSWORD")
            return Credentials(user, uv, pw, pv, name or "postgres" if nv is None else name, nv)
        user, uv = get("POSTGRES_USER")
        if uv is None:
            user = "postgres"
        pw, pv = get("POSTGRES_PASSWORD")
        name, nv = get("POSTGRES_DB")
        if nv is None:
            name = user
        return Credentials(user, uv, pw, pv, name, nv)
    if db.engine in ("mysql", "mariadb"):
        prefix = (
            "MARIADB"
            if service.env("MARIADB_USER") or service.env("MARIADB_ROOT_PASSWORD")
            else "MYSQL"
        )
        user, uv = get(f"{prefix}_USER")
        pw, pv = get(f"{prefix}_PASSWORD")
        name, nv = get(f"{prefix}_DATABASE")
        return Credentials(user, uv, pw, pv, name, nv)
    return None


def check_credentials(
    stacks: Iterable[ComposeStack], dbs: tuple[Database, ...]
) -> Iterator[Finding]:
    for stack in stacks:
        mine = [d for d in dbs if d.stack == stack.id]
        if not mine:
            continue
        by_host: dict[str, tuple[Database, Service]] = {}
        for db in mine:
            svc = stack.service(db.service)
            if svc is None:
                continue
            by_host[svc.name.lower()] = (db, svc)
            for t in (svc.container_name, svc.hostname):
                if t is not None and t.value:
                    by_host[t.value.lower()] = (db, svc)
            for a in svc.aliases:
                by_host[a.lower()] = (db, svc)
        db_services = {d.service for d in mine}
        for service in stack.services:
            if service.name in db_services:
                continue
            for var, url in _url_vars(service):
                target = next((by_host[h.lower()] for h in url.hosts if h.lower() in by_host), None)
                if target is None:
                    continue
                db, db_service = target
                if db.engine == "postgres" and not url.scheme.startswith(("postgres", "prisma")):
                    continue
                if db.engine in ("mysql", "mariadb") and url.scheme not in ("mysql", "mariadb"):
                    continue
                creds = db_credentials(db, db_service, stack)
                if creds is None:
                    continue
                if var.raw is not None and var.source == "environment":
                    res = interpolate(var.raw, {v.name: v.value or "" for v in stack.dotenv_vars})
                    if res.undefined or res.errors:
                        continue
                problems: list[str] = []
                related: list[Related] = []
                root_user = db.engine in ("mysql", "mariadb") and url.user == "root"
                # Init scripts (or a custom image) can create more roles and databases: then
                # only the password of the image's own user can be checked.
                extra_roles = db.dockerfile is not None or any(
                    m.target.startswith("/docker-entrypoint-initdb.d") for m in db_service.mounts
                )
                if extra_roles and (url.user != creds.user or root_user):
                    continue
                if url.user and creds.user and url.user != creds.user and not root_user:
                    problems.append(f"user {url.user!r} is not {creds.user!r}")
                    if creds.user_var is not None:
                        related.append(Related(creds.user_var.location, "the database user"))
                if (
                    url.password is not None
                    and creds.password
                    and url.password != creds.password
                    and not root_user
                ):
                    problems.append("the password differs")
                    if creds.password_var is not None:
                        related.append(
                            Related(creds.password_var.location, "the database password")
                        )
                if (
                    url.database
                    and creds.database
                    and url.database != creds.database
                    and not extra_roles
                ):
                    problems.append(f"database {url.database!r} is not {creds.database!r}")
                    if creds.database_var is not None:
                        related.append(Related(creds.database_var.location, "the database name"))
                if not problems:
                    continue
                yield _finding(
                    "KD407",
                    f"service {service.name!r}: {var.name} ({mask_url(var.value or '')}) does "
                    f"not match database service {db.service!r}: {'; '.join(problems)}; the "
                    "app cannot connect (or connects to a database nobody migrates)",
                    var.location,
                    related,
                )


# -- area -------------------------------------------------------------------------------------------
CHECKS: tuple[tuple[str, Callable[[Context], Iterable[Finding]]], ...] = (
    ("check_hardcoded_passwords", lambda ctx: check_hardcoded_passwords(ctx.fact(compose_stacks))),
    ("check_weak_passwords", lambda ctx: check_weak_passwords(ctx.fact(compose_stacks))),
    (
        "check_published_ports",
        lambda ctx: check_published_ports(ctx.fact(databases), ctx.fact(compose_stacks)),
    ),
    ("check_url_hosts", lambda ctx: check_url_hosts(ctx.fact(compose_stacks), ctx.fact(databases))),
    ("check_env_files_ignored", check_env_files_ignored),
    (
        "check_undefined_variables",
        lambda ctx: check_undefined_variables(ctx, ctx.fact(compose_stacks)),
    ),
    (
        "check_credentials",
        lambda ctx: check_credentials(ctx.fact(compose_stacks), ctx.fact(databases)),
    ),
)
"""The area's checks, by name, in order."""


def check(ctx: Context) -> Iterator[Finding]:
    """Every check of the area in turn (the pipeline runs them one by one, each behind its
    own error boundary: see `analysis.engine`)."""
    for _name, fn in CHECKS:
        yield from fn(ctx)
