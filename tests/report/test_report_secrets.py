"""No report format shows a secret of the project: passwords, tokens, URL credentials."""

from __future__ import annotations

import re

import pytest

from analysis.pipeline import run
from analysis.report.render import FORMATS, render
from tests.conftest import EXAMPLES

_SECRET = re.compile(
    r"(?:PASSWORD|SECRET|TOKEN|API_KEY)[A-Z_]*\s*[:=]\s*['\"]?(?P<v>[^\s'\"$#]{8,})", re.I
)
_URL = re.compile(r"://[^:/@\s]+:(?P<v>[^@/\s$]{8,})@")


def secrets_of(root) -> set[str]:
    found: set[str] = set()
    for path in root.rglob("*"):
        if not path.is_file() or "node_modules" in path.parts or path.stat().st_size > 200_000:
            continue
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        found |= {m["v"] for m in _SECRET.finditer(text)}
        found |= {m["v"] for m in _URL.finditer(text)}
    return {
        s
        for s in found
        if not s.startswith(("${", "****", "?", "-", ":"))
        and s.strip("`").lower() not in COMMON_WORDS
    }


COMMON_WORDS = {"postgres", "password", "changeme", "example", "postgresql"}
"""Default passwords that are also user, image and database names: they appear in any report."""


def test_literal_secrets_of_a_tree_never_reach_a_report(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": (
                "services:\n  db:\n    image: postgres:16\n    environment:\n"
                "      POSTGRES_PASSWORD: s3cr3t-Passw0rd-xyz\n"
                "  app:\n    build: .\n    environment:\n"
                "      DATABASE_URL: postgresql://app:s3cr3t-Passw0rd-xyz@db:5432/app\n"
                "      API_TOKEN: tok_1234567890abcdef\n"
            ),
            ".env": "POSTGRES_PASSWORD=s3cr3t-Passw0rd-xyz\nJWT_SECRET=abcdefghijklmnop\n",
            "Dockerfile": "FROM node:20\nENV DATABASE_URL=postgresql://u:s3cr3t-Passw0rd-xyz@db/x\n",
        }
    )
    secrets = secrets_of(root)
    assert {"s3cr3t-Passw0rd-xyz", "tok_1234567890abcdef", "abcdefghijklmnop"} <= secrets
    a = run(root)
    for fmt in FORMATS:
        out = render(a, fmt, "proj")
        leaked = [s for s in secrets if s in out]
        assert not leaked, (fmt, leaked)


@pytest.mark.parametrize("example", ["seed-app", "risky-app", "prisma7-app"])
def test_examples_secrets_never_reach_a_report(example: str) -> None:
    root = EXAMPLES / example
    if not root.is_dir():
        pytest.skip(f"examples/{example} is not there yet")
    secrets = secrets_of(root)
    a = run(root)
    for fmt in FORMATS:
        out = render(a, fmt, f"examples/{example}")
        leaked = [s for s in secrets if s in out]
        assert not leaked, (fmt, leaked)
