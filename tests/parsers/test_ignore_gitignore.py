from __future__ import annotations

from pathlib import Path

from analysis.context import Context
from analysis.discover import discover
from analysis.parsers.gitignore import (
    GitignoreMatcher,
    gitignore_matcher,
    parse_gitignore_text,
    wildmatch_regex,
)


def matcher(*files: tuple[str, str]) -> GitignoreMatcher:
    parsed = []
    for path, text in files:
        base = path.rsplit("/", 1)[0] if "/" in path else ""
        parsed.append(parse_gitignore_text(text, path, base))
    return GitignoreMatcher(tuple(parsed))


def test_unanchored_pattern_matches_at_any_depth() -> None:
    m = matcher((".gitignore", "# deps\nnode_modules\n*.log\n"))
    assert m.ignored("node_modules/x/index.js") is not None
    assert m.ignored("apps/web/node_modules/react/index.js") is not None
    hit = m.ignored("logs/server.log")
    assert hit is not None and hit.line == 3 and hit.path == ".gitignore"
    assert m.ignored("src/app.ts") is None


def test_anchored_pattern_only_from_its_folder() -> None:
    m = matcher((".gitignore", "/build\nprisma/migrations\n"))
    assert m.ignored("build/app.js") is not None
    assert m.ignored("packages/x/build/app.js") is None
    assert m.ignored("prisma/migrations/20240101_init/migration.sql") is not None
    assert m.ignored("apps/api/prisma/migrations/1/migration.sql") is None


def test_trailing_slash_is_directory_only() -> None:
    m = matcher((".gitignore", "migrations/\n"))
    assert m.ignored("prisma/migrations", is_dir=True) is not None
    assert m.ignored("prisma/migrations/1/migration.sql") is not None  # below the directory
    assert m.ignored("notes/migrations") is None  # a file named migrations


def test_double_star_forms() -> None:
    m = matcher((".gitignore", "**/migration.sql\nlogs/**\na/**/z\n"))
    assert m.ignored("migration.sql") is not None
    assert m.ignored("prisma/migrations/1/migration.sql") is not None
    assert m.ignored("logs/x/y.txt") is not None
    assert m.ignored("a/z") is not None and m.ignored("a/b/c/z") is not None
    assert m.ignored("ab/z") is None


def test_negation_and_last_match_wins() -> None:
    m = matcher((".gitignore", ".env*\n!.env.example\n"))
    assert m.ignored(".env") is not None
    assert m.ignored(".env.example") is None
    decided = m.decide(".env.example")
    assert decided is not None and decided.negated and decided.line == 2


def test_negation_cannot_reinclude_below_excluded_directory() -> None:
    m = matcher((".gitignore", "prisma/\n!prisma/migrations/\n!prisma/migrations/**\n"))
    hit = m.ignored("prisma/migrations/1/migration.sql")
    assert hit is not None and hit.line == 1
    # the documented way: exclude the content, not the directory
    ok = matcher((".gitignore", "prisma/*\n!prisma/migrations/\n"))
    assert ok.ignored("prisma/migrations/1/migration.sql") is None
    assert ok.ignored("prisma/dev.db") is not None


def test_nested_gitignore_applies_to_its_folder_and_overrides() -> None:
    m = matcher(
        (".gitignore", "*.sql\n"),
        ("apps/api/.gitignore", "!migration.sql\n/tmp\n"),
    )
    assert m.ignored("apps/api/prisma/migrations/1/migration.sql") is None
    assert m.ignored("prisma/migrations/1/migration.sql") is not None
    tmp = m.ignored("apps/api/tmp/x")
    assert tmp is not None and tmp.path == "apps/api/.gitignore"
    assert m.ignored("tmp/x") is None


def test_escapes_and_trailing_spaces() -> None:
    m = matcher((".gitignore", "\\#notes\n\\!important\nspaced   \nkeep\\ \n"))
    assert m.ignored("#notes") is not None
    assert m.ignored("!important") is not None
    assert m.ignored("spaced") is not None
    assert m.ignored("keep ") is not None


def test_wildmatch_classes() -> None:
    assert wildmatch_regex("file[0-9].txt").match("file7.txt")
    assert not wildmatch_regex("file[!0-9].txt").match("file7.txt")
    assert wildmatch_regex("[[:digit:]]x").match("5x")
    assert not wildmatch_regex("a*b").match("a/b")


def test_fact_reads_project_files(write_tree) -> None:
    root: Path = write_tree(
        {
            ".gitignore": "node_modules\n.env\n",
            "api/.gitignore": "prisma/migrations/\n",
            "api/prisma/migrations/1_init/migration.sql": "CREATE TABLE a (id int);\n",
            ".git/info/exclude": "local-notes.md\n",
        }
    )
    ctx = Context(root, discover(root))
    m = ctx.fact(gitignore_matcher)
    hit = m.ignored("api/prisma/migrations/1_init/migration.sql")
    assert hit is not None and hit.location.path == "api/.gitignore" and hit.line == 1
    assert m.ignored(".env") is not None
    assert m.ignored("local-notes.md") is not None


def test_character_class_operators_are_literal(recwarn) -> None:
    m = matcher((".gitignore", "x[~~]y\nq[!a-c]\n"))
    assert m.ignored("x~y") is not None and m.ignored("xay") is None
    assert m.ignored("qd") is not None and m.ignored("qb") is None
    assert not [w for w in recwarn if issubclass(w.category, FutureWarning)]
