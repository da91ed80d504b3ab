from __future__ import annotations

from analysis.parsers.dockerfile import (
    expand,
    parse_dockerfile,
    parse_dockerfile_text,
    split_words,
    unquote,
)
from analysis.sources import SourceFile

NEXT_DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG NODE_VERSION=20
FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

FROM deps AS builder
WORKDIR src
COPY . .
# comment
RUN npx prisma generate && \\
    # a comment inside the continuation
    npm run build

FROM node:20-alpine AS runner
WORKDIR /app
ENV NODE_ENV=production
COPY --from=builder --chown=node:node /app/src/node_modules ./node_modules
COPY --link --from=builder /app/src/prisma ./prisma
VOLUME ["/data", "logs"]
USER node
EXPOSE 3000 9229/tcp
ENTRYPOINT ["./docker-entrypoint.sh"]
CMD ["node", "dist/main.js"]
"""


def test_stages_names_platform_and_arg_substitution() -> None:
    df = parse_dockerfile_text(NEXT_DOCKERFILE)
    assert df.problems == ()
    assert [s.name for s in df.stages] == ["deps", "builder", "runner"]
    deps, builder, runner = df.stages
    assert deps.image == "node:20-alpine"
    assert deps.image_raw == "node:${NODE_VERSION}-alpine"
    assert deps.platform == "$BUILDPLATFORM"  # automatic platform ARGs stay as written
    assert builder.parent == 0 and builder.image == "deps"
    assert runner.parent is None
    assert (deps.line, deps.end_line) == (3, 6)
    assert (runner.line, runner.end_line) == (16, 25)
    assert df.global_args[0].name == "NODE_VERSION" and df.global_args[0].value == "20"


def test_workdir_is_tracked_and_inherited() -> None:
    df = parse_dockerfile_text(NEXT_DOCKERFILE)
    deps, builder, runner = df.stages
    assert deps.workdir == "/app"
    assert builder.workdirs[0].effective == "/app/src"  # relative to the inherited /app
    assert builder.copies[0].target == "/app/src"
    assert runner.copies[0].target == "/app/node_modules"


def test_copy_flags() -> None:
    runner = parse_dockerfile_text(NEXT_DOCKERFILE).stages[2]
    nm, prisma = runner.copies
    assert nm.from_stage == "builder" and nm.chown == "node:node" and not nm.link
    assert nm.sources == ("/app/src/node_modules",) and nm.destination == "./node_modules"
    assert prisma.link and prisma.from_stage == "builder" and prisma.line == 20
    assert not prisma.from_context
    assert parse_dockerfile_text(NEXT_DOCKERFILE).stages[1].copies[0].from_context


def test_run_continuation_joined_and_lines_mapped() -> None:
    builder = parse_dockerfile_text(NEXT_DOCKERFILE).stages[1]
    (run,) = builder.runs
    assert run.command == "npx prisma generate &&     npm run build"
    assert (run.line, run.end_line) == (12, 14)
    assert run.line_of("prisma generate") == 12
    assert run.line_of("npm run build") == 14


def test_entrypoint_cmd_volume_user_expose() -> None:
    runner = parse_dockerfile_text(NEXT_DOCKERFILE).stages[2]
    assert runner.entrypoint is not None and runner.entrypoint.exec_form == (
        "./docker-entrypoint.sh",
    )
    assert runner.cmd is not None and runner.cmd.exec_form == ("node", "dist/main.js")
    assert runner.volumes[0].paths == ("/data", "/app/logs")
    assert runner.user == "node"
    assert runner.exposes[0].ports == ("3000", "9229/tcp")
    assert runner.env_value("NODE_ENV") == "production"


def test_shell_form_commands() -> None:
    df = parse_dockerfile_text(
        "FROM node:20\nENTRYPOINT npx prisma migrate deploy && node server.js\nCMD node x.js\n"
    )
    st = df.stages[0]
    assert st.entrypoint is not None and st.entrypoint.exec_form is None
    assert st.entrypoint.shell == "npx prisma migrate deploy && node server.js"
    assert st.entrypoint.argv[:2] == ("/bin/sh", "-c")


def test_stage_inherits_entrypoint_cmd_and_env_and_entrypoint_resets_cmd() -> None:
    df = parse_dockerfile_text(
        'FROM node:20 AS base\nENV A=1\nENTRYPOINT ["e"]\nCMD ["c"]\n'
        "FROM base AS keep\n"
        'FROM base AS reset\nENTRYPOINT ["e2"]\n'
    )
    base, keep, reset = df.stages
    assert keep.effective_entrypoint == base.entrypoint
    assert keep.effective_cmd == base.cmd
    assert keep.env_value("A") == "1"
    assert reset.effective_entrypoint is not None and reset.effective_entrypoint.text == "e2"
    assert reset.effective_cmd is None


def test_env_forms() -> None:
    df = parse_dockerfile_text(
        "FROM alpine\n"
        "ENV A=1 B=\"two words\" C='single $A' D=$A-x\n"
        "ENV LEGACY some value here\n"
        "ENV E=${MISSING:-fallback}\n"
    )
    env = {v.name: v for v in df.stages[0].env}
    assert env["A"].value == "1"
    assert env["B"].value == "two words"
    assert env["C"].expanded == "single $A"
    assert env["D"].value == "$A-x" and env["D"].expanded == "1-x"
    assert env["LEGACY"].value == "some value here" and env["LEGACY"].line == 3
    assert env["E"].expanded == "fallback"


def test_arg_defaults_and_scoping() -> None:
    df = parse_dockerfile_text(
        "ARG BASE=postgres:16\nARG NOVAL\nFROM ${BASE}\nARG BASE\nARG TOKEN=abc\nWORKDIR /w/$TOKEN\n"
    )
    st = df.stages[0]
    assert st.image == "postgres:16"
    assert {a.name: a.value for a in st.args} == {"BASE": "postgres:16", "TOKEN": "abc"}
    assert st.workdir == "/w/abc"
    assert df.global_args[1].value is None


def test_unknown_global_arg_in_from_is_kept_as_written() -> None:
    df = parse_dockerfile_text("ARG V\nFROM postgres:${V}\n")
    assert df.stages[0].image == "postgres:${V}"


def test_heredoc_run_and_copy() -> None:
    df = parse_dockerfile_text(
        "FROM node:20\n"
        "RUN <<EOF\n"
        "set -e\n"
        "npx prisma migrate deploy\n"
        "EOF\n"
        "COPY <<-CONF /etc/app.conf\n"
        "\tkey=value\n"
        "\tCONF\n"
        'CMD ["node"]\n'
    )
    st = df.stages[0]
    assert df.problems == ()
    (run,) = st.runs
    assert run.heredocs[0].body == "set -e\nnpx prisma migrate deploy\n"
    assert (run.line, run.end_line) == (2, 5)
    assert run.line_of("prisma migrate deploy") == 4
    (copy,) = st.copies
    assert copy.heredocs[0].body == "key=value\n" and copy.target == "/etc/app.conf"
    assert not copy.from_context
    assert st.cmd is not None and st.cmd.line == 9


def test_heredoc_without_terminator_is_a_problem() -> None:
    df = parse_dockerfile_text('FROM node:20\nRUN <<EOF\necho hi\nCMD ["x"]\n')
    assert [p.rule for p in df.problems] == ["KD001"]
    assert df.problems[0].location.line == 2
    assert "never closed" in df.problems[0].message
    assert not df.stages[0].runs[0].heredocs[0].terminated


def test_here_string_is_not_a_heredoc() -> None:
    df = parse_dockerfile_text('FROM alpine\nRUN cat <<<hello\nCMD ["x"]\n')
    assert df.problems == () and df.stages[0].cmd is not None


def test_invalid_exec_form_is_a_problem_and_kept_as_shell() -> None:
    df = parse_dockerfile_text('FROM node:20\nCMD ["node", "server.js"\n')
    assert [(p.rule, p.location.line) for p in df.problems] == [("KD001", 2)]
    assert df.stages[0].cmd is not None and df.stages[0].cmd.shell == '["node", "server.js"'


def test_escape_directive_backtick() -> None:
    df = parse_dockerfile_text(
        "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  C:\\app\nWORKDIR C:\\app\n"
    )
    assert df.escape == "`"
    assert df.directives[0].name == "escape"
    assert df.stages[0].runs[0].command == "dir   C:\\app"
    assert df.stages[0].runs[0].end_line == 4


def test_garbage_gives_problems_not_exceptions() -> None:
    df = parse_dockerfile_text("hello world\nthis is not a dockerfile\n{}\n")
    assert df.stages == ()
    assert df.problems and all(p.rule == "KD001" for p in df.problems)
    assert df.problems[0].location.line == 1


def test_binary_like_text_never_raises() -> None:
    text = "".join(chr(i) for i in range(1, 400)) * 3
    df = parse_dockerfile(SourceFile("Dockerfile", text, "x", len(text)))
    assert all(p.rule == "KD001" for p in df.problems)
    assert len(df.problems) <= 21


def test_instruction_before_from_and_empty_file() -> None:
    df = parse_dockerfile_text("RUN echo\nFROM alpine\n")
    assert df.problems[0].location.line == 1 and len(df.stages) == 1
    empty = parse_dockerfile_text("")
    assert empty.stages == () and empty.problems[0].rule == "KD001"


def test_stage_target_helper() -> None:
    df = parse_dockerfile_text(NEXT_DOCKERFILE)
    assert df.stage(None) is df.stages[-1]
    assert df.stage("builder") is df.stages[1]
    assert df.stage("BUILDER") is df.stages[1]
    assert df.stage("1") is df.stages[1]
    assert df.stage("missing") is None
    assert [s.name for s in df.chain(df.stages[1])] == ["deps", "builder"]


def test_words_and_quotes() -> None:
    assert split_words('a "b c" d\\ e') == ["a", '"b c"', "d\\ e"]
    assert unquote('"b c"') == "b c"
    assert unquote("d\\ e") == "d e"
    assert unquote("'$X'", env={"X": "1"}) == "$X"
    assert unquote('"$X"', env={"X": "1"}) == "1"
    assert expand("${X:+yes}", {"X": "1"}) == "yes"
    assert expand("${X:+yes}", {}) == ""


def test_parse_problems_reach_the_report(write_tree) -> None:
    from analysis.engine import analyze

    root = write_tree(
        {
            "Dockerfile": "FROM node:20\nRUN <<EOF\necho never closed\n",
            "docker/Dockerfile.dev": 'FROM node:20\nCMD ["node", "x.js"\n',
        }
    )
    analysis = analyze(root)
    assert analysis.errors == ()
    kd001 = {(f.location.path, f.location.line) for f in analysis.findings if f.rule == "KD001"}
    assert {("Dockerfile", 2), ("docker/Dockerfile.dev", 2)} <= kd001
