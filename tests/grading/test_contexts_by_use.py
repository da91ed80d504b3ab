"""A file graded by the stacks that read it, not by its path alone: a compose file, `.env` or
`env_file` whose name says nothing takes the context of the development or test stacks that
are its only readers; one read by a production stack too stays production."""

from __future__ import annotations

from pathlib import Path

from analysis.context import Context
from analysis.discover import discover
from analysis.engine import analyze
from analysis.grading.contexts import DEVELOPMENT, TEST, Contexts
from analysis.model import Severity
from analysis.settings import Settings

DB = """services:
  db:
    image: postgres:16
    volumes:
      - data:/var/lib/postgresql/data
  app:
    build: ../..
    env_file:
      - ../../.env.shared
volumes:
  data:
"""
ENV = "POSTGRES_PASSWORD=Zq8vN3kLr2Wx9pTb\nDATABASE_URL=postgresql://app:Zq8vN3kLr2Wx9pTb@localhost:5432/app\n"


def context_of(root: Path, path: str) -> str | None:
    settings = Settings()
    ctx = Context(root, discover(root, settings.exclude), settings)
    found = Contexts(ctx).of(path)
    return found.context if found is not None else None


def test_an_env_file_read_only_by_a_test_stack_is_test(write_tree) -> None:  # type: ignore[no-untyped-def]
    # documenso: `.env.example` read only by docker/testing/compose.yml
    root = write_tree({"docker/testing/compose.yml": DB, ".env.shared": ENV})
    assert context_of(root, ".env.shared") == TEST
    # and a finding at that file is graded so (KD405: a tracked .env with secrets)
    found = [f for f in analyze(root).active if f.location.path == ".env.shared"]
    assert found and all(f.context == TEST for f in found)
    assert all(f.severity is Severity.INFO for f in found if f.rule.startswith("KD4"))
    assert any("only read by the test stack" in f.message for f in found)


def test_an_env_file_also_read_by_a_production_stack_stays_production(write_tree) -> None:  # type: ignore[no-untyped-def]
    root = write_tree(
        {
            "docker/testing/compose.yml": DB,
            "docker/deploy/compose.yml": DB,
            ".env.shared": ENV,
        }
    )
    assert context_of(root, ".env.shared") is None
    found = [f for f in analyze(root).active if f.location.path == ".env.shared"]
    assert found and all(f.context is None for f in found)


def test_a_base_file_merged_only_into_a_dev_chain_is_development(write_tree) -> None:  # type: ignore[no-untyped-def]
    base = "services:\n  db:\n    image: postgres:16\n"
    dev = "services:\n  db:\n    ports:\n      - 5432:5432\n"
    scripts = '{"scripts": {"dev:db": "docker compose -f compose.base.yml -f compose.dev.yml up"}}'
    root = write_tree({"compose.base.yml": base, "compose.dev.yml": dev, "package.json": scripts})
    assert context_of(root, "compose.base.yml") == DEVELOPMENT
    prod = "services:\n  db:\n    volumes:\n      - /srv/pg:/var/lib/postgresql/data\n"
    deploy = "docker compose -f compose.base.yml -f compose.release.yml up -d\n"
    root2 = write_tree(
        {
            "compose.base.yml": base,
            "compose.dev.yml": dev,
            "compose.release.yml": prod,
            "package.json": scripts,
            "scripts/deploy.sh": deploy,
        },
        root=root.parent / "two",
    )
    assert context_of(root2, "compose.base.yml") is None


INFRA = """services:
  database:
    image: postgres:16
    ports:
      - "5432:5432"
    volumes:
      - data:/var/lib/postgresql/data
    environment:
      POSTGRES_PASSWORD: postgres
  electric:
    image: electricsql/electric:1.2.4
    environment:
      DATABASE_URL: postgresql://postgres:postgres@database:5432/main
volumes:
  data:
"""
HOSTING = """services:
  webapp:
    image: ghcr.io/acme/shop:latest
    environment:
      DATABASE_URL: postgresql://postgres:${PW:?}@postgres:5432/main
  postgres:
    image: postgres:16
    volumes:
      - pg:/var/lib/postgresql/data
volumes:
  pg:
"""


def _kd4(root: Path, path: str) -> list:  # type: ignore[type-arg]
    return [f for f in analyze(root).active if f.location.path == path and f.rule[:3] == "KD4"]


def test_database_infrastructure_for_an_app_run_on_the_host_is_development(write_tree) -> None:  # type: ignore[no-untyped-def]
    # trigger.dev: docker/docker-compose.yml publishes postgres to the host and runs no app;
    # hosting/docker/webapp runs the project's image (named like the project) in containers
    root = write_tree(
        {"docker/docker-compose.yml": INFRA, "hosting/webapp/docker-compose.yml": HOSTING}
    )
    (root / "package.json").write_text('{"name": "shop"}\n')
    assert context_of(root, "docker/docker-compose.yml") == DEVELOPMENT
    found = _kd4(root, "docker/docker-compose.yml")
    assert found and all(f.context == DEVELOPMENT for f in found)
    assert any("publishes database 'database''s port" in f.message for f in found)
    kd403 = next(f for f in found if f.rule == "KD403")
    assert kd403.severity is Severity.LOW  # medium in production, one level lower


def test_database_infrastructure_stays_production_without_a_host_port_or_another_app(
    write_tree,
) -> None:  # type: ignore[no-untyped-def]
    unpublished = INFRA.replace('    ports:\n      - "5432:5432"\n', "")
    root = write_tree(
        {"docker/docker-compose.yml": unpublished, "hosting/webapp/docker-compose.yml": HOSTING}
    )
    (root / "package.json").write_text('{"name": "shop"}\n')
    assert context_of(root, "docker/docker-compose.yml") is None
    alone = write_tree({"docker-compose.yml": INFRA}, root=root.parent / "alone")
    (alone / "package.json").write_text('{"name": "shop"}\n')
    assert context_of(alone, "docker-compose.yml") is None
    kd403 = next(f for f in _kd4(alone, "docker-compose.yml") if f.rule == "KD403")
    assert kd403.severity is Severity.MEDIUM and kd403.context is None
