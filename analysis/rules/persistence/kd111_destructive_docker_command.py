"""KD111 destructive-docker-command: A script runs docker compose down -v, volume rm/prune or system prune --volumes"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import replace

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import _sev

RULE = rule(
    "KD111",
    "destructive-docker-command",
    Severity.HIGH,
    area="persistence",
    section="persistence",
    checklist=("down-v-deletes-data", "no-destructive-without-warning"),
    summary="`docker compose down -v`/`--volumes`, `docker volume rm`/`prune`, `docker system prune --volumes` in a script, Makefile or package.json",
    short="A script runs docker compose down -v, volume rm/prune or system prune --volumes",
    rationale="""
        `down -v` removes every named volume the stack declares, not just caches: the
        database goes with it. In a Makefile `clean` target or an npm `docker:reset` script it
        is one tab-completion away, and in a CI job or a shared server it wipes the wrong
        environment. `docker volume prune` and `docker system prune --volumes` remove every
        volume no running container uses, including a stopped database's.
    """,
    trigger="""
        `docker compose down -v`/`--volumes` (also `docker-compose`), `docker volume rm`,
        `docker volume prune`, or `docker system prune --volumes` in a shell script, a
        Makefile recipe or a package.json script. A command that names its compose files
        (`-f docker-compose.dev.yml`) is graded by their context: one level lower for a
        development stack, info for a test stack (Grading, "Context").
    """,
    bad="""
        # Makefile
        .PHONY: clean
        clean:
        \tdocker compose down -v
        \trm -rf node_modules dist
    """,
    bad_lang="makefile",
    good="""
        # Makefile
        .PHONY: clean
        clean:
        \tdocker compose down
        \trm -rf node_modules dist
    """,
    good_lang="makefile",
    fix="""
        Drop `-v` from everyday targets. Put a volume wipe in its own, clearly named target
        that dumps the database first (`pg_dump`) or asks for confirmation, and suppress it
        there with `# keepdata-ignore KD111: <why>`.
    """,
    module=__name__,
)


def _named_stack_context(text: str, folder: str) -> tuple[str, str] | None:
    """(context, why) when the compose files the command names (`-f a.yml -f b.yml`) make a
    development or test stack: one of them says so by its name and none says production (a
    `-f docker-compose.yml -f docker-compose.dev.yml` chain is the dev stack)."""
    import shlex

    from analysis.grading.contexts import TEST, infer_from_path

    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    files = [
        words[i + 1]
        for i, w in enumerate(words[:-1])
        if w in ("-f", "--file") and not words[i + 1].startswith("$")
    ]
    files += [w.split("=", 1)[1] for w in words if w.startswith("--file=")]
    if not files:
        return None
    found = [infer_from_path(posixpath.normpath(posixpath.join(folder, f))) for f in files]
    contexts = {i.context for i in found if i is not None}
    if len(contexts) != 1 or "production" in contexts:
        return None
    context = contexts.pop()
    names = ", ".join(files)
    how = "graded info" if context == TEST else "one level lower"
    return context, f"[{context} context: it names {names}, a {context} stack; {how}]"


def check_destructive_docker(facts: StartupFacts) -> Iterator[Finding]:
    for d in facts.docker_commands:
        f = Finding(
            "KD111",
            _sev("KD111"),
            f"`{d.text[:160]}` in {d.origin} removes {d.what}: a database volume goes with it, "
            "and with it every row",
            d.location,
        )
        named = _named_stack_context(d.text, posixpath.dirname(d.location.path))
        if named is not None:
            context, why = named
            severity = Severity.INFO if context == "test" else f.severity.lower()
            f = replace(f, severity=severity, context=context, message=f"{f.message} {why}")
        yield f


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_destructive_docker(ctx.fact(startup_paths))
