"""The shell parser: commands, lines, conditions, loops, failure handling, recovery."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analysis.parsers.shell import (
    ShellCommand,
    ShellScript,
    effective_argv,
    moved_to,
    parse_shell,
    parse_shell_text,
    shell_script_argument,
    shell_script_file,
    tokenize,
    unquote,
)
from analysis.sources import SourceFile
from tests.conftest import REPO

SEED_WAIT_FOR_DB = """#!/bin/sh
# Wait for PostgreSQL, then apply migrations (or push the schema in development).
set -e

MAX_RETRIES=30
RETRY_COUNT=0

echo "Waiting for database..."
until pg_isready -h db -U "$POSTGRES_USER" > /dev/null 2>&1; do
  RETRY_COUNT=$((RETRY_COUNT + 1))
  if [ "$RETRY_COUNT" -ge "$MAX_RETRIES" ]; then
    echo "Database is not ready after $MAX_RETRIES attempts, giving up" >&2
    exit 1
  fi
  sleep 2
done

has_migrations=false
if [ -d "prisma/migrations" ] && [ "$(ls -A prisma/migrations 2>/dev/null)" ]; then
  has_migrations=true
fi

if [ "$has_migrations" = true ]; then
  echo "Applying migrations..."
  npx prisma migrate deploy
else
  echo "WARNING: no migrations found, using prisma db push (development only)"
  npx prisma db push
fi

npx prisma generate
exec "$@"
"""


def parse(text: str, path: str = "scripts/entrypoint.sh", **kw: bool) -> ShellScript:
    return parse_shell(SourceFile(path, text, "digest", len(text)), **kw)


def find(script: ShellScript, *words: str) -> ShellCommand:
    for c in script.commands:
        if c.words[: len(words)] == words or effective_argv(c.words)[: len(words)] == words:
            return c
    raise AssertionError(f"no command {words} in {[c.words for c in script.commands]}")


# -- the seed's wait-for-db.sh ------------------------------------------------------------------


def test_seed_script_commands_lines_and_branches() -> None:
    s = parse(SEED_WAIT_FOR_DB)
    assert s.problems == ()
    deploy = find(s, "npx", "prisma", "migrate", "deploy")
    push = find(s, "npx", "prisma", "db", "push")
    assert (deploy.line, deploy.location.column) == (25, 3)
    assert push.line == 28
    # the two arms of one `if`
    (c1,) = deploy.conditions
    (c2,) = push.conditions
    assert c1.group == c2.group and c1.arm == 0 and c2.arm == 1
    assert c1.kind == "if" and c1.text == '[ "$has_migrations" = true ]'
    assert c2.kind == "else"
    assert [str(r) for r in c1.requires] == ["$has_migrations = true"]
    # has_migrations is the script's own variable, set under a test of the migrations folder
    assigned = s.assigned("has_migrations")
    assert [a.value for a in assigned] == ["false", "true"]
    assert "prisma/migrations" in assigned[1].conditions[0].text
    assert deploy.errexit and push.errexit and deploy.stops_on_failure
    assert s.ends_with_exec and s.final[0].words == ("exec", "$@")


def test_seed_wait_loop_is_bounded() -> None:
    s = parse(SEED_WAIT_FOR_DB)
    (loop,) = s.loops
    assert loop.kind == "until" and loop.line == 9 and loop.end_line == 16
    assert loop.bounded and "RETRY_COUNT" in loop.bound
    assert loop.probes == ("pg_isready",) and loop.is_wait
    sleep = find(s, "sleep", "2")
    assert sleep.loop is loop


def test_unbounded_wait_loop() -> None:
    s = parse("#!/bin/sh\nuntil nc -z db 5432; do\n  echo waiting\n  sleep 1\ndone\n")
    (loop,) = s.loops
    assert not loop.bounded and loop.bound == "" and loop.is_wait


@pytest.mark.parametrize(
    "text",
    [
        "i=0\nwhile (( i < 30 )); do\n  pg_isready -h db && break\n  ((i++))\n  sleep 1\ndone\n",
        "for i in $(seq 1 30); do\n  pg_isready -h db && break\n  sleep 1\ndone\n",
        "for i in 1 2 3 4 5; do pg_isready && break; sleep 1; done\n",
        "n=0\nuntil pg_isready; do\n  n=$((n+1))\n  [ $n -ge 20 ] && exit 1\n  sleep 1\ndone\n",
        "timeout 60 sh -c 'until pg_isready -h db; do sleep 1; done'\n",
        "start=$(date +%s)\nwhile ! nc -z db 5432; do\n"
        "  if [ $(( $(date +%s) - start )) -gt 60 ]; then exit 1; fi\n  sleep 1\ndone\n",
    ],
)
def test_bounded_loops(text: str) -> None:
    s = parse(text)
    assert s.loops and all(loop.bounded for loop in s.loops), s.loops


# -- lists, pipelines, failure handling ---------------------------------------------------------


def test_or_true_and_fallback_and_exit() -> None:
    s = parse(
        "npx prisma migrate deploy || true\n"
        "npx prisma migrate deploy || npx prisma db push\n"
        'npx prisma migrate deploy || { echo "failed" >&2; exit 1; }\n'
        "npx prisma migrate deploy || echo 'migration failed, continuing'\n"
    )
    cmds = [c for c in s.commands if c.words[:2] == ("npx", "prisma") and "deploy" in c.words]
    assert [c.on_failure for c in cmds] == ["ignore", "fallback", "exit", "ignore"]
    assert cmds[1].fallback == "npx prisma db push"
    push = find(s, "npx", "prisma", "db", "push")
    assert push.conditions[0].kind == "or"
    assert not cmds[0].stops_on_failure and cmds[2].stops_on_failure


def test_and_chain_and_set_e_semantics() -> None:
    s = parse("set -e\nnpx prisma migrate deploy && echo ok\nexec node server.js\n")
    deploy = find(s, "npx", "prisma")
    assert deploy.errexit and deploy.and_follows
    # set -e does not stop on the left of &&
    assert not deploy.stops_on_failure
    echo = find(s, "echo", "ok")
    assert echo.conditions[0].kind == "and" and echo.chain == deploy.chain


def test_pipefail_and_tee() -> None:
    without = parse("set -e\nnpx prisma migrate deploy | tee /tmp/migrate.log\n")
    cmd = find(without, "npx", "prisma")
    assert cmd.piped and not cmd.pipefail and not cmd.stops_on_failure
    with_pf = parse("set -euo pipefail\nnpx prisma migrate deploy | tee /tmp/migrate.log\n")
    cmd = find(with_pf, "npx", "prisma")
    assert cmd.piped and cmd.pipefail and cmd.stops_on_failure
    option = parse("set -o errexit\nset -o pipefail\nnpx prisma migrate deploy | tee log\n")
    assert find(option, "npx", "prisma").stops_on_failure
    off = parse("set -e\nset +e\nnpx prisma migrate deploy\n")
    assert not find(off, "npx", "prisma").errexit


def test_status_checked_and_tested() -> None:
    s = parse(
        "npx prisma migrate deploy\n"
        'if [ $? -ne 0 ]; then echo "migration failed"; exit 1; fi\n'
        "if ! npx prisma db push; then exit 1; fi\n"
    )
    assert find(s, "npx", "prisma", "migrate").status_checked
    push = find(s, "npx", "prisma", "db")
    assert push.tested and push.stops_on_failure


def test_shebang_errexit() -> None:
    s = parse("#!/bin/bash -e\nnpx prisma migrate deploy\n")
    assert s.errexit_at_start and find(s, "npx").errexit


def test_semicolon_list_and_background() -> None:
    s = parse("npx prisma migrate deploy; echo continuing\nnode worker.js &\nexec node server.js\n")
    deploy = find(s, "npx")
    assert not deploy.errexit and not deploy.stops_on_failure
    assert find(s, "node", "worker.js").background
    assert s.ends_with_exec


# -- conditions ---------------------------------------------------------------------------------


def test_opt_in_variable_conditions() -> None:
    s = parse(
        'if [ "$DATABASE_SETUP" = 1 ]; then\n'
        "  npx prisma db push --accept-data-loss\n"
        "fi\n"
        '[[ "$RUN_MIGRATIONS" == "true" ]] && npx prisma migrate deploy\n'
        'if [ -z "$SKIP_MIGRATIONS" ]; then npx prisma migrate deploy; fi\n'
        'if [ "${SEED:-false}" = "true" ]; then npx prisma db seed; fi\n'
        'if [ "${MIGRATE:-1}" = "1" ]; then npx prisma migrate deploy; fi\n'
    )
    push = find(s, "npx", "prisma", "db", "push")
    assert [str(r) for r in push.conditions[0].requires] == ["$DATABASE_SETUP = 1"]
    after_and = next(c for c in s.commands if c.line == 4 and c.words[0] == "npx")
    assert [str(r) for r in after_and.conditions[0].requires] == ["$RUN_MIGRATIONS = true"]
    skip = next(c for c in s.commands if c.line == 5 and c.words[0] == "npx")
    assert skip.conditions[0].requires == ()  # runs unless SKIP_MIGRATIONS is set
    seed = find(s, "npx", "prisma", "db", "seed")
    assert [str(r) for r in seed.conditions[0].requires] == ["$SEED = true"]
    default_on = next(c for c in s.commands if c.line == 7 and c.words[0] == "npx")
    assert default_on.conditions[0].requires == ()  # the default turns it on


def test_elif_else_excludes_and_case() -> None:
    s = parse(
        'case "$1" in\n'
        "  migrate|deploy)\n"
        "    npx prisma migrate deploy\n"
        "    ;;\n"
        "  reset) npx prisma migrate reset --force ;;\n"
        '  *) exec "$@" ;;\n'
        "esac\n"
    )
    reset = find(s, "npx", "prisma", "migrate", "reset")
    (cond,) = reset.conditions
    assert cond.kind == "case" and [str(r) for r in cond.requires] == ["$1 = reset"]
    deploy = find(s, "npx", "prisma", "migrate", "deploy")
    assert [str(r) for r in deploy.conditions[0].one_of] == ["$1 = migrate", "$1 = deploy"]
    other = find(s, "exec")
    assert [str(r) for r in other.conditions[0].excludes] == [
        "$1 = migrate",
        "$1 = deploy",
        "$1 = reset",
    ]
    assert deploy.line == 3 and reset.line == 5


# -- functions, substitutions, nested scripts --------------------------------------------------


def test_functions_are_walked_where_called() -> None:
    s = parse(
        "#!/bin/bash\n"
        "set -e\n"
        "migrate() {\n"
        "  npx prisma migrate deploy\n"
        "}\n"
        "cleanup() { npx prisma migrate reset --force; }\n"
        'if [ "$MIGRATE" = 1 ]; then\n'
        "  migrate\n"
        "fi\n"
        "main() {\n"
        '  exec "$@"\n'
        "}\n"
        'main "$@"\n'
    )
    deploy = find(s, "npx", "prisma", "migrate", "deploy")
    assert deploy.function == "migrate" and deploy.reached
    assert [str(r) for r in deploy.conditions[0].requires] == ["$MIGRATE = 1"]
    reset = find(s, "npx", "prisma", "migrate", "reset")
    assert reset.function == "cleanup" and not reset.reached
    assert s.ends_with_exec and s.final[0].function == "main"


def test_command_substitution_and_sh_c() -> None:
    s = parse(
        "status=$(npx prisma migrate status 2>&1)\n"
        'sh -c "npx prisma migrate deploy && node dist/main.js"\n'
        "su node -c 'npx prisma db push'\n"
    )
    status = find(s, "npx", "prisma", "migrate", "status")
    assert status.substitution and status.line == 1
    deploy = find(s, "npx", "prisma", "migrate", "deploy")
    assert deploy.nested == "sh -c" and deploy.line == 2 and deploy.and_follows
    push = find(s, "npx", "prisma", "db", "push")
    assert push.nested == "sh -c" and push.line == 3


def test_heredoc_for_a_shell_is_parsed_and_others_skipped() -> None:
    s = parse(
        "cat <<EOF > /tmp/notes\n"
        "npx prisma migrate reset --force\n"
        "EOF\n"
        "bash <<'SCRIPT'\n"
        "npx prisma migrate deploy\n"
        "SCRIPT\n"
        "echo done\n"
    )
    assert not any("reset" in c.words for c in s.commands)
    deploy = find(s, "npx", "prisma", "migrate", "deploy")
    assert deploy.nested == "heredoc" and deploy.line == 5
    assert find(s, "echo", "done").line == 7


def test_line_continuations_and_columns() -> None:
    s = parse(
        "set -e\nexec env NODE_ENV=production \\\n  npx prisma migrate deploy \\\n  --schema ./prisma/schema.prisma\n"
    )
    cmd = find(s, "exec")
    assert cmd.line == 2 and cmd.end_line == 4 and cmd.exec
    assert cmd.argv[:4] == ("npx", "prisma", "migrate", "deploy")


def test_arithmetic_arrays_and_double_brackets_do_not_stop_the_parser() -> None:
    s = parse(
        "#!/usr/bin/env bash\n"
        "declare -a ARGS=(--schema prisma/schema.prisma)\n"
        "count=$(( 1 + 2 ))\n"
        'if [[ -n "$CI" && $count -gt 2 ]]; then echo ci; fi\n'
        "(( count++ ))\n"
        'npx prisma migrate deploy "${ARGS[@]}"\n'
    )
    assert s.problems == ()
    assert find(s, "npx").line == 6


# -- recovery ------------------------------------------------------------------------------------


def test_unterminated_quote_is_reported_and_the_rest_is_read() -> None:
    s = parse('echo "unterminated\nnpx prisma migrate deploy\n')
    (problem,) = s.problems
    assert problem.rule == "KD001" and problem.location.line == 1
    assert "unterminated double quote" in problem.message
    assert find(s, "npx").line == 2


def test_missing_fi_is_reported_and_lines_still_read() -> None:
    s = parse("set -e\nif [ -d prisma ]; then\n  npx prisma migrate deploy\nexec node server.js\n")
    (problem,) = s.problems
    assert problem.location.line == 2 and "`fi`" in problem.message
    assert find(s, "npx").line == 3
    assert find(s, "exec").line == 4


def test_valid_script_with_case_has_no_problem() -> None:
    s = parse('case "$1" in\n  (a) echo a ;;\n  b|c) echo b ;&\n  *) echo c ;;\nesac\n')
    assert s.problems == ()
    assert [c.words for c in s.commands] == [("echo", "a"), ("echo", "b"), ("echo", "c")]


def test_empty_and_comment_only_scripts() -> None:
    assert parse("").commands == ()
    assert parse("#!/bin/sh\n# nothing\n").commands == ()


# -- bashlex cross-check -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        SEED_WAIT_FOR_DB.replace("$((RETRY_COUNT + 1))", "`expr $RETRY_COUNT + 1`"),
        "set -e\nnpx prisma migrate deploy && node dist/main.js || exit 1\n",
        "f() { npx prisma generate; }\nwhile true; do f; sleep 1; done\n",
        "for s in a b; do echo $s | tee -a log; done\n! npx prisma migrate status\n",
    ],
)
def test_bashlex_reads_the_same_commands(text: str) -> None:
    ours = parse(text)
    theirs = parse(text, prefer_bashlex=True)
    assert [(c.words, c.line) for c in ours.commands] == [
        (c.words, c.line) for c in theirs.commands
    ]
    assert [c.conditions for c in ours.commands] == [c.conditions for c in theirs.commands]


def test_bashlex_reads_the_rest_when_our_parser_gives_up() -> None:
    # `coproc` is not part of our grammar; bashlex reads it
    s = parse("set -e\ncoproc worker { sleep 1; }\nnpx prisma migrate deploy\n")
    assert find(s, "npx").line == 3


# -- text inside other files, helpers ------------------------------------------------------------


def test_parse_shell_text_places_lines_in_the_host_file() -> None:
    s = parse_shell_text("prisma migrate deploy && node dist/index.js", "package.json", 7, 16)
    deploy = find(s, "prisma")
    assert deploy.location.path == "package.json"
    assert (deploy.line, deploy.location.column) == (7, 16)
    node = find(s, "node")
    assert (node.line, node.location.column) == (7, 41)


def test_effective_argv_strips_wrappers() -> None:
    assert effective_argv(
        ("exec", "gosu", "node", "env", "NODE_ENV=production", "npx", "prisma", "migrate")
    ) == ("npx", "prisma", "migrate")
    assert effective_argv(("dotenv", "-e", ".env.prod", "--", "prisma", "db", "push")) == (
        "prisma",
        "db",
        "push",
    )
    assert effective_argv(("tini", "--", "node", "server.js")) == ("node", "server.js")
    assert effective_argv(("timeout", "-s", "KILL", "60", "npx", "prisma")) == ("npx", "prisma")


def test_shell_script_argument_and_file() -> None:
    assert shell_script_argument(("sh", "-c", "a && b")) == ("a && b", False)
    assert shell_script_argument(("/bin/bash", "-ec", "x")) == ("x", True)
    assert shell_script_argument(("bash", "-o", "errexit", "-c", "x")) == ("x", True)
    assert shell_script_argument(("node", "-c", "x")) is None
    assert shell_script_file(("sh", "./scripts/wait.sh", "db")) == (
        "./scripts/wait.sh",
        ("db",),
        False,
    )
    assert shell_script_file(("bash", "-e", "x.sh")) == ("x.sh", (), True)
    assert shell_script_file(("sh", "-c", "x")) is None


def test_unquote_and_tokenize() -> None:
    assert unquote("'a b'") == "a b"
    assert unquote('"$X"') == "$X"
    assert unquote('"a\\"b"') == 'a"b'
    assert unquote('pre"$(echo "x y")"post') == 'pre$(echo "x y")post'
    kinds = [t.kind for t in tokenize("a && b | c > f 2>&1\n")]
    assert kinds == [
        "word",
        "op",
        "word",
        "op",
        "word",
        "redir",
        "word",
        "redir",
        "word",
        "nl",
        "eof",
    ]


@pytest.mark.parametrize(
    "text",
    [
        SEED_WAIT_FOR_DB,
        '#!/bin/sh\nif [ -n "$X" ]; then\n  npx prisma migrate deploy\nexec node x.js\n',
        'f() { sh -c "npx prisma db push"; }\nf\nnode a.js | tee log &\nexec "$@"\n',
    ],
)
def test_a_parse_moved_to_another_path_is_that_paths_parse(text: str) -> None:
    # the startup fact reuses one parse for files with the same text (an entrypoint copied
    # into every app of a monorepo)
    here = parse(text, "apps/a/entrypoint.sh")
    there = moved_to(here, "apps/b/docker/entrypoint.sh")
    assert there == parse(text, "apps/b/docker/entrypoint.sh")
    assert there.commands and all(
        c.location.path == "apps/b/docker/entrypoint.sh" for c in there.commands
    )
    assert moved_to(here, here.path) is here


def test_a_long_script_is_parsed_to_its_end() -> None:
    # five copies of the seed's script one after the other (its speed: benchmarks/bench_startup)
    text = SEED_WAIT_FOR_DB * 5
    per_copy = SEED_WAIT_FOR_DB.count("\n")
    s = parse(text)
    assert s.problems == ()

    def lines(*words: str) -> list[int]:
        return [c.line for c in s.commands if effective_argv(c.words)[: len(words)] == words]

    assert lines("npx", "prisma", "migrate", "deploy") == [25 + k * per_copy for k in range(5)]
    assert lines("npx", "prisma", "db", "push") == [28 + k * per_copy for k in range(5)]
    assert lines("npx", "prisma", "generate") == [31 + k * per_copy for k in range(5)]
    assert len(s.loops) == 5 and all(loop.is_wait and loop.bounded for loop in s.loops)
    assert s.commands[-1].text == 'exec "$@"' and s.commands[-1].line == 5 * per_copy


def test_uncalled_function_with_nested_shells_does_not_recurse() -> None:
    s = parse(
        "f() {\n  sh -c 'bash <<X\nnpx prisma migrate deploy\nX'\n}\ng() { bash <<EOF\nf\nEOF\n}\n"
    )
    assert s.problems == ()
    deploy = [c for c in s.commands if c.words[:2] == ("npx", "prisma")]
    assert deploy and not deploy[0].reached


_BASHLEX_TRAPS = [
    "if [ -n $'${' ]; then echo\nnpx prisma migrate deploy\n",
    "echo $'${' )\nnpx prisma migrate deploy\n",
    "echo '${'#x )\nnpx prisma db push\n",
]


def test_unreadable_statements_with_an_unclosed_brace_in_quotes_do_not_hang() -> None:
    # bashlex (the reader of statements our parser cannot read) loops forever, allocating, on
    # `${` without `}` inside a `$'...'` or '...' word. In a child process (bashlex is patched
    # there), its parameter expansion is counted and stopped after 10,000 steps: a runaway
    # shows up as such instead of eating the machine's memory.
    code = (
        "import json, resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
        "import bashlex.subst\n"
        "runaway, steps, original = [], [0], bashlex.subst._paramexpand\n"
        "def counted(parser, string, index):\n"
        "    steps[0] += 1\n"
        "    if steps[0] > 10_000:\n"
        "        runaway.append(string)\n"
        "        raise RuntimeError('runaway expansion')\n"
        "    return original(parser, string, index)\n"
        "bashlex.subst._paramexpand = counted\n"
        "from analysis.parsers.shell import parse_shell_text\n"
        "out = []\n"
        "for text in json.loads(sys.argv[1]):\n"
        "    steps[0] = 0\n"
        "    s = parse_shell_text(text, 'x.sh')\n"
        "    out.append([[list(c.words), c.line] for c in s.commands if 'prisma' in c.words])\n"
        "print(json.dumps({'runaway': runaway, 'found': out}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(_BASHLEX_TRAPS)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["runaway"] == []
    # the line after the unreadable statement is still read
    assert result["found"] == [
        [[["npx", "prisma", "migrate", "deploy"], 2]],
        [[["npx", "prisma", "migrate", "deploy"], 2]],
        [[["npx", "prisma", "db", "push"], 2]],
    ]


@pytest.mark.parametrize(
    "text",
    [
        "f() sh -c<<'X'done\\\nsh -c case $",
        '"a b"2>&1 | f() sh -c timecoproc = }until ]]whilefi time<<-! time"$@"[[ ',
        "$(( ((\n))",
        "case x in (a|b) ;; esac )",
        "'" * 3 + '"' * 3 + "`" * 3,
    ],
)
def test_garbage_never_raises(text: str) -> None:
    parse(text)
