"""KD218 migration-job-not-awaited: A one-shot migration service exists, but the app does not wait for it"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Related, Severity
from analysis.parsers.compose.records import Service
from analysis.rules.registry import rule
from analysis.rules.startup.common import (
    _databases,
    _job_command,
    _one_shot,
    _same_code,
    _same_database,
    _sev,
    _stacks,
    database_url_given,
    inferred_related,
)

RULE = rule(
    "KD218",
    "migration-job-not-awaited",
    Severity.MEDIUM,
    area="startup",
    section="wait-script",
    summary="a one-shot migration service exists, but the app does not `depends_on` it with `condition: service_completed_successfully`",
    short="A one-shot migration service exists, but the app does not wait for it",
    rationale="""
        A separate `migrate` service is the right pattern only if the app waits for it to
        finish. With plain `depends_on: [migrate]` (or none) Compose starts the app as soon
        as the migration container starts, so the app serves requests on the old schema, and
        if the migration fails the app keeps running on it.
    """,
    trigger="""
        A service whose command runs migrations and exits (one-shot), while an app service
        using the same database does not `depends_on` it with `condition:
        service_completed_successfully`. A service that only shares the database and runs no
        Prisma (an image without a schema or a database URL: a backup tool) is not such an app.
    """,
    bad="""
        # docker-compose.yml
        services:
          migrate:
            build: .
            command: npx prisma migrate deploy
          api:
            build: .
            depends_on:
              - migrate
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          migrate:
            build: .
            command: npx prisma migrate deploy
          api:
            build: .
            depends_on:
              migrate:
                condition: service_completed_successfully
    """,
    good_lang="yaml",
    fix="""
        Use the long form of `depends_on` with `condition: service_completed_successfully` on
        the migration service.
    """,
    module=__name__,
)


def check_migration_job_awaited(ctx: Context, facts: StartupFacts) -> Iterator[Finding]:
    dbs = {(d.stack, d.service) for d in _databases(ctx)}
    for stack in _stacks(ctx):
        paths = [p for p in facts.paths if p.kind == "compose" and p.stack == stack.id]
        jobs = [p for p in paths if _one_shot(p)]
        job_ids = {id(p) for p in jobs}
        apps = [p for p in paths if id(p) not in job_ids and (stack.id, p.service) not in dbs]
        single = sum(1 for st, _ in dbs if st == stack.id) == 1
        for job in jobs:
            job_service = stack.service(job.service) if job.service else None
            for app in apps:
                service = stack.service(app.service) if app.service else None
                if service is None:
                    continue
                if job_service is not None and not _run_together(service, job_service):
                    continue  # profiles that are never active together
                dep = next((d for d in service.depends_on if d.service == job.service), None)
                uses_db = database_url_given(service)
                related_code = job_service is not None and (
                    _same_code(service, job_service)
                    or (_same_build(service, job_service) and uses_db)
                    or dep is not None
                )
                shared = job_service is not None and (
                    _same_database(service, job_service, single and uses_db)
                    or _same_db_dependency(stack.id, service, job_service, dbs)
                )
                if not related_code and not shared:
                    continue
                if not related_code and app.database is None and not app.commands:
                    continue  # shares the database but runs no Prisma (a backup tool)
                if dep is not None and dep.condition == "service_completed_successfully":
                    continue
                if dep is None and _awaits_through(stack, service, job.service or ""):
                    continue  # another job it waits for waits for this one
                how = (
                    f"depends on it with `condition: {dep.condition}`"
                    if dep is not None
                    else "does not depend on it"
                )
                yield Finding(
                    "KD218",
                    _sev("KD218"),
                    f"{job.name} is a one-shot migration job, but {app.name} {how}: the app "
                    "can start before the migration finishes (or after it failed); use "
                    "`depends_on: {job}: condition: service_completed_successfully`".replace(
                        "{job}", job.service or ""
                    ),
                    dep.location if dep is not None else service.location,
                    (
                        *(
                            Related(loc, "the migration job's command")
                            for loc in (_job_command(job),)
                            if loc is not None
                        ),
                        *inferred_related(job.links, job.dockerfile),
                    ),
                )


def _awaits_through(stack: ComposeStack, service: Service, job: str) -> bool:
    """`service` starts only after `job` completed, through the services it depends on
    (formbricks' hub -> hub-migrate -> formbricks-migrate, each `service_completed_successfully`
    into the job)."""
    seen: set[str] = set()
    todo = [d.service for d in service.depends_on]
    while todo:
        name = todo.pop()
        if name in seen or len(seen) > 50:
            continue
        seen.add(name)
        other = stack.service(name)
        for d in other.depends_on if other is not None else ():
            if d.service == job and d.condition == "service_completed_successfully":
                return True
            todo.append(d.service)
    return False


def _run_together(a: Service, b: Service) -> bool:
    """Whether two services are started together by some configuration: a service without a
    profile runs in all of them; two with profiles only when they share one."""
    return not a.profiles or not b.profiles or bool(set(a.profiles) & set(b.profiles))


def _same_build(a: Service, b: Service) -> bool:
    """The same Dockerfile and context (a migrator often builds another target of it)."""
    if a.build is None or b.build is None or a.build.dockerfile_path is None:
        return False
    return (a.build.context_path, a.build.dockerfile_path) == (
        b.build.context_path,
        b.build.dockerfile_path,
    )


def _same_db_dependency(stack: str, a: Service, b: Service, dbs: set[tuple[str, str]]) -> bool:
    """Both depend on the same database service."""
    deps_a = {d.service for d in a.depends_on if (stack, d.service) in dbs}
    return bool(deps_a & {d.service for d in b.depends_on if (stack, d.service) in dbs})


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_migration_job_awaited(ctx, ctx.fact(startup_paths))
