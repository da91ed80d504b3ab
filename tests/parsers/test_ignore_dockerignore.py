from __future__ import annotations

import pytest

from analysis.parsers.dockerignore import (
    DockerIgnore,
    effective_dockerignore,
    go_clean,
    parse_dockerignore,
)
from analysis.sources import SourceFile


def di(text: str, path: str = ".dockerignore") -> DockerIgnore:
    return parse_dockerignore(SourceFile(path, text, "d", len(text)))


def test_docker_docs_example_temp_patterns() -> None:
    ign = di("# comment\n*/temp*\n*/*/temp*\ntemp?\n")
    assert ign.excluded("somedir/temporary.txt")
    assert ign.excluded("somedir/temp")
    assert ign.excluded("somedir/temp/inside.txt")  # a matched directory excludes its content
    assert not ign.excluded("temporary.txt")  # */temp* needs one directory level
    assert ign.excluded("somedir/subdir/temporary.txt")
    assert ign.excluded("tempa") and ign.excluded("tempb")
    assert not ign.excluded("tempab")
    assert ign.matching_line("somedir/subdir/temporary.txt").line == 3  # type: ignore[union-attr]
    assert ign.matching_line("tempa").line == 4  # type: ignore[union-attr]


def test_double_star_matches_any_number_of_directories() -> None:
    ign = di("**/*.go\n")
    assert ign.excluded("main.go")
    assert ign.excluded("a/b/c/main.go")
    assert not ign.excluded("main.gox")


def test_readme_exception_and_ordering() -> None:
    only_readme = di("*.md\n!README*.md\n")
    assert only_readme.excluded("CHANGELOG.md")
    assert not only_readme.excluded("README.md")
    assert only_readme.matching_line("README.md").negated  # type: ignore[union-attr]
    assert only_readme.matching_line("README.md").line == 2  # type: ignore[union-attr]

    secret_last = di("*.md\n!README*.md\nREADME-secret.md\n")
    assert secret_last.excluded("README-secret.md")
    assert not secret_last.excluded("README-public.md")

    secret_middle = di("*.md\nREADME-secret.md\n!README*.md\n")
    assert not secret_middle.excluded("README-secret.md")  # the middle line has no effect


def test_cleaning_leading_slash_dot_and_trailing_slash() -> None:
    ign = di("/node_modules\n./dist/\n  build  \n")
    assert ign.excluded("node_modules/x/index.js")
    assert ign.excluded("dist/app.js")
    assert ign.excluded("build")
    assert [p.pattern for p in ign.patterns] == ["node_modules", "dist", "build"]


def test_comment_only_at_column_one() -> None:
    ign = di("# real comment\n  # not a comment\n")
    assert [p.pattern for p in ign.patterns] == ["# not a comment"]


def test_directory_exclusion_and_reinclusion_below_it() -> None:
    ign = di("prisma\n!prisma/migrations\n")
    assert ign.excluded("prisma/schema.prisma")
    assert not ign.excluded("prisma/migrations/20240101_init/migration.sql")
    assert ign.matching_line("prisma/migrations/20240101_init/migration.sql").line == 2  # type: ignore[union-attr]


def test_migrations_hidden_by_glob() -> None:
    ign = di("node_modules\n**/migrations\n.env*\n")
    deciding = ign.matching_line("prisma/migrations/20240101_init/migration.sql")
    assert deciding is not None and deciding.line == 2 and not deciding.negated
    assert ign.excluded(".env.production")
    assert not ign.excluded("src/index.ts")
    assert ign.matching_line("src/index.ts") is None


def test_trailing_double_star_is_prefix() -> None:
    ign = di("docs/**\n")
    assert ign.excluded("docs/a/b.md")
    assert not ign.excluded("docsx/a.md")


def test_leading_double_star_suffix() -> None:
    ign = di("**/.env\n")
    assert ign.excluded(".env")
    assert ign.excluded("apps/web/.env")
    assert not ign.excluded("apps/web/x.env")


def test_escape_and_question_mark_do_not_cross_slash() -> None:
    ign = di("a?b\nweird\\*name\n")
    assert ign.excluded("axb")
    assert not ign.excluded("a/b")
    assert ign.excluded("weird*name")
    assert not ign.excluded("weirdXname")


def test_character_class() -> None:
    ign = di("file[0-9].txt\n")
    assert ign.excluded("file3.txt") and not ign.excluded("filea.txt")


@pytest.mark.parametrize("bad", ["!\n", "! \n", "[abc\n"])
def test_bad_patterns_are_problems(bad: str) -> None:
    ign = di("ok\n" + bad)
    assert [(p.rule, p.location.line) for p in ign.problems] == [("KD001", 2)]
    assert ign.excluded("ok")


def test_context_itself_is_never_excluded() -> None:
    assert not di("*\n").excluded(".")
    assert di("*\n").excluded("anything")


def test_go_clean() -> None:
    assert go_clean("a//b/./c/..") == "a/b"
    assert go_clean("//x") == "/x"
    assert go_clean("") == "."
    assert go_clean("../a") == "../a"


def test_effective_dockerignore_prefers_dockerfile_specific() -> None:
    existing = {"apps/api/Dockerfile.dockerignore", ".dockerignore"}
    assert (
        effective_dockerignore("apps/api/Dockerfile", ".", existing.__contains__)
        == "apps/api/Dockerfile.dockerignore"
    )
    assert effective_dockerignore("Dockerfile", ".", existing.__contains__) == ".dockerignore"
    assert effective_dockerignore("apps/web/Dockerfile", "apps/web", existing.__contains__) is None


def test_character_class_operators_are_literal_and_bad_ranges_rejected(recwarn) -> None:
    ign = di("x[&&]y\nv[--]w\n")
    assert ign.excluded("x&y") and ign.excluded("v-w") and not ign.excluded("xay")
    bad = di("[z-a]\n")
    assert [p.location.line for p in bad.problems] == [1]
    assert not [w for w in recwarn if issubclass(w.category, FutureWarning)]
