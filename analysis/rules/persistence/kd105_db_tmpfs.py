"""KD105 db-tmpfs: tmpfs at the database's data directory: every stop erases the data"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.rules.persistence.common import data_directories_findings
from analysis.rules.registry import rule

RULE = rule(
    "KD105",
    "db-tmpfs",
    Severity.CRITICAL,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    tags=("data-state",),
    summary="tmpfs at the data directory",
    short="tmpfs at the database's data directory: every stop erases the data",
    rationale="""
        A tmpfs lives in RAM. Every container stop, restart, host reboot or Compose recreate
        starts the database empty. It is a common trick to speed up test databases; it turns
        into data loss the day the file is copied into a staging or production stack.
    """,
    trigger="""
        A `tmpfs:` entry, or a `volumes:` entry with `type: tmpfs`, at or above the data
        directory of a database service.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            tmpfs:
              - /var/lib/postgresql/data
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    good_lang="yaml",
    fix="""
        Use a named volume. Keep tmpfs databases in a file used only for tests
        (`docker-compose.test.yml`) and suppress the finding there with
        `# keepdata-ignore KD105: test database, disposable`.
    """,
    module=__name__,
)


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return [f for f in ctx.fact(data_directories_findings) if f.rule == RULE.id]
