"""Issue 16, point 4: no output shows a secret of the project.

`tests/fixtures/secrets/planted` is a realistic project (compose, .env, Dockerfile with ARG and
ENV, package.json scripts, an entrypoint with `curl -u`, a Prisma schema and config with URLs, a
migration, app.json, a Makefile) with 50 distinct secrets planted across its files. Every
output format (`keepdata check` text and JSON, `keepdata report` md/json/sarif) and the
inspector's drill-down (on screen and as an SVG export) is searched for each of them, and for
the tail of each after a `/`, `@`, `:` or blank (a half-masked secret is a leak too).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.secrets import MASK, is_secret_name, mask_secrets, mask_value, safe_text
from tests.conftest import REPO

ROOT = REPO / "tests" / "fixtures" / "secrets" / "planted"

PLANTED: dict[str, tuple[str, ...]] = {
    "docker-compose.yml": (
        "Pg-Sup3r-Secr3t-4711",  # POSTGRES_PASSWORD (also in .env)
        "hc-Passw0rd-9931",  # PGPASSWORD=... inside a healthcheck string
        "My Sql Spaced Pw 88",  # quoted, spaced
        "p/ss@w:rd-Url-5521",  # URL password with / @ :
        "sk_live_51HpLnTq8wXyZa0bC1dE2fG3hI4",  # STRIPE_KEY
        "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5",  # GITHUB_PAT
        "jwt-signing-key-Qx71Lm",  # JWT_KEY
        "dbpass-Kf83Jd",  # DB_PASS
        "xoxb-2211334455-6677889900-AbCdEfGhIjKlMnOpQrSt",  # SLACK_BOT_TOKEN
        "AKIAIOSFODNN7PLANTED",  # AWS_ACCESS_KEY_ID
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTEDKEY",  # AWS_SECRET_ACCESS_KEY
        "gcp-creds-inline-Zt61",  # *CREDENTIALS
        "redis-Pw-6620",  # redis://:pw@
        "fallback-Session-Secr3t",  # ${SESSION_SECRET:-default}
        "api-tok-list-form-7718",  # - API_TOKEN=... (list form)
        "w0rker-List-Pw",  # - DATABASE_URL=... (list form)
    ),
    ".env": (
        "env-Url-P@ss:w/rd-2290",  # quoted URL, password with @ : /
        "nextauth-Secr3t-Ab12Cd34",
        "SG.aBcDeFgHiJkLmNoPqRsTuV.wXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ012",  # export ...
        "correct horse battery staple",  # KEY = "spaced"
        "sk-proj-Planted0pen4iKey1234567890abcd",
        "smtp pass with spaces",  # *_PASS='...'
        "enc-key-0x9f8e7d6c",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.PlantedSignature_abc123",
        "sentry-Dsn-Secret-44",  # https://public:secret@host
    ),
    "Dockerfile": (
        "npm_PlantedNpmToken0123456789abcdefABCD",  # ARG NPM_TOKEN=...
        "sntrys_planted_auth_Token_55",  # ARG SENTRY_AUTH_TOKEN=...
        "docker-Env-Pw-3390",  # ENV DATABASE_URL=...
        "legacy-form-Secret-8812",  # ENV KEY value (legacy form)
        "docker quoted api key 12",  # ENV API_KEY="..."
    ),
    "package.json": (
        "pkg-Script-Pw-7734",
        "seed-admin-Token-6621",
        "push-Pgpass-1290",
    ),
    "scripts/entrypoint.sh": (
        "curl-Basic-Pw-5150",  # curl -u user:pw
        "curl-Long-Flag-Pw-61",  # curl --user "user:pw"
        "bearer-Planted-Token-0099aa",  # Authorization: Bearer
        "entry-Pgpass-4477",  # export PGPASSWORD='...'
        "psql-Inline-Pw-8080",  # psql "postgresql://..."
        "entry-Default-Pw-31",  # "${DB_PASSWORD:-default}"
    ),
    "prisma/schema.prisma": ("schema-Literal-Pw-2024",),
    "prisma/migrations/20240101000000_init/migration.sql": ("sql-Role-Pw-6161",),
    "app.json": (
        "whsec_PlantedWebhookSecret0042",  # {"value": "..."}
        "json-Quoted-ApiKey-7781",  # "apiKey": "..."
        "json-Client-Secret-3310",  # "clientSecret": "..."
        "json-Credentials-Blob-5501",  # "credentials": "..."
        "key-planted-mailgun-99120",  # "MAILGUN_KEY": "..."
    ),
    "Makefile": (
        "make spaced pass 44",  # DB_PASSWORD = "..."
        "make-Deploy-Token-2718",  # DEPLOY_TOKEN := ...
        "make-Url-Pw-1414",
    ),
    "prisma.config.ts": ("config-Ts-Pw-5858",),
}
SECRETS = tuple(s for values in PLANTED.values() for s in values)

VISIBLE = (
    "MYSQL_RANDOM_ROOT_PASSWORD",
    "MYSQL_ALLOW_EMPTY_PASSWORD",
    "/run/secrets/mysql_password",  # a *_PASSWORD_FILE value names a file
    "${POSTGRES_PASSWORD}",  # a reference stays visible
)
"""What the outputs keep: flags, a file name, an interpolation reference."""


def needles(secret: str) -> set[str]:
    """The secret and each tail of it after a `/`, `@`, `:` or blank (8 characters or more):
    a secret masked only up to one of those still leaks its tail."""
    out = {secret}
    for m in re.finditer(r"[/@: ]", secret):
        tail = secret[m.end() :]
        if len(tail) >= 8:
            out.add(tail)
    return out


def leaks(text: str) -> list[str]:
    return sorted({n for s in SECRETS for n in needles(s) if n in text})


def test_fixture_holds_every_planted_secret() -> None:
    """The search below can fail: every planted secret is in its file, and there are ~50."""
    assert len(set(SECRETS)) == len(SECRETS) >= 50
    for rel, values in PLANTED.items():
        text = (ROOT / rel).read_text(encoding="utf-8")
        for value in values:
            assert value in text, (rel, value)
    assert leaks((ROOT / "docker-compose.yml").read_text())  # the needle search finds them


def test_masking_every_fixture_file_removes_every_planted_secret() -> None:
    for path in sorted(p for p in ROOT.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        masked = mask_secrets(text)
        assert not leaks(masked), path
        assert mask_secrets(masked) == masked, path  # idempotent
        assert masked.count("\n") == text.count("\n"), path


def _keepdata(*args: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "tui", *args, str(ROOT)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert run.returncode in (0, 1), run.stderr
    return run.stdout + run.stderr


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    return {
        "check text": _keepdata("check"),
        "check json": _keepdata("check", "--format", "json"),
        **{
            f"report {fmt}": _keepdata("report", "--format", fmt) for fmt in ("md", "json", "sarif")
        },
    }


@pytest.mark.parametrize(
    "name", ["check text", "check json", "report md", "report json", "report sarif"]
)
def test_no_output_format_shows_a_planted_secret(outputs: dict[str, str], name: str) -> None:
    text = outputs[name]
    assert MASK in text  # the outputs do show the places the secrets were in
    assert not leaks(text), name


def test_reports_still_show_what_is_not_a_secret(outputs: dict[str, str]) -> None:
    md, facts = outputs["report md"], outputs["report json"]
    assert "DATABASE_URL: postgresql://app:****@db:5432/app?schema=public" in md
    assert 'MYSQL_PASSWORD: "****"' in md
    data = json.loads(facts)
    flat = json.dumps(data["facts"])
    for text in VISIBLE:
        assert text in flat, text
    kd304 = [line for line in outputs["check text"].splitlines() if " KD304 " in line]
    assert kd304 and not any("MYSQL_RANDOM_ROOT_PASSWORD" in line for line in kd304)  # a flag
    for rel in PLANTED:
        assert rel in {f["path"] for f in data["files"]}, rel  # every planted file was read


def _svg_lines(svg: str) -> list[str]:
    """The text of an SVG screenshot, one string per screen row (Textual writes a row as
    several `<text>` elements at the same y)."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(
        r"<text[^>]*?\bx=\"([\d.]+)\"[^>]*?\by=\"([\d.]+)\"[^>]*>(.*?)</text>", svg
    ):
        x, y, body = float(m[1]), float(m[2]), m[3]
        rows.setdefault(y, []).append((x, html.unescape(re.sub(r"<[^>]+>", "", body))))
    return [
        "".join(t for _, t in sorted(parts)).replace("\xa0", " ")
        for _, parts in sorted(rows.items())
    ]


async def test_drill_down_and_its_svg_export_show_no_planted_secret(tmp_path: Path) -> None:
    from analysis.model import Location
    from tui.app import KeepdataApp
    from tui.messages import DrillTarget
    from tui.modals.export_dialog import ExportRequest

    app = KeepdataApp(ROOT, watch=False, mask_volatile=True)
    async with app.run_test(size=(220, 70)) as pilot:
        await app.wait_for_analysis()
        for rel in PLANTED:
            app.open_drilldown(DrillTarget(location=Location(rel, 1), title=rel))
            await pilot.pause()
            code = app.drilldown.code
            shown = "\n".join(line.plain for line in code._lines)
            assert code.line_count == len((ROOT / rel).read_text().splitlines()), rel
            assert not leaks(shown), rel
            screen = "\n".join(_svg_lines(app.export_screenshot()))
            assert not leaks(screen), rel
            assert MASK in screen, rel  # the lines that held secrets are on screen
        app.open_drilldown(DrillTarget(location=Location("docker-compose.yml", 30), title="x"))
        await pilot.pause()
        app._save_svg(ExportRequest("svg", tmp_path / "drill.svg"))  # the export dialog's path
        await pilot.pause()
        svg = (tmp_path / "drill.svg").read_text(encoding="utf-8")
        screen = "\n".join(_svg_lines(svg))
        assert "STRIPE_KEY:" in screen and "GITHUB_PAT:" in screen  # the secret lines are shown
        assert not leaks(screen)
        findings = [f for f in app.snapshot.active if f.location.path in PLANTED]
        assert findings
        for f in findings:  # each finding's drill-down: title, message, related lines, file
            app.open_drilldown(DrillTarget.of_finding(f))
            await pilot.pause()
            assert not leaks("\n".join(_svg_lines(app.export_screenshot()))), f


# -- the masking function itself ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "STRIPE_KEY",
        "GITHUB_PAT",
        "DB_PASS",
        "DB_PWD",
        "JWT_KEY",
        "NPM_TOKEN",
        "_authToken",
        "apiKey",
        "clientSecret",
        "x-api-key",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "credentials",
        "password",
        "PGPASSWORD",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "privateKey",
        "NEXTAUTH_SECRET",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "MYSQL_RANDOM_ROOT_PASSWORD",
        "MYSQL_ALLOW_EMPTY_PASSWORD",
        "POSTGRES_PASSWORD_FILE",
        "PWD",
        "PATH",
        "primaryKey",
        "foreignKey",
        "DATABASE_URL",
        "POSTGRES_USER",
        "secrets",
        "key",
        "BYPASS_WORDLIST",
    ],
)
def test_names_that_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("STRIPE_KEY=sk_live_abcdefgh12345678", "STRIPE_KEY=****"),
        ("GITHUB_PAT: abc", "GITHUB_PAT: ****"),
        ('"apiKey": "a b c",', '"apiKey": "****",'),
        ("{'db_password':'x'}", "{'db_password':'****'}"),
        ('PASSWORD = "x y"', 'PASSWORD = "****"'),
        ("export DB_PASS='a b'", "export DB_PASS='****'"),
        ("ARG NPM_TOKEN=abc", "ARG NPM_TOKEN=****"),
        ("ENV APP_SECRET hello", "ENV APP_SECRET ****"),
        ("mysqladmin --password=abc status", "mysqladmin --password=**** status"),
        ("cli --token abc", "cli --token ****"),
        ("docker login --password-stdin -u me", "docker login --password-stdin -u me"),
        ("postgresql://u:p/a@ss:x@db:5432/app", "postgresql://u:****@db:5432/app"),
        ("redis://:pw@cache:6379", "redis://:****@cache:6379"),
        ("postgresql://u:${DB_PASSWORD}@db/x", "postgresql://u:${DB_PASSWORD}@db/x"),
        ("postgresql://u:${DB_PASSWORD:-dflt}@db/x", "postgresql://u:${DB_PASSWORD:-****}@db/x"),
        ("curl -fsS -u admin:pw http://x", "curl -fsS -u admin:**** http://x"),
        ("curl -u a:b x && curl -u c:d y", "curl -u a:**** x && curl -u c:**** y"),
        ("-H 'Authorization: Bearer abc.def'", "-H 'Authorization: Bearer ****'"),
        ("CREATE USER u WITH PASSWORD 'x';", "CREATE USER u WITH PASSWORD '****';"),
        ("token ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5 here", "token **** here"),
        ("xoxp-1234567890-abcdef", "****"),
        ("id AKIAIOSFODNN7EXAMPLE.", "id ****."),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "****"),
        ('"seed": "ADMIN_TOKEN=abc node seed.js"', '"seed": "ADMIN_TOKEN=**** node seed.js"'),
        ('"KEY": {"value": "v"}', '"KEY": {"value": "v"}'),
        ('"MY_SECRET": {"value": "v"}', '"MY_SECRET": {"value": "****"}'),
        ("(API_TOKEN=abc)", "(API_TOKEN=****)"),
        ("?token=abc&page=2", "?token=****&page=2"),
    ],
)
def test_mask_secrets_spellings(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


ORDINARY = [
    # Prisma's own warnings and prompts
    "You are about to drop the column `password` on the `User` table, which still contains "
    "3 non-null values.",
    "⚠️  There might be data loss when applying the changes:\n\n  • You are about to drop the "
    "`Token` table, which is not empty (12 rows).",
    "You are about to drop the column `apiKey` on the `Account` table.",
    # keepdata's own messages quoting a name that looks like a key (seen on the corpus)
    'migration 20230104145733_v0_5_1 drops table "RefreshToken": every row in it is lost',
    'renames column "AIGatewayLogs"."cacheInputToken" to "cacheReadInputToken": running code '
    "that still uses the old name fails until it is deployed",
    '? We need to reset the "public" schema at "db:5432"\nDo you want to continue? All data '
    "will be lost.",
    # prose
    "Token rotation is explained below; the secret is kept in a vault.",
    "Rotate a password that was committed. Use POSTGRES_PASSWORD_FILE with compose secrets.",
    "POSTGRES_PASSWORD has no default: set it in .env",
    "ENV API_KEY in stage 1 (the image's own stage) holds a secret (API_KEY=****): it is baked",
    # SQL and schema with `password`/`token` columns
    'ALTER TABLE "User" ADD COLUMN "password" TEXT NOT NULL;',
    'ALTER TABLE "User" DROP COLUMN "token";',
    "  password String\n  token    String?  @unique",
    # references, flags, file names, code that reads the environment
    "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}",
    "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}",
    "DATABASE_URL: postgresql://${POSTGRES_USER:-app}:${POSTGRES_PASSWORD}@db:5432/app",
    "- POSTGRES_PASSWORD=$POSTGRES_PASSWORD",
    "MYSQL_RANDOM_ROOT_PASSWORD: 'yes'",
    "MYSQL_ALLOW_EMPTY_PASSWORD=true",
    "POSTGRES_PASSWORD_FILE: /run/secrets/db_password",
    "secrets:\n  - db_password",
    "password: process.env.DB_PASSWORD,",
    "PASSWORD:\nYou are about to drop",
    "if token == 'x':",
    "docker run -u 1000:1000 app",
    "http://localhost:3000/api",
    "postgresql://app@db:5432/app",
    "PWD=/app",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert mask_secrets(text) == text
    assert safe_text(text) == text


def test_rule_documentation_is_unchanged_except_its_secret_examples() -> None:
    """Masking the rules' own prose changes nothing but the example secrets in it."""
    from analysis.rule_texts import TEXTS

    for rule_id, t in TEXTS.items():
        for field in ("short", "rationale", "fix"):
            text = getattr(t, field)
            if "://" not in text and "PASSWORD:" not in text:
                assert mask_secrets(text) == text, (rule_id, field)


def test_mask_value_masks_a_secret_variable_whole() -> None:
    assert mask_value("DB_PASS", "a b c") == MASK
    assert mask_value("DB_PASS", "${DB_PASS}") == "${DB_PASS}"
    assert mask_value("DB_PASS", "${DB_PASS:-x}") == "${DB_PASS:-****}"
    assert mask_value("MYSQL_RANDOM_ROOT_PASSWORD", "yes") == "yes"
    assert mask_value("DATABASE_URL", "postgresql://u:p@h/d") == "postgresql://u:****@h/d"
