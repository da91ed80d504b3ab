"""Rules of the environment area: passwords, published ports, connection URLs, `.env` files
and compose variables (KD401-KD407)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from analysis.context import Context
from analysis.facts.compose import ComposeStack
from analysis.facts.databases import Database
from analysis.gitread import git_dir_of, tracked_paths
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Related
from analysis.parsers.compose.records import EnvVar, Service
from analysis.parsers.dotenv_file import DotenvEntry
from analysis.parsers.interpolate import interpolate, variables
from analysis.records import dataclass
from analysis.rules.findings import finding as _finding
from analysis.secrets import mask_url

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
_DB_PASSWORD_NAME = lazy_compile(
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
_URL_IN_TEXT = lazy_compile(r"(?P<url>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"]+)")


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


# -- KD405 ------------------------------------------------------------------------------------------
_TEMPLATE = lazy_compile(r"(example|sample|template|dist|defaults?|tpl|schema|ci)$", re.IGNORECASE)
_SECRET_KEY = lazy_compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|ACCESS_KEY|AUTH_KEY|CREDENTIALS)",
    re.IGNORECASE,
)
_PLACEHOLDER = lazy_compile(
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


# -- area -------------------------------------------------------------------------------------------
