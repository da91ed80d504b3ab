"""Environment rules KD401-KD407."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.engine import analyze
from analysis.model import Finding, Severity
from analysis.rules.environment.common import is_weak, parse_db_url


def run(root: Path, *rules: str) -> list[Finding]:
    result = analyze(root)
    assert not result.errors, result.errors
    return [f for f in result.findings if f.rule in rules]


def rules_at(findings: list[Finding]) -> list[tuple[str, str, int]]:
    return [(f.rule, f.location.path, f.location.line) for f in findings]


APP = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: {password}
      POSTGRES_DB: app
    volumes:
      - pgdata:/var/lib/postgresql/data
  api:
    image: node:20
    environment:
      DATABASE_URL: {url}
volumes:
  pgdata:
"""


def compose(
    password: str = "${POSTGRES_PASSWORD:?}",
    url: str = "postgresql://app:${POSTGRES_PASSWORD}@db:5432/app",
) -> str:
    return APP.format(password=password, url=url)


STRONG = ".env", "POSTGRES_PASSWORD=Vq8rT2mXz91LpQ\n"


# -- KD401 --------------------------------------------------------------------------------------
def test_kd401_literal_password_and_url(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": compose(
                password="S3cure-but-committed", url="postgresql://app:S3cure-but-committed@db/app"
            )
        }
    )
    found = run(root, "KD401")
    assert rules_at(found) == [
        ("KD401", "docker-compose.yml", 6),
        ("KD401", "docker-compose.yml", 13),
    ]
    assert all(f.severity is Severity.MEDIUM for f in found)
    assert all("S3cure-but-committed" not in f.message for f in found)


def test_kd401_not_for_variables_and_required_markers(write_tree) -> None:
    root = write_tree({"docker-compose.yml": compose(), ".env": STRONG[1]})
    assert run(root, "KD401") == []


def test_kd401_literal_default_in_use(write_tree) -> None:
    root = write_tree({"docker-compose.yml": compose(password="${POSTGRES_PASSWORD:-Zr81kqT0}")})
    assert rules_at(run(root, "KD401")) == [("KD401", "docker-compose.yml", 6)]
    with_env = write_tree(
        {
            "docker-compose.yml": compose(password="${POSTGRES_PASSWORD:-Zr81kqT0}"),
            ".env": STRONG[1],
        },
        root=root.parent / "with-env",
    )
    assert run(with_env, "KD401") == []


# -- KD402 --------------------------------------------------------------------------------------
def test_kd402_weak_password_in_compose(write_tree) -> None:
    root = write_tree({"docker-compose.yml": compose(password="postgres")})
    found = run(root, "KD402")
    assert rules_at(found) == [("KD402", "docker-compose.yml", 6)]
    assert found[0].severity is Severity.HIGH


def test_kd402_weak_password_from_dotenv_points_at_the_env_line(write_tree) -> None:
    root = write_tree(
        {"docker-compose.yml": compose(), ".env": "POSTGRES_USER=app\nPOSTGRES_PASSWORD=changeme\n"}
    )
    found = run(root, "KD402")
    assert ("KD402", ".env", 2) in rules_at(found)
    assert all("changeme" not in f.message for f in found)


def test_kd402_not_for_a_strong_password(write_tree) -> None:
    root = write_tree({"docker-compose.yml": compose(), ".env": STRONG[1]})
    assert run(root, "KD402") == []


def test_weak_passwords() -> None:
    assert is_weak("Password") and is_weak("123456") and is_weak("app", "app")
    assert not is_weak("Vq8rT2mXz91LpQ") and not is_weak("")


# -- KD403 --------------------------------------------------------------------------------------
def test_kd403_database_port_on_all_interfaces(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": compose() + "",
            "docker-compose.override.yml": (
                'services:\n  db:\n    ports:\n      - "5432:5432"\n      - target: 5432\n'
                '        published: 15432\n  api:\n    ports:\n      - "3000:3000"\n'
            ),
            ".env": STRONG[1],
        }
    )
    found = run(root, "KD403")
    assert rules_at(found) == [
        ("KD403", "docker-compose.override.yml", 4),
        ("KD403", "docker-compose.override.yml", 5),
    ]
    # medium, one level lower in Compose's local override file (development context)
    assert found[0].severity is Severity.LOW and found[0].context == "development"


@pytest.mark.parametrize(
    "port", ['"127.0.0.1:5432:5432"', '"[::1]:5432:5432"', '"127.0.0.1::5432"']
)
def test_kd403_not_on_loopback(write_tree, port: str) -> None:
    root = write_tree(
        {
            "docker-compose.yml": compose(),
            "docker-compose.override.yml": f"services:\n  db:\n    ports:\n      - {port}\n",
            ".env": STRONG[1],
        }
    )
    assert run(root, "KD403") == []


# -- KD404 --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("postgresql://app:${POSTGRES_PASSWORD}@localhost:5432/app", "localhost"),
        ("postgresql://app:${POSTGRES_PASSWORD}@127.0.0.1:5432/app", "127.0.0.1"),
        ("postgresql://app:${POSTGRES_PASSWORD}@postgres:5432/app", "'postgres'"),
    ],
)
def test_kd404_wrong_host(write_tree, url: str, needle: str) -> None:
    root = write_tree({"docker-compose.yml": compose(url=url), ".env": STRONG[1]})
    found = run(root, "KD404")
    assert rules_at(found) == [("KD404", "docker-compose.yml", 13)]
    assert needle in found[0].message
    assert "Vq8rT2mXz91LpQ" not in found[0].message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:${POSTGRES_PASSWORD}@db:5432/app",
        "postgresql://app:${POSTGRES_PASSWORD}@prod.abc123.eu-west-1.rds.amazonaws.com:5432/app",
        "postgresql://app:${POSTGRES_PASSWORD}@host.docker.internal:5432/app",
    ],
)
def test_kd404_not_for_a_service_or_external_host(write_tree, url: str) -> None:
    root = write_tree({"docker-compose.yml": compose(url=url), ".env": STRONG[1]})
    assert run(root, "KD404") == []


def test_kd404_container_name_alias_counts(write_tree) -> None:
    text = compose(url="postgresql://app:${POSTGRES_PASSWORD}@pg-main:5432/app").replace(
        "    image: postgres:16\n", "    image: postgres:16\n    container_name: pg-main\n"
    )
    root = write_tree({"docker-compose.yml": text, ".env": STRONG[1]})
    assert run(root, "KD404") == []


# -- KD405 --------------------------------------------------------------------------------------
def test_kd405_env_with_secrets_not_ignored(write_tree) -> None:
    root = write_tree(
        {
            ".env": "NODE_ENV=production\nJWT_SECRET=9f8e7d6c5b4a\n",
            ".env.example": "JWT_SECRET=9f8e7d6c5b4a\n",
            ".gitignore": "node_modules\n",
        }
    )
    found = run(root, "KD405")
    assert rules_at(found) == [("KD405", ".env", 2)]
    assert found[0].severity is Severity.HIGH
    assert "9f8e7d6c5b4a" not in found[0].message


def test_kd405_not_when_gitignored(write_tree) -> None:
    root = write_tree(
        {
            "apps/api/.env.local": "DATABASE_URL=postgresql://u:Vq8rT2mXz@db/app\n",
            ".gitignore": ".env*\n!.env.example\n",
        }
    )
    assert run(root, "KD405") == []


def test_kd405_not_without_secrets(write_tree) -> None:
    root = write_tree({".env": "NODE_ENV=development\nPORT=3000\nAPI_TOKEN=\n"})
    assert run(root, "KD405") == []


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), *args],
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "HOME": str(root),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        },
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_kd405_tracked_even_though_ignored_now(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".env").write_text("POSTGRES_PASSWORD=Vq8rT2mXz91LpQ\n")
    _git(root, "init", "-q")
    _git(root, "add", ".env")
    _git(root, "commit", "-q", "-m", "oops")
    (root / ".gitignore").write_text(".env\n")
    found = run(root, "KD405")
    assert rules_at(found) == [("KD405", ".env", 1)]
    assert "tracks" in found[0].message
    _git(root, "rm", "-q", "--cached", ".env")
    assert run(root, "KD405") == []


# -- KD406 --------------------------------------------------------------------------------------
def test_kd406_undefined_variable_with_line_and_column(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": compose(
                url="postgresql://app:${POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB}"
            ),
            ".env": STRONG[1],
        }
    )
    found = run(root, "KD406")
    assert rules_at(found) == [("KD406", "docker-compose.yml", 13)]
    line = (root / "docker-compose.yml").read_text().splitlines()[12]
    assert found[0].location.column == line.index("${POSTGRES_DB}") + 1
    assert "POSTGRES_DB" in found[0].message and found[0].severity is Severity.MEDIUM


@pytest.mark.parametrize("form", ["map", "list"])
def test_kd406_optional_app_setting_is_low(write_tree, form: str) -> None:
    # an integration key of the app left empty (documenso's SMTP and OAuth keys, trigger.dev's
    # PROVIDER_SECRET) reaches no volume, image or database: low, not medium
    line = (
        "      SMTP_APIKEY: ${SMTP_APIKEY}\n"
        if form == "map"
        else "      - SMTP_APIKEY=${SMTP_APIKEY}\n"
    )
    text = compose().replace("      DATABASE_URL: ", line + "      DATABASE_URL: ")
    if form == "list":
        text = text.replace("      DATABASE_URL: ", "      - DATABASE_URL=")
    root = write_tree({"docker-compose.yml": text, ".env": STRONG[1]})
    (f,) = run(root, "KD406")
    assert f.severity is Severity.LOW and "SMTP_APIKEY" in f.message
    assert "environment.SMTP_APIKEY" in f.message and "service 'api'" in f.message


def test_kd406_optional_build_arg_is_low(write_tree) -> None:
    # langfuse: `args: - NEXT_PUBLIC_LANGFUSE_CLOUD_REGION=${NEXT_PUBLIC_LANGFUSE_CLOUD_REGION}`
    text = compose().replace(
        "  api:\n    image: node:20\n",
        "  api:\n    image: node:20\n    build:\n      context: .\n      args:\n"
        "        - CLOUD_REGION=${CLOUD_REGION}\n",
    )
    root = write_tree({"docker-compose.yml": text, ".env": STRONG[1]})
    (f,) = run(root, "KD406")
    assert f.severity is Severity.LOW and "build.args.CLOUD_REGION" in f.message


@pytest.mark.parametrize(
    "where",
    [
        "      POSTGRES_DB: ${DB_NAME}\n",  # a database's own setting
        "    image: node:${NODE_TAG}\n",  # an image tag
    ],
)
def test_kd406_data_settings_stay_medium(write_tree, where: str) -> None:
    text = compose()
    if "POSTGRES_DB" in where:
        text = text.replace("      POSTGRES_DB: app\n", where)
    else:
        text = text.replace("    image: node:20\n", where)
    root = write_tree({"docker-compose.yml": text, ".env": STRONG[1]})
    (f,) = run(root, "KD406")
    assert f.severity is Severity.MEDIUM and "reported low" not in f.message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:${POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB:-app}",
        "postgresql://app:${POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB:?set it}",
        "postgresql://app:${POSTGRES_PASSWORD}@db:5432/$${LITERAL}",
    ],
)
def test_kd406_not_with_default_required_or_escape(write_tree, url: str) -> None:
    root = write_tree({"docker-compose.yml": compose(url=url), ".env": STRONG[1]})
    assert run(root, "KD406") == []


def test_kd406_not_when_an_env_file_sets_it(write_tree) -> None:
    text = compose(url="${DATABASE_URL}").replace(
        "  api:\n    image: node:20\n", "  api:\n    image: node:20\n    env_file: api.env\n"
    )
    root = write_tree(
        {
            "docker-compose.yml": text,
            ".env": STRONG[1],
            "api.env": "DATABASE_URL=postgresql://app:x@db/app\n",
            ".gitignore": "*.env\n.env\n",
        }
    )
    assert run(root, "KD406") == []


# -- KD407 --------------------------------------------------------------------------------------
def test_kd407_credentials_mismatch(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": compose(
                url="postgresql://postgres:${POSTGRES_PASSWORD}@db:5432/appdb"
            ),
            ".env": STRONG[1],
        }
    )
    found = run(root, "KD407")
    assert rules_at(found) == [("KD407", "docker-compose.yml", 13)]
    msg = found[0].message
    assert "'postgres'" in msg and "'appdb'" in msg
    assert "Vq8rT2mXz91LpQ" not in msg
    assert {r.location.line for r in found[0].related} == {5, 7}


def test_kd407_password_mismatch_is_masked(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": compose(url="postgresql://app:0therPassw0rdX@db:5432/app"),
            ".env": STRONG[1],
        }
    )
    found = run(root, "KD407")
    assert rules_at(found) == [("KD407", "docker-compose.yml", 13)]
    assert "password differs" in found[0].message
    assert "0therPassw0rdX" not in found[0].message and "Vq8rT2mXz91LpQ" not in found[0].message


def test_kd407_not_when_they_match(write_tree) -> None:
    root = write_tree({"docker-compose.yml": compose(), ".env": STRONG[1]})
    assert run(root, "KD407") == []


def test_kd407_defaults_of_the_postgres_image(write_tree) -> None:
    text = compose(url="postgresql://postgres:${POSTGRES_PASSWORD}@db:5432/postgres")
    text = text.replace("      POSTGRES_USER: app\n", "").replace("      POSTGRES_DB: app\n", "")
    root = write_tree({"docker-compose.yml": text, ".env": STRONG[1]})
    assert run(root, "KD407") == []


def test_kd407_each_database_judged_by_its_own_credentials(write_tree) -> None:
    """Two databases in one stack, several services each: every URL is checked against the
    database it names (credentials read once per database, never another's)."""
    text = """\
services:
  db1:
    image: postgres:16
    environment:
      POSTGRES_USER: alpha
      POSTGRES_PASSWORD: ${ALPHA_PASSWORD}
      POSTGRES_DB: alpha
  db2:
    image: postgres:16
    environment:
      POSTGRES_USER: beta
      POSTGRES_PASSWORD: ${BETA_PASSWORD}
      POSTGRES_DB: beta
  a1:
    image: node:20
    environment:
      DATABASE_URL: postgresql://alpha:${ALPHA_PASSWORD}@db1:5432/alpha
  b1:
    image: node:20
    environment:
      DATABASE_URL: postgresql://beta:${BETA_PASSWORD}@db2:5432/beta
  a2:
    image: node:20
    environment:
      DATABASE_URL: postgresql://beta:${BETA_PASSWORD}@db1:5432/alpha
  b2:
    image: node:20
    environment:
      DATABASE_URL: postgresql://beta:${BETA_PASSWORD}@db2:5432/beta
"""
    env = "ALPHA_PASSWORD=Vq8rT2mXz91LpQ\nBETA_PASSWORD=Kp3nW8sLq20ZtR\n"
    root = write_tree({"docker-compose.yml": text, ".env": env})
    found = run(root, "KD407")
    assert rules_at(found) == [("KD407", "docker-compose.yml", 25)]  # a2 only
    assert "'beta'" in found[0].message and "'alpha'" in found[0].message


def test_parse_db_url() -> None:
    url = parse_db_url("postgresql://us%40er:p%3Ass@db:5432/app?schema=public")
    assert url is not None
    assert (url.user, url.password, url.hosts, url.database) == ("us@er", "p:ss", ("db",), "app")
    mongo = parse_db_url("mongodb://u:p@m1:27017,m2:27017/db?replicaSet=rs0")
    assert mongo is not None and mongo.hosts == ("m1", "m2")
    assert parse_db_url("file:./dev.db") is None
    assert parse_db_url("https://example.com") is None


def test_kd407_init_scripts_may_create_other_roles(write_tree) -> None:
    text = compose(url="postgresql://auth_admin:${POSTGRES_PASSWORD}@db:5432/auth").replace(
        "      - pgdata:/var/lib/postgresql/data\n",
        "      - pgdata:/var/lib/postgresql/data\n      - ./init:/docker-entrypoint-initdb.d:ro\n",
    )
    root = write_tree({"docker-compose.yml": text, ".env": STRONG[1]})
    assert run(root, "KD407") == []
