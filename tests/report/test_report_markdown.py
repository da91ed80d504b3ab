"""`report --format md`: the seed's sections in its order, balanced fences, valid Mermaid,
masked secrets, critical issues first, and the same text for the same files."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analysis.facts.startup.records import PrismaStep, StartupFacts
from analysis.model import Finding, Location, Severity
from analysis.parsers.prisma_cli import PrismaInvocation
from analysis.pipeline import run
from analysis.report.markdown import GENERATED_PREFIX, code, esc, fence, render_markdown
from analysis.report.render import render
from tests.conftest import EXAMPLES
from tests.report.results import with_findings

SECTIONS = [
    "Configuration Review Summary",
    "Potential Issues & Mitigations",
    "Data Safety Checklist",
    "Final Verdict",
    "Test Scenarios",
    "Relations",
    "Files analyzed",
]
AREAS = [
    "1. Database Persistence",
    "2. Migration Strategy",
    "3. Prisma Schema Review",
    "4. Wait Script Safety",
    "5. Dockerfile Prisma Setup",
    "6. Volume Mounts",
    "7. Environment Variables",
]


# -- validators -----------------------------------------------------------------------------
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<ticks>`{3,}|~{3,})(?P<info>.*)$")


def fenced_blocks(markdown: str) -> list[tuple[str, list[str]]]:
    """(info string, body lines) of every fenced block; fails on an unclosed fence or a
    backtick fence whose info string holds a backtick (CommonMark would not open it)."""
    blocks: list[tuple[str, list[str]]] = []
    open_ticks: str | None = None
    info = ""
    body: list[str] = []
    for n, line in enumerate(markdown.splitlines(), start=1):
        m = _FENCE.match(line)
        if open_ticks is None:
            if m:
                assert not (m["ticks"][0] == "`" and "`" in m["info"]), f"line {n}: bad info"
                open_ticks, info, body = m["ticks"], m["info"].strip(), []
            continue
        if (
            m
            and m["ticks"][0] == open_ticks[0]
            and len(m["ticks"]) >= len(open_ticks)
            and not m["info"].strip()
        ):
            blocks.append((info, body))
            open_ticks = None
        else:
            body.append(line)
    assert open_ticks is None, "a fence is never closed"
    return blocks


_ENTITY = r"(?:[A-Za-z_][A-Za-z0-9_-]*)"
_CARD_LEFT = r"(?:\|o|\|\||\}o|\}\|)"
_CARD_RIGHT = r"(?:o\||\|\||o\{|\|\{)"
_RELATION = re.compile(
    rf"^\s*(?P<a>{_ENTITY})\s+{_CARD_LEFT}(?:--|\.\.){_CARD_RIGHT}\s+(?P<b>{_ENTITY})\s*:\s*"
    r'(?P<label>"[^"\n]*"|[A-Za-z0-9_-]+)\s*$'
)
_BLOCK_OPEN = re.compile(rf"^\s*(?P<a>{_ENTITY})\s*\{{\s*$")
_ATTRIBUTE = re.compile(
    r"^\s*[A-Za-z_][A-Za-z0-9_\-\[\]()]*\s+\*?[A-Za-z_][A-Za-z0-9_-]*"
    r'(?:\s+(?:PK|FK|UK)(?:\s*,\s*(?:PK|FK|UK))*)?(?:\s+"[^"\n]*")?\s*$'
)


def validate_er_diagram(text: str) -> set[str]:
    """A careful structural check of a Mermaid erDiagram: the header, then relationship
    lines (entity, cardinality tokens, quoted label), entity blocks with attribute lines,
    and %% comments. Returns the entity names it saw."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines and lines[0].strip() == "erDiagram", "first line must be `erDiagram`"
    entities: set[str] = set()
    in_block = False
    for line in lines[1:]:
        s = line.strip()
        if s.startswith("%%"):
            continue
        if in_block:
            if s == "}":
                in_block = False
                continue
            assert _ATTRIBUTE.match(line), f"bad attribute line: {line!r}"
            continue
        if m := _BLOCK_OPEN.match(line):
            entities.add(m["a"])
            in_block = True
            continue
        m = _RELATION.match(line)
        assert m, f"bad relationship line: {line!r}"
        entities.update((m["a"], m["b"]))
    assert not in_block, "an entity block is never closed"
    return entities


def test_the_validators_reject_what_github_would_not_render() -> None:
    assert validate_er_diagram('erDiagram\n  User ||--o{ Session : "user (Cascade)"\n') == {
        "User",
        "Session",
    }
    validate_er_diagram('erDiagram\n  User {\n    String id PK "@id"\n  }\n  %% note\n')
    for bad in (
        "graph TD\n  A --> B\n",
        'erDiagram\n  User ||--o{ Session : "a "quoted" label"\n',
        "erDiagram\n  User -> Session : x\n",
        'erDiagram\n  Us er ||--o{ Session : "x"\n',
        "erDiagram\n  User {\n    String id PK\n",
    ):
        with pytest.raises(AssertionError):
            validate_er_diagram(bad)
    with pytest.raises(AssertionError):
        fenced_blocks("text\n```yaml\na: 1\n")
    assert fenced_blocks("````md\n```\ninner\n```\n````\n") == [("md", ["```", "inner", "```"])]


def test_helpers_keep_markdown_balanced() -> None:
    body = "a\n```\nb\n```"
    block = "\n".join(fence(body, "text"))
    assert fenced_blocks(block) == [("text", body.splitlines())]
    assert code("a`b") == "`` a`b ``"
    assert esc("<script>x</script> `<kept>`") == "&lt;script&gt;x&lt;/script&gt; `<kept>`"
    assert esc("a|b", table=True) == "a\\|b"
    assert "hunter2" not in esc("postgresql://u:hunter2@db/x")


# -- reports ------------------------------------------------------------------------------------
def headings(markdown: str, level: int) -> list[str]:
    prefix = "#" * level + " "
    return [line[len(prefix) :] for line in markdown.splitlines() if line.startswith(prefix)]


def check_shape(markdown: str) -> None:
    assert markdown.startswith("# Prisma Data Safety - Verification Report\n")
    found = headings(markdown, 2)
    positions = [next(i for i, h in enumerate(found) if h.endswith(title)) for title in SECTIONS]
    assert positions == sorted(positions), found
    areas = [h for h in headings(markdown, 3) if re.match(r"\d\. ", h)]
    assert [re.sub(r" [✅⚠️🟠❌❔].*$", "", a) for a in areas] == AREAS
    blocks = fenced_blocks(markdown)
    for info, body in blocks:
        if info == "mermaid":
            validate_er_diagram("\n".join(body))
    assert markdown.count(GENERATED_PREFIX) == 1


@pytest.fixture
def risky_tree(write_tree) -> Path:
    return write_tree(
        {
            "docker-compose.yml": (
                "services:\n  db:\n    image: postgres\n    environment:\n"
                "      POSTGRES_PASSWORD: hunter2\n  app:\n    build: .\n    environment:\n"
                "      DATABASE_URL: postgresql://app:hunter2@db:5432/app\n"
            ),
            "start.sh": "#!/bin/sh\nnpx prisma db push --accept-data-loss\nnode server.js\n",
        }
    )


def test_synthetic_findings_critical_first_and_masked(risky_tree: Path) -> None:
    a = run(risky_tree)
    findings = (
        Finding("KD212", Severity.LOW, "db has no healthcheck", Location("docker-compose.yml", 2)),
        Finding("KD401", Severity.MEDIUM, "literal password", Location("docker-compose.yml", 5)),
        Finding(
            "KD201",
            Severity.CRITICAL,
            "db push --accept-data-loss on start",
            Location("start.sh", 2),
        ),
        Finding("KD501", Severity.INFO, "<b>cascade</b>", Location("docker-compose.yml", 1)),
    )
    md = render(with_findings(a, findings, read=("docker-compose.yml", "start.sh")), "md", "risky")
    check_shape(md)
    issues = headings(md, 3)
    order = [h for h in issues if h.startswith("Issue ")]
    assert [h.split()[2] for h in order] == ["KD201", "KD401", "KD212"]
    assert "**Risk Level:** 🔴 **CRITICAL**" in md
    assert "### Overall Data Safety: ❌ **UNSAFE**" in md
    assert "hunter2" not in md
    assert "<b>" not in md


def test_same_files_same_report_except_the_time(risky_tree: Path) -> None:
    a = run(risky_tree)
    first = render_markdown(a, "risky", now=datetime(2025, 1, 1, tzinfo=UTC))
    second = render_markdown(run(risky_tree), "risky", now=datetime(2026, 2, 2, tzinfo=UTC))
    assert first != second

    def strip(text: str) -> str:
        return "\n".join(x for x in text.splitlines() if not x.startswith(GENERATED_PREFIX))

    assert strip(first) == strip(second)


@pytest.mark.parametrize("example", ["seed-app", "risky-app"])
def test_examples_have_the_seed_shape(example: str) -> None:
    root = EXAMPLES / example
    check_shape(render(run(root), "md", f"examples/{example}"))


SEVERITY_ORDER = ["CRITICAL", "HIGH", "MEDIUM", "LOW"]


def test_examples_verdicts_and_issue_order() -> None:
    seed, risky = EXAMPLES / "seed-app", EXAMPLES / "risky-app"
    seed_md = render(run(seed), "md", "examples/seed-app")
    verdict_line = next(x for x in seed_md.splitlines() if x.startswith("### Overall"))
    assert verdict_line.endswith(("**SAFE**", "**SAFE WITH WARNINGS**")), verdict_line
    a = run(risky)
    assert any(f.severity == Severity.CRITICAL for f in a.active)
    risky_md = render(a, "md", "examples/risky-app")
    assert "### Overall Data Safety: ❌ **UNSAFE**" in risky_md
    levels = re.findall(r"^\*\*Risk Level:\*\* \S+ \*\*(\w+)\*\*$", risky_md, re.M)
    assert levels and levels[0] == "CRITICAL"
    ranks = [SEVERITY_ORDER.index(x) for x in levels]
    assert ranks == sorted(ranks)


def test_migration_strategy_quotes_the_prisma_commands(write_tree, monkeypatch) -> None:
    root = write_tree(
        {"start.sh": "#!/bin/sh\nset -e\nnpx prisma migrate deploy\nexec node dist/index.js\n"}
    )
    a = run(root)
    invocation = PrismaInvocation("migrate deploy", "migrate deploy", (), (), "npx")
    step = PrismaStep(
        "migrate deploy",
        (),
        invocation,
        "startup",
        Location("start.sh", 3),
        "npx prisma migrate deploy",
        (),
        "p",
        "script",
    )
    startup = StartupFacts(paths=(), commands=(step,))
    facts = replace(a.facts, startup=startup)
    md = render_markdown(with_findings(a, read=("start.sh",), facts=facts), "proj")
    section = md.split("### 2. Migration Strategy")[1].split("### 3.")[0]
    assert "`start.sh` line 3:" in section
    assert "npx prisma migrate deploy" in section
    assert "- `prisma migrate deploy` (startup) (`start.sh:3`)" in section
    check_shape(md)


def _big_project(root: Path, migrations: int) -> Path:
    """A project whose full report is far over a comment: many destructive migrations, a
    schema with many cascades, many files."""
    root.mkdir(parents=True)
    (root / "docker-compose.yml").write_text(
        "services:\n  db:\n    image: postgres:16\n    environment:\n"
        "      POSTGRES_PASSWORD: postgres\n"
    )
    mig = root / "prisma" / "migrations"
    for i in range(migrations):
        d = mig / f"2024{i:010d}_m{i}"
        d.mkdir(parents=True)
        (d / "migration.sql").write_text(
            f'-- CreateTable\nCREATE TABLE "T{i}" ("id" SERIAL NOT NULL, "c" TEXT, '
            f'CONSTRAINT "T{i}_pkey" PRIMARY KEY ("id"));\n'
            + (f'-- DropColumn\nALTER TABLE "T{i - 1}" DROP COLUMN "c";\n' if i else "")
        )
    models = 'model M0 {\n  id Int @id\n  children M1[] @relation("r1")\n}\n' + "\n".join(
        f"model M{i} {{\n  id Int @id\n  parentId Int\n"
        f'  parent M{i - 1} @relation("r{i}", fields: [parentId], references: [id],'
        " onDelete: Cascade)\n"
        + (f'  children M{i + 1}[] @relation("r{i + 1}")\n' if i < 79 else "")
        + "}\n"
        for i in range(1, 80)
    )
    (root / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n' + models
    )
    return root


def test_the_default_report_fits_a_pull_request_comment(tmp_path: Path) -> None:
    from analysis.report.markdown import COMMENT_LIMIT

    root = _big_project(tmp_path / "big", 400)
    a = run(root)
    full = render(a, "md", "big", full=True)
    compact = render(a, "md", "big")
    assert len(full) > COMMENT_LIMIT >= len(compact)
    check_shape(compact)
    assert "keepdata report --full" in compact
    # each finding is told once: its message appears no more often than findings carry it
    messages: dict[str, int] = {}
    for f in a.active:
        if f.severity > Severity.INFO:
            messages[esc(f.message)] = messages.get(esc(f.message), 0) + 1
    for message, n in messages.items():
        assert compact.count(message) <= n, message


def test_the_full_report_lists_every_finding_in_its_area() -> None:
    a = run(EXAMPLES / "risky-app")
    full = render(a, "md", "examples/risky-app", full=True)
    compact = render(a, "md", "examples/risky-app")
    loud = [f for f in a.active if f.severity >= Severity.HIGH]
    assert all(esc(f.message) in full for f in loud)
    assert len(compact) < len(full) // 2
    assert "(listed once, under Potential Issues)" in compact
