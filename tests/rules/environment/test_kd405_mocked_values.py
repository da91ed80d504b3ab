"""KD405 on a build-time env file of mocked values (spliit's `scripts/build.env`): quiet when
the file says its values are mocked and every secret is a stand-in; a real-looking secret, or
stand-ins in a file that does not say so, still fire."""

from __future__ import annotations

from analysis.model import Severity
from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
HEADER = (
    "# build file that contains all possible env vars with mocked values\n"
    "# as most of them are used at build time\n\n"
)
MOCKED = (
    "POSTGRES_PASSWORD=1234\n"
    "POSTGRES_PRISMA_URL=postgresql://postgres:${POSTGRES_PASSWORD}@db\n"
    "S3_UPLOAD_KEY=AAAAAAAAAAAAAAAAAAAA\n"
    "S3_UPLOAD_SECRET=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
    "OPENAI_API_KEY=XXXXXXXXXXXXXXXXXXXXXXXXXXXX\n"
)


def kd405(env: str) -> list:
    return run_rule(
        "KD405",
        {
            "prisma/schema.prisma": SCHEMA,
            ".gitignore": "node_modules\n",
            "scripts/build.env": env,
            "Dockerfile": "FROM node:20\nCOPY scripts/build.env .env\nRUN npm run build\n",
        },
    )


def test_mocked_build_values_are_not_secrets() -> None:
    assert kd405(HEADER + MOCKED) == []


def test_a_real_looking_secret_in_a_mocked_file_still_fires() -> None:
    (f,) = kd405(HEADER + MOCKED + "STRIPE_SECRET_KEY=sk_live_51HxQv2Lm9TzR8kPq\n")
    assert f.severity is Severity.HIGH
    assert f.location.path == "scripts/build.env"
    assert "STRIPE_SECRET_KEY" in f.message


def test_stand_ins_in_a_file_that_does_not_say_so_still_fire() -> None:
    (f,) = kd405(MOCKED)
    assert f.location.path == "scripts/build.env" and f.location.line == 1
