"""The documentation of every rule, keyed by rule id: what `keepdata explain` prints, what the
report's rule section and SARIF's `shortDescription`/`fullDescription`/`help` carry.

`analysis.catalog` holds each rule's id, name, default severity, area and flag text; this
module holds the prose: a one-line `short` description (at most 80 characters), the
`rationale` (why it loses data), the `trigger` (exactly what fires it, as the catalog says),
a `bad` and a `good` example (real file snippets, each tagged with its language) and the `fix`.

Example languages are Markdown fence tags: yaml, dockerfile, sh, json, prisma, sql, toml,
makefile, dotenv, gitignore, typescript, text. `PYGMENTS_LEXERS` maps each to a Pygments lexer
name for terminals that highlight.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

LANGS = (
    "yaml",
    "dockerfile",
    "sh",
    "json",
    "prisma",
    "sql",
    "toml",
    "makefile",
    "dotenv",
    "gitignore",
    "typescript",
    "text",
)

PYGMENTS_LEXERS: Mapping[str, str] = MappingProxyType(
    {
        "yaml": "yaml",
        "dockerfile": "docker",
        "sh": "bash",
        "json": "json",
        "prisma": "text",
        "sql": "postgresql",
        "toml": "toml",
        "makefile": "make",
        "dotenv": "bash",
        "gitignore": "text",
        "typescript": "typescript",
        "text": "text",
    }
)


@dataclass(slots=True, frozen=True)
class RuleText:
    short: str
    rationale: str
    trigger: str
    bad: str
    bad_lang: str
    good: str
    good_lang: str
    fix: str


def _code(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def _p(text: str) -> str:
    """One paragraph written over several source lines."""
    return " ".join(text.split())


_TEXTS: dict[str, RuleText] = {}


def _rule(
    rule_id: str,
    *,
    short: str,
    rationale: str,
    trigger: str,
    bad: str,
    bad_lang: str,
    good: str,
    good_lang: str,
    fix: str,
) -> None:
    _TEXTS[rule_id] = RuleText(
        short=_p(short),
        rationale=_p(rationale),
        trigger=_p(trigger),
        bad=_code(bad),
        bad_lang=bad_lang,
        good=_code(good),
        good_lang=good_lang,
        fix=_p(fix),
    )


# == KD0xx: the analysis itself ==============================================================

_rule(
    "KD001",
    short="A compose file, Dockerfile, script, package.json, .env or TOML file won't parse",
    rationale="""
        keepdata can only vouch for what it can read. When a compose file or script does not
        parse, every rule that depends on it is blind: a database without a volume or a
        `db push --accept-data-loss` in that file goes unreported, so a clean result means
        nothing for it. Docker Compose itself refuses a file with a duplicate key, so the stack
        you think you run is not the one that starts: the last `environment:` block silently
        replaces the first in tools that accept it.
    """,
    trigger="""
        A compose file, Dockerfile, shell script, package.json, .env file or TOML file
        (fly.toml, railway.toml, nixpacks.toml, migration_lock.toml) that its parser rejects,
        with the parser's message and position. A YAML mapping with the same key twice is
        reported here as well; the analysis continues with the last value. Prisma schemas and
        migration SQL have their own rules (KD505, KD612).
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}
            volumes:
              - pgdata:/var/lib/postgresql/data
            environment:                # second key: Compose rejects the file
              POSTGRES_DB: shop
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}
              POSTGRES_DB: shop
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    good_lang="yaml",
    fix="""
        Fix the syntax error at the reported line (`docker compose config` shows Compose's own
        view of the file; `sh -n script.sh` and `jq . package.json` check the others), merge
        duplicate keys into one, then re-run keepdata so the rules see the file.
    """,
)

_rule(
    "KD002",
    short="A file keepdata needs cannot be read (unreadable, binary, too big, outside root)",
    rationale="""
        A file that keepdata skips is a file nobody checked. If the Dockerfile that starts
        your app is a link to a folder outside the project, or a migration is too large to
        read, the startup path and the migration history are incomplete and any `migrate
        reset` or `DROP TABLE` in them stays invisible.
    """,
    trigger="""
        A file discovery classified, or that another file refers to (a script an entrypoint
        runs, a Dockerfile a compose service builds), that cannot be read: permission denied,
        not a regular file, contains NUL bytes, larger than the 2 MiB limit, a broken or
        looping symbolic link, or a link whose target lies outside the analyzed root.
        Invalid UTF-8 is read with replacement characters and reported at the first bad byte.
    """,
    bad="""
        $ ls -l services/api
        lrwxrwxrwx 1 dev dev   31 Mar  2 10:12 Dockerfile -> ../../../infra/docker/api.Dockerfile
        -rw------- 1 root root 842 Mar  2 10:12 docker-entrypoint.sh
    """,
    bad_lang="sh",
    good="""
        $ ls -l services/api
        -rw-r--r-- 1 dev dev 1204 Mar  2 10:14 Dockerfile
        -rwxr-xr-x 1 dev dev  842 Mar  2 10:14 docker-entrypoint.sh
    """,
    good_lang="sh",
    fix="""
        Make the file readable by the user running keepdata, keep files the build uses inside
        the repository (or analyze the common parent folder so the link stays inside the
        root), and split or exclude generated files that exceed the size limit.
    """,
)

_rule(
    "KD003",
    short="A keepdata-ignore comment or config ignore entry that suppresses nothing",
    rationale="""
        A suppression outlives the problem it silenced. Once the port is bound to 127.0.0.1
        the `keepdata-ignore KD403` above it suppresses nothing, but it still tells readers
        the line is dangerous, and the next time someone publishes the port on every
        interface the stale comment hides it. Unused suppressions are removed so that every
        remaining one is a decision somebody still stands behind.
    """,
    trigger="""
        A `keepdata-ignore` comment (in the file's own comment syntax) whose rule ids match no
        finding on its line or the line below, a bare `keepdata-ignore` that covers no
        finding, a `keepdata-ignore` naming a rule id that does not exist, and an entry of
        `ignore` or `[per-file-ignores]` in keepdata.toml that matches no finding. Reported at
        the comment's or entry's line.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            ports:
              # keepdata-ignore KD403: dev only
              - "127.0.0.1:5432:5432"
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            ports:
              - "127.0.0.1:5432:5432"
    """,
    good_lang="yaml",
    fix="""
        Delete the comment or the config entry. If the rule id was mistyped, correct it;
        `keepdata rules` lists the valid ids.
    """,
)

_rule(
    "KD004",
    short="keepdata failed on part of the analysis",
    rationale="""
        A safety check that crashes must not read as a clean result. When one of keepdata's
        own checks or facts raises (a bug of keepdata, not a problem of your project), the
        findings it would have produced are missing: a database without a volume or a
        `db push --accept-data-loss` could be among them. keepdata says so with this finding,
        reads the verdict as UNKNOWN and makes `keepdata check` exit 2, so CI never passes on
        an analysis that did not finish.
    """,
    trigger="""
        A check or a fact of the analysis raised an exception. The message names the check
        (area/check) or the fact and the checks that needed it; the other checks still ran and
        their findings are reported as usual. This finding cannot be suppressed.
    """,
    bad="""
        $ keepdata check .
        .:1:1: KD004 critical keepdata internal error: check persistence/check_unpinned failed
        (KeyError: 'image'); its findings are missing. The verdict is UNKNOWN
        $ echo $?
        2
    """,
    bad_lang="text",
    good="""
        $ keepdata check .
        0 findings
        $ echo $?
        0
    """,
    good_lang="text",
    fix="""
        Report the bug with the message and, if you can share it, the file that triggers it
        (`keepdata report --format json` lists the internal errors with their traces). Until
        it is fixed, read the files the failed check covers yourself.
    """,
)


# == KD1xx: database persistence ============================================================

_rule(
    "KD101",
    short="No volume or bind mount covers the database's data directory",
    rationale="""
        Without a mount meant for the data, the database writes into the anonymous volume
        that the image's own `VOLUME` instruction creates. It survives a restart, so
        everything looks fine for weeks; then `docker compose down` followed by `up` creates
        a new container with a new, empty anonymous volume. The app starts, `migrate deploy`
        happily creates the tables again, and the old data sits orphaned in a volume with a
        hash for a name until `docker volume prune` deletes it for good.
    """,
    trigger="""
        A compose service recognised as a database (postgres and its derivatives, mysql,
        mariadb, mongo, mssql, cockroach, redis with `--appendonly yes` or `--save`, a
        service built from such an image, or one that sets PGDATA) with no volume, bind mount
        or tmpfs anywhere under the image's data root. Each data directory gets at most one
        of KD101-KD105; KD101 is the "nothing meant for the data at all" case.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}
            ports:
              - "127.0.0.1:5432:5432"
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    good_lang="yaml",
    fix="""
        Mount a named volume at the image's data directory (`/var/lib/postgresql/data` for
        postgres up to 17, `/var/lib/postgresql` for 18+, `/var/lib/mysql`, `/data/db`) and
        declare it under the top-level `volumes:`. If the stack already holds data, find the
        anonymous volume (`docker inspect <container> --format '{{json .Mounts}}'`) and copy it
        into the named volume before the next `down`.
    """,
)

_rule(
    "KD102",
    short="A volume is mounted, but the data directory the image uses is not on it",
    rationale="""
        This is the cruellest variant because it looks persistent. With `postgres:16` mounted
        at `/var/lib/postgresql`, the image still declares `VOLUME /var/lib/postgresql/data`,
        so Docker puts a fresh anonymous volume inside your named one and the server writes
        there. The named volume stays empty; the data lives and dies with the container. The
        same happens when PGDATA points somewhere the mount does not reach, or the mount is
        simply at the wrong path (`/var/lib/postgres`, `/data`).
    """,
    trigger="""
        A database service has a directory mount meant for its data (under `/var/lib/postgresql*`,
        `/var/lib/mysql*`, `/data/db*`, `/bitnami/*`, ...) but the data directory the image
        really uses (PGDATA honoured) does not land on it, either because the mount is
        elsewhere or because an image-declared `VOLUME` lies between the mount and the data.
        Reported even when the image's major version is unknown, since it is wrong for every
        layout.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql   # the image's VOLUME at .../data sits inside
        volumes:
          pgdata:
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
        Mount the volume at exactly the data directory the image uses, or set PGDATA to a path
        inside your mount (`PGDATA: /var/lib/postgresql/data/pgdata`). Before changing a
        running stack, copy the data out of the anonymous volume that currently holds it
        (`docker compose cp db:/var/lib/postgresql/data ./rescue` or `pg_dumpall`).
    """,
)

_rule(
    "KD103",
    short="PostgreSQL 18+ mounted at /var/lib/postgresql/data: the data lands elsewhere",
    rationale="""
        Since PostgreSQL 18 the official image keeps its cluster in
        `/var/lib/postgresql/<major>/docker` and declares its `VOLUME` at `/var/lib/postgresql`.
        A new stack with the traditional `/var/lib/postgresql/data` mount writes everything
        into the anonymous volume one level up, and loses it on `down`/`up`. A stack upgraded
        from 17 keeps its old cluster in the old mount, and the server refuses to start on it;
        `latest` or an untagged image pulls 18+ without anyone deciding to upgrade, and the
        quickest way to "make it start" is deleting the volume.
    """,
    trigger="""
        A postgres service whose image is 18 or newer (also `latest` or no tag, which resolve
        to 18+) with its mount at `/var/lib/postgresql/data` and no PGDATA pointing into that
        mount. Correct and not reported: a mount at `/var/lib/postgresql`, a mount at the
        versioned PGDATA, or `PGDATA=/var/lib/postgresql/data` together with that mount. Never
        reported when the major version cannot be known.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:18
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:18
            volumes:
              - pgdata:/var/lib/postgresql
        volumes:
          pgdata:
    """,
    good_lang="yaml",
    fix="""
        For 18+, mount the volume at `/var/lib/postgresql`. To keep an existing pre-18 volume,
        pin the old major until you have dumped and restored (or run `pg_upgrade`), or set
        `PGDATA: /var/lib/postgresql/data` so 18 uses the mount you already have.
    """,
)

_rule(
    "KD104",
    short="The database's data directory is an anonymous volume (container path only)",
    rationale="""
        `- /var/lib/postgresql/data` without a name before the colon asks Docker for an
        anonymous volume. Compose reuses it when it recreates the container, which makes it
        look persistent, but `docker compose down` drops the association: the next `up` gets a
        new empty volume, and the old one is orphaned until a prune removes it. `docker compose
        rm -v`, `down -v` and `up --renew-anon-volumes` delete it outright.
    """,
    trigger="""
        A database service whose data directory is covered by an explicit anonymous volume: a
        `volumes:` entry with only a container path (or the long form with `type: volume` and
        no `source`) at or above the data directory.
    """,
    bad="""
        # docker-compose.yml
        services:
          mysql:
            image: mysql:8.4
            volumes:
              - /var/lib/mysql
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          mysql:
            image: mysql:8.4
            volumes:
              - mysql-data:/var/lib/mysql
        volumes:
          mysql-data:
    """,
    good_lang="yaml",
    fix="""
        Give the volume a name (`mysql-data:/var/lib/mysql`) and declare it at the top level.
        Move the existing data over before the next `down`: find the anonymous volume with
        `docker inspect` and copy it with a throwaway container that mounts both volumes.
    """,
)

_rule(
    "KD105",
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
)

_rule(
    "KD106",
    short="A host bind mount holds the database's data (ownership, permissions, moves)",
    rationale="""
        A bind mount puts the cluster in a folder of the checkout, owned by the container's
        uid (999 in the Debian postgres image) with mode 0700. `git clean -fdx`, a `rm -rf data` by someone
        reclaiming disk space, or a fresh clone elsewhere silently starts an empty database;
        on macOS and Windows the file sharing layer changes fsync and permission semantics,
        and a later `chown -R` of the project breaks the server's ownership check.
    """,
    trigger="""
        A database service whose data directory is held by a bind mount (a host path such as
        `./data/postgres` or `/srv/pg`, or the long form with `type: bind`). Low severity: the
        data persists, but its survival depends on the host folder.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - ./data/postgres:/var/lib/postgresql/data
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
        Prefer a named volume managed by Docker. If the bind mount is deliberate (a dedicated
        disk on a server), keep the path outside the repository, list it in `.gitignore` and
        `.dockerignore`, and suppress with `# keepdata-ignore KD106: <why>`.
    """,
)

_rule(
    "KD107",
    short="A service uses a named volume that the top-level volumes: does not declare",
    rationale="""
        Compose refuses to start a project whose service refers to an undeclared named volume,
        so the first deploy of this file fails. The usual hurried fixes are the dangerous
        part: changing the entry to `./pgdata` (a bind mount in the checkout) or deleting the
        name (an anonymous volume), either of which can leave the data behind. It also
        happens when the declaration lives only in an override file that the production
        command line does not include.
    """,
    trigger="""
        A service `volumes:` entry whose source is a name (not a path) that the merged stack's
        top-level `volumes:` does not declare. Merged as docker compose merges: the base file
        with its override twin, `-f` chains found in scripts, `include:` and `extends:`.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - db_data:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - db_data:/var/lib/postgresql/data
        volumes:
          db_data:
    """,
    good_lang="yaml",
    fix="""
        Declare the volume under the top-level `volumes:` of the same stack (fix typos between
        the two names). If you meant a host folder, write it as a path (`./db_data`).
    """,
)

_rule(
    "KD108",
    short="Database image without a pinned major version (postgres, postgres:latest)",
    rationale="""
        A database's on-disk format belongs to its major version. With `postgres` or
        `postgres:latest`, the next `docker compose pull` (or a new machine) brings the newest
        major, and the server refuses the existing data directory ("database files are
        incompatible with server"). The outage ends one of two ways: someone pins the old
        version again, or someone deletes the volume to "make it start".
    """,
    trigger="""
        A database service whose image has no tag, the `latest` tag, or a tag that does not
        fix the major version (`lts`, `stable`, `alpine`, a variable whose default is such a
        tag).
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:latest
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16.4-alpine
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    good_lang="yaml",
    fix="""
        Pin at least the major version (`postgres:16`, `mysql:8.4`, `mongo:7`); pinning the
        minor too makes builds reproducible. Upgrade majors deliberately with a dump and
        restore or `pg_upgrade`.
    """,
)

_rule(
    "KD109",
    short="Two database services mount the same named volume or host path",
    rationale="""
        Two servers on one data directory corrupt it. PostgreSQL's `postmaster.pid` lock does
        not help across containers: each server is PID 1 in its own namespace, sees its own
        PID in the lock file and treats it as stale. Both run, both write the WAL and the
        heap files, and the cluster is damaged beyond what recovery can repair. A MySQL pair
        fails on InnoDB locks at best.
    """,
    trigger="""
        Two or more database services in one stack whose data mounts use the same named volume
        or the same host path (after resolving relative paths against the compose file's
        folder).
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
          db-replica:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
          db-replica:
            image: postgres:16
            volumes:
              - pgdata-replica:/var/lib/postgresql/data
        volumes:
          pgdata:
          pgdata-replica:
    """,
    good_lang="yaml",
    fix="""
        Give every database its own volume. For a replica, use streaming replication
        (`pg_basebackup` into the replica's own volume), never a shared directory.
    """,
)

_rule(
    "KD110",
    short="A data volume uses a non-local driver or is external: persistence is elsewhere",
    rationale="""
        With `external: true` or a driver such as `rexray/ebs`, `local` with NFS options, or a
        cloud plugin, the data's survival depends on something this project does not show:
        the volume must exist before `up`, it must be the same volume on every host, and its
        backup is somebody else's job. A missing external volume stops the stack; someone who
        creates it fresh to get going starts an empty database.
    """,
    trigger="""
        A volume that holds a database's data and is declared with `external: true` or with a
        `driver:` other than `local`. Info: the finding documents where the data lives.
    """,
    bad="""
        # docker-compose.prod.yml
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
            external: true
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.prod.yml
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
            name: shop_pgdata
    """,
    good_lang="yaml",
    fix="""
        Document where the external volume comes from and how it is backed up, or use a local
        volume with a fixed `name:`. For NFS-backed volumes, check that the database supports
        the filesystem (PostgreSQL needs reliable fsync and locking).
    """,
)

_rule(
    "KD111",
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
        Makefile recipe or a package.json script.
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
)

_rule(
    "KD112",
    short="A bind-mounted database directory lies inside an image's build context",
    rationale="""
        The live cluster in `./data/postgres` is inside the folder that `docker build` sends
        as context. `COPY . .` then copies database files into an image layer, where they are
        pushed to the registry with every customer row in them; a copy taken while the server
        writes is inconsistent, and the 0700 permissions of the folder make builds fail with
        "permission denied" until someone `chmod`s the data directory.
    """,
    trigger="""
        A database's data directory held by a bind mount whose host folder is inside the
        build context of an image that copies the context (`COPY .`/`ADD .`), while the
        context's `.dockerignore` does not exclude that folder.
    """,
    bad="""
        # docker-compose.yml
        services:
          app:
            build: .
          db:
            image: postgres:16
            volumes:
              - ./data/postgres:/var/lib/postgresql/data
    """,
    bad_lang="yaml",
    good="""
        # .dockerignore
        node_modules
        .git
        .env*
        data/
    """,
    good_lang="gitignore",
    fix="""
        Exclude the data folder in the context's `.dockerignore` (and `.gitignore`), or move
        the database to a named volume.
    """,
)

_rule(
    "KD113",
    short="The SQLite database file of a container is on no volume",
    rationale="""
        A SQLite database is just a file. When `file:./dev.db` resolves to a path inside the
        container that no volume covers, the file lives in the container's writable layer:
        every redeploy, `docker compose up --build`, or platform restart replaces the
        container and the database starts empty (then `migrate deploy` re-creates the tables
        and nothing looks wrong). Relative paths are resolved against the schema's folder, so
        `file:./dev.db` with the schema in `prisma/` is `/app/prisma/dev.db`.
    """,
    trigger="""
        A `file:` DATABASE_URL (from compose, the Dockerfile's ENV, `.env*` or
        prisma.config.ts) whose resolved container path (relative to the schema's folder and
        the container's working directory) no volume or bind mount covers. An image with no
        compose file and no `VOLUME` over that path is reported too: it keeps the file in the
        writable layer.
    """,
    bad="""
        # docker-compose.yml
        services:
          app:
            build: .
            environment:
              DATABASE_URL: file:./dev.db
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          app:
            build: .
            environment:
              DATABASE_URL: file:/data/app.db
            volumes:
              - sqlite-data:/data
        volumes:
          sqlite-data:
    """,
    good_lang="yaml",
    fix="""
        Put the database file in a folder of its own, mount a named volume there, and use an
        absolute `file:` URL so the location does not depend on where the schema lives.
    """,
)

_rule(
    "KD114",
    short="Compose project name not pinned: renaming the folder starts an empty database",
    rationale="""
        Named volumes are really called `<project>_<volume>`, and the project name defaults to
        the folder's name. Clone the repository as `shop-v2`, move it, or check it out in a CI
        workspace with another name, and Compose creates `shop-v2_pgdata`: the database starts
        empty while the real data sits in `shop_pgdata`, unused.
    """,
    trigger="""
        A database keeps its data on a named volume, and neither the compose file's top-level
        `name:` nor `COMPOSE_PROJECT_NAME` in the `.env` beside it fixes the project name, and
        the volume has no explicit `name:` and is not `external: true`.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        name: shop
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
        Add a top-level `name:` to the compose file (or `COMPOSE_PROJECT_NAME=shop` to the
        `.env` next to it), or give the volume an explicit `name: shop_pgdata`. Use the name
        the volume already has (`docker volume ls`) so the existing data is found.
    """,
)

_rule(
    "KD115",
    short="The database image's major version differs from HEAD while the volume stays",
    rationale="""
        Changing `postgres:15` to `postgres:16` in compose looks like a one-line upgrade, but
        the new server cannot read the old data directory: it exits with "database files are
        incompatible with server". The shortest path back to a running app is deleting the
        volume, which is exactly what happens under deadline pressure. Upgrades between majors
        need a dump and restore or `pg_upgrade`.
    """,
    trigger="""
        When the root is a git repository: a database image's major version (or the default
        in `${POSTGRES_VERSION:-16}`) in the working tree differs from the one at `HEAD` (or
        `--base REF`), while the same volume holds the data. keepdata reads git's objects and
        runs nothing.
    """,
    bad="""
        # docker-compose.yml (HEAD had image: postgres:15)
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml: a new volume for the new major, filled from a dump
        #   docker compose exec db pg_dumpall -U postgres > backup.sql   (on 15)
        #   docker compose up -d db && psql ... < backup.sql            (on 16)
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata16:/var/lib/postgresql/data
        volumes:
          pgdata16:
    """,
    good_lang="yaml",
    fix="""
        Dump the old cluster (`pg_dumpall`), point the new major at a new volume, restore, and
        keep the old volume until the new one is verified; or run `pg_upgrade` (e.g. the
        `pgautoupgrade/pgautoupgrade` image). Never reuse the old volume with the new major.
    """,
)

# == KD2xx: migration strategy (startup path) ===============================================

_rule(
    "KD201",
    short="prisma db push --accept-data-loss: drops columns and tables without asking",
    rationale="""
        `db push` makes the database match the schema in the image, and
        `--accept-data-loss` answers yes to every warning. Rename a field, change a type, or
        deploy an image built from an older branch, and the push drops the column (or table)
        and its data, then creates the new one empty, on every container start, with no
        migration file to review and no record of what was dropped.
    """,
    trigger="""
        `prisma db push --accept-data-loss` (or Prisma 8's `db update --delete ...`/
        `--confirm`), also through npx, pnpm exec, bunx, a package.json script or a program's
        `execSync`. Critical in the startup, deploy or build path; high when only in a
        developer script; one level lower behind an opt-in condition no file turns on.
    """,
    bad="""
        #!/bin/sh
        # docker-entrypoint.sh
        set -e
        npx prisma db push --accept-data-loss
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # docker-entrypoint.sh
        set -e
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Create migrations with `prisma migrate dev` on a development database, commit them,
        and run `prisma migrate deploy` at start. If a change really drops data, write it as a
        reviewed migration (and back up first). Keep `db push` for prototyping against a
        throwaway database.
    """,
)

_rule(
    "KD202",
    short="prisma db push --force-reset: drops the whole database on every run",
    rationale="""
        `--force-reset` resets the database before pushing: every table, every row, every
        time the command runs. In a startup path that means every container restart, every
        deploy and every crash loop empties production.
    """,
    trigger="""
        `prisma db push --force-reset` anywhere keepdata follows (startup, deploy, build or
        developer scripts, package.json scripts, programs that exec it). Critical wherever it
        runs at start, deploy or build; one level lower in a developer script or behind an
        opt-in condition no file turns on.
    """,
    bad="""
        {
          "name": "api",
          "scripts": {
            "start": "prisma db push --force-reset && node dist/server.js"
          }
        }
    """,
    bad_lang="json",
    good="""
        {
          "name": "api",
          "scripts": {
            "start": "prisma migrate deploy && node dist/server.js",
            "db:deploy": "prisma migrate deploy"
          }
        }
    """,
    good_lang="json",
    fix="""
        Remove `--force-reset` from anything that runs outside a developer's machine. Apply
        schema changes with `prisma migrate deploy`; to reset a local database, run
        `prisma migrate reset` by hand, in a terminal, against a database you can lose.
    """,
)

_rule(
    "KD203",
    short="prisma migrate reset in the startup path: drops and recreates the database",
    rationale="""
        `migrate reset` drops the database (or every table in it), re-applies all migrations
        and runs the seed. With `--force` it does not ask. It is the right command for a
        developer's laptop and the wrong one for anything that starts on its own: a startup
        script turns every restart into a full wipe, and a build or deploy script wipes the
        database that the build machine's DATABASE_URL happens to reach.
    """,
    trigger="""
        `prisma migrate reset` (with or without `--force`) in the startup path: critical; in a
        build, install or deploy script (postinstall, build, vercel-build, a platform release
        command): critical; in a developer script: medium. Behind an opt-in condition no file
        turns on: one level lower.
    """,
    bad="""
        #!/bin/sh
        # scripts/start.sh, run by the Dockerfile's CMD
        npx prisma migrate reset --force
        node dist/main.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # scripts/start.sh, run by the Dockerfile's CMD
        set -e
        npx prisma migrate deploy
        exec node dist/main.js
    """,
    good_lang="sh",
    fix="""
        Use `prisma migrate deploy` at start. Keep `migrate reset` in a developer-only script
        whose name says what it does (`db:reset:local`), never in a lifecycle or platform
        build command.
    """,
)

_rule(
    "KD204",
    short="prisma migrate dev in the startup or deploy path (it resets on drift)",
    rationale="""
        `migrate dev` is a development command. It diffs the schema against a shadow database
        it creates and drops, writes new migration files inside the container (gone with the
        container, never committed), applies them, and when it detects drift or an edited
        migration it wants to reset the database, deleting all data. Without a terminal it
        stops with an error and the app never starts; with one (`tty: true`, `docker compose
        run`) the reset is one keypress away.
    """,
    trigger="""
        `prisma migrate dev` (Prisma 8: `migration plan`) in the startup or deploy path of a
        container or platform. At `docker build` time (`RUN prisma migrate dev`) it is KD305
        instead. One level lower in a developer script that nothing in those paths runs, and
        behind an opt-in condition no file turns on.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma migrate dev && npm start"
            depends_on:
              - db
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma migrate deploy && exec npm start"
            depends_on:
              db:
                condition: service_healthy
    """,
    good_lang="yaml",
    fix="""
        Run `prisma migrate dev` on your machine, commit the migration folders it writes, and
        run `prisma migrate deploy` in containers and deploys.
    """,
)

_rule(
    "KD205",
    short="The startup path relies on prisma db push: the schema has no migration history",
    rationale="""
        With `db push` as the deploy strategy, production's schema is whatever the image
        holds: there is no migration file to review, no record of what ran, and no way to
        express a rename, so Prisma sees drop + add. Plain `db push` stops at changes that
        lose data, and the deploy fails; the usual next step is adding
        `--accept-data-loss` to get it through, which drops the column.
    """,
    trigger="""
        `prisma db push` without `--accept-data-loss`/`--force-reset` (Prisma 8: `db update`)
        in the startup or deploy path, as the way the schema reaches the database. The
        fallback pattern (`migrate deploy` else `db push`) is KD206 instead.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci && npx prisma generate && npm run build
        CMD ["sh", "-c", "npx prisma db push && node dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci && npx prisma generate && npm run build
        CMD ["sh", "-c", "npx prisma migrate deploy && exec node dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Baseline the current schema into a first migration (`prisma migrate diff
        --from-empty --to-schema-datamodel prisma/schema.prisma --script >
        prisma/migrations/0_init/migration.sql`, then `prisma migrate resolve --applied
        0_init` once against production) and switch the start command to
        `prisma migrate deploy`.
    """,
)

_rule(
    "KD206",
    short="migrate deploy falls back to db push when no migrations are found",
    rationale="""
        The fallback looks defensive, but it makes the strategy depend on whether the
        migrations folder made it into the image. The day a `.dockerignore` or a narrower
        `COPY` drops it, the container silently switches to `db push`: the schema is created
        without history, and the next image that does contain migrations fails `migrate
        deploy` with P3005 ("the database schema is not empty") until someone baselines it by
        hand or resets the database.
    """,
    trigger="""
        A startup script that runs `prisma migrate deploy` when migrations exist and
        `prisma db push` otherwise (a test of the migrations folder, `ls`, `find`, or `||`
        after deploy), reported at the `db push` line with the condition named.
    """,
    bad="""
        #!/bin/sh
        # wait-for-db.sh
        set -e
        if [ -d prisma/migrations ] && [ "$(ls -A prisma/migrations)" ]; then
          npx prisma migrate deploy
        else
          npx prisma db push
        fi
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # wait-for-db.sh
        set -e
        if [ ! -d prisma/migrations ]; then
          echo "prisma/migrations is missing from the image" >&2
          exit 1
        fi
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Make migrations mandatory: run `migrate deploy` unconditionally and fail loudly when
        the folder is missing, so a broken image never reaches the database.
    """,
)

_rule(
    "KD207",
    short="The project has migrations, but nothing in the startup path applies them",
    rationale="""
        The migrations folder grows with every schema change, but no container or deploy step
        runs `migrate deploy`. New code starts against the old schema and fails on missing
        columns (P2022), or somebody applies changes by hand with `db push` from a laptop,
        which is how production drifts away from the migration history until a reset looks
        like the only way out.
    """,
    trigger="""
        The project has a migrations folder, and neither any compose service's startup path
        nor any deploy path (vercel.json, fly.toml release_command, Procfile release:, render,
        railway, nixpacks) nor a one-shot migration service runs `prisma migrate deploy` (or
        an equivalent).
    """,
    bad="""
        # fly.toml
        app = "shop-api"

        [build]
          dockerfile = "Dockerfile"

        [http_service]
          internal_port = 3000
    """,
    bad_lang="toml",
    good="""
        # fly.toml
        app = "shop-api"

        [build]
          dockerfile = "Dockerfile"

        [deploy]
          release_command = "npx prisma migrate deploy"

        [http_service]
          internal_port = 3000
    """,
    good_lang="toml",
    fix="""
        Run `prisma migrate deploy` exactly once per deploy: a platform release command, a
        one-shot compose service the app waits for, or the entrypoint before the app starts.
    """,
)

_rule(
    "KD208",
    short="migrate deploy runs, but the image holds no migrations",
    rationale="""
        `migrate deploy` with an empty or missing migrations folder prints "No migration
        found" and exits 0. The deploy goes green, the app starts against a database without
        the new tables, and the first request that needs them fails; on a fresh environment
        the database stays empty and someone "fixes" it with `db push`.
    """,
    trigger="""
        `migrate deploy` in the startup path of an image whose final stage has no migrations:
        no folder in the project, an empty folder, `.dockerignore` excluding it, or no COPY
        bringing it into the final stage (see KD303 for the Dockerfile side). When
        `.gitignore` is the reason, KD308 reports it instead.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci
        COPY prisma/schema.prisma ./prisma/
        COPY dist ./dist
        CMD ["sh", "-c", "npx prisma migrate deploy && node dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci
        COPY prisma ./prisma
        COPY dist ./dist
        CMD ["sh", "-c", "npx prisma migrate deploy && exec node dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Copy the whole `prisma/` folder (schema and migrations) into the stage that runs
        `migrate deploy`, and make sure `.dockerignore` does not exclude it.
    """,
)

_rule(
    "KD209",
    short="The startup script ignores a failed migration and starts the app anyway",
    rationale="""
        Without `set -e` (or an explicit status check) a failed `migrate deploy` is just a
        line in the log: the script continues and the app serves traffic on a half-migrated
        schema. Writes then go into the old columns, or fail, while `_prisma_migrations`
        records the migration as failed and blocks every later deploy (P3009). A pipe into
        `tee` or a `|| true` hides the failure even with `set -e`.
    """,
    trigger="""
        A script in the startup path that runs a migration command without `set -e` and
        without checking its exit status (`if ! ...`, `|| exit 1`); or pipes it (`prisma
        migrate deploy | tee migrate.log`) without `set -o pipefail`; or neutralises it with
        `|| true` or by continuing after `;` (`prisma migrate deploy; echo continuing`).
    """,
    bad="""
        #!/bin/sh
        # docker-entrypoint.sh
        npx prisma migrate deploy | tee /tmp/migrate.log
        node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/bash
        # docker-entrypoint.sh
        set -euo pipefail
        npx prisma migrate deploy | tee /tmp/migrate.log
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Start the script with `set -e` (and `set -o pipefail` when piping, which needs bash or
        a shell that supports it), or test the status explicitly:
        `npx prisma migrate deploy || exit 1`. Never `|| true` a migration.
    """,
)

_rule(
    "KD210",
    short="A wait-for-database loop with no maximum attempts or timeout",
    rationale="""
        A loop that waits forever turns a wrong DATABASE_URL or a database that never comes
        up into a container that hangs instead of failing. Health checks and deploy rollbacks
        never trigger, the old version keeps serving (or nothing does), and the cause is
        found hours later. Failing after a bounded wait lets the orchestrator restart, alert
        and roll back.
    """,
    trigger="""
        A loop in the startup path that waits for the database (`until pg_isready`, `while !
        nc -z db 5432`, a retry loop around `prisma migrate deploy` or `db execute`) with no
        counter, deadline or `timeout` around it.
    """,
    bad="""
        #!/bin/sh
        until pg_isready -h db -p 5432; do
          echo "waiting for postgres..."
          sleep 1
        done
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        tries=0
        until pg_isready -h db -p 5432; do
          tries=$((tries + 1))
          if [ "$tries" -ge 60 ]; then
            echo "postgres not ready after 60s" >&2
            exit 1
          fi
          sleep 1
        done
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Count attempts and exit non-zero after a limit, or wrap the loop in `timeout 60 sh -c
        '...'`. Better still, let Compose wait with a healthcheck and `depends_on: condition:
        service_healthy`.
    """,
)

_rule(
    "KD211",
    short="Migrations run at start, but nothing waits for the database to be ready",
    rationale="""
        `depends_on` without a condition only waits for the database container to start, not
        for the server to accept connections. The migration races the database's
        initialisation and fails with P1001 ("Can't reach database server"); with a restart
        policy it loops, and in scripts with a `db push` fallback or `|| true` the app starts
        on a schema that was never migrated.
    """,
    trigger="""
        A service whose startup path applies migrations (or pushes the schema) and that has
        neither a wait loop before the migration nor `depends_on: <db>: condition:
        service_healthy` on a database with a healthcheck.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
            depends_on:
              - db
          db:
            image: postgres:16
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
            depends_on:
              db:
                condition: service_healthy
          db:
            image: postgres:16
            healthcheck:
              test: ["CMD-SHELL", "pg_isready -U postgres"]
              interval: 2s
              retries: 30
    """,
    good_lang="yaml",
    fix="""
        Give the database a healthcheck and depend on it with `condition: service_healthy`,
        or add a bounded wait loop before the migration.
    """,
)

_rule(
    "KD212",
    short="A database that an app depends_on has no healthcheck",
    rationale="""
        Without a healthcheck Compose cannot tell when the database is ready, so `depends_on`
        can only mean "started". Every dependent service then races the database's
        initialisation, and migrations at start fail or, worse, take a fallback path.
    """,
    trigger="""
        A database service that another service names in `depends_on` and that has no
        healthcheck (none in compose, none in the image it is built from), or has it disabled
        (`healthcheck: disable: true`).
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            depends_on: [db]
          db:
            image: postgres:16
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            depends_on:
              db:
                condition: service_healthy
          db:
            image: postgres:16
            healthcheck:
              test: ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"]
              interval: 2s
              timeout: 3s
              retries: 30
    """,
    good_lang="yaml",
    fix="""
        Add a healthcheck (`pg_isready`, `mysqladmin ping`, `mongosh --eval
        'db.runCommand({ping:1})'`) and have the dependents wait with `condition:
        service_healthy`.
    """,
)

_rule(
    "KD213",
    short="prisma migrate resolve --applied/--rolled-back in the startup path",
    rationale="""
        `migrate resolve` rewrites Prisma's migration history without touching the schema.
        `--applied` marks a migration as done even though its SQL never ran (or ran half-way),
        so every later migration builds on tables and columns that are not there.
        `--rolled-back` marks it for another attempt on a schema it already partly changed.
        It is a manual repair for one known incident, not something to run on every start.
    """,
    trigger="""
        `prisma migrate resolve --applied <name>` or `--rolled-back <name>` in the startup or
        deploy path. One level lower in a developer script that nothing in those paths runs,
        and behind an opt-in condition no file turns on.
    """,
    bad="""
        #!/bin/sh
        # entrypoint.sh
        set -e
        npx prisma migrate resolve --applied 20240612093000_add_invoices || true
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # entrypoint.sh
        set -e
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Remove the command from the startup path. When a migration fails in production, look
        at what it changed, repair the schema by hand, then run `migrate resolve` once,
        deliberately, from a shell.
    """,
)

_rule(
    "KD214",
    short="The entrypoint ends with the app command without exec: signals never reach it",
    rationale="""
        When the script's last line starts the app without `exec`, the shell stays PID 1 and
        does not forward SIGTERM. `docker stop` waits its grace period and then SIGKILLs the
        app mid-request: open transactions are rolled back, multi-step writes that are not in
        one transaction stay half done, and queued work in memory is gone.
    """,
    trigger="""
        An entrypoint or startup script in the startup path whose final command starts the
        long-running app (`node`, `npm start`, `next start`, ...) without `exec` in front.
    """,
    bad="""
        #!/bin/sh
        set -e
        npx prisma migrate deploy
        node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        set -e
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Prefix the last command with `exec` so the app replaces the shell and receives
        SIGTERM itself, and handle SIGTERM in the app to finish in-flight work before exiting.
    """,
)

_rule(
    "KD215",
    short="prisma db seed (or a seed script) runs on every container start",
    rationale="""
        Seeds are written for an empty development database: many start with `deleteMany()`
        to be repeatable, or `createMany()` rows that already exist. Run on every start they
        wipe production tables, reset edited records to their defaults, or pile up duplicates
        with each restart.
    """,
    trigger="""
        `prisma db seed`, a `seed` package.json script, or a seed program (`tsx
        prisma/seed.ts`, `node prisma/seed.js`) in the startup path, run unconditionally on
        each start. Behind an opt-in condition no file turns on: one level lower.
    """,
    bad="""
        #!/bin/sh
        # docker-entrypoint.sh
        set -e
        npx prisma migrate deploy
        npx prisma db seed
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # docker-entrypoint.sh
        set -e
        npx prisma migrate deploy
        # demo data: seeded once, by hand: docker compose exec api npx prisma db seed
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Seed once, by hand or in a one-shot job, or guard the seed behind an explicit opt-in
        that production never sets, and make the seed idempotent (`upsert`, never
        `deleteMany`).
    """,
)

_rule(
    "KD216",
    short="Migrations or db push in an install/build lifecycle script or platform build",
    rationale="""
        `postinstall`, `prebuild`, `build` and `vercel-build` run wherever dependencies are
        installed or the app is built: every developer's `npm install`, every CI job, every
        preview deployment. Each of them migrates (or pushes to) whatever DATABASE_URL is set
        there, which for preview builds is often production. A preview branch with a
        destructive migration then changes the production schema before the code is merged.
    """,
    trigger="""
        `prisma migrate deploy`, `migrate dev`, `db push` (or Prisma 8 equivalents) in a
        `postinstall`, `preinstall`, `prepare`, `prebuild`, `build`, `postbuild`,
        `vercel-build` or `heroku-postbuild` script, or a platform's build command (vercel.json buildCommand, render buildCommand, railway
        build.buildCommand). Critical when the command is `migrate reset`, `--force-reset` or
        `--accept-data-loss`.
    """,
    bad="""
        {
          "scripts": {
            "postinstall": "prisma generate",
            "build": "prisma migrate deploy && next build"
          }
        }
    """,
    bad_lang="json",
    good="""
        {
          "scripts": {
            "postinstall": "prisma generate",
            "build": "next build",
            "db:deploy": "prisma migrate deploy"
          }
        }
    """,
    good_lang="json",
    fix="""
        Keep builds free of database writes. Run `prisma migrate deploy` in a release step
        that targets exactly one known database (fly.toml `release_command`, Render
        `preDeployCommand`, a CI deploy job for main only), and give preview builds their own
        database.
    """,
)

_rule(
    "KD217",
    short="Several services or replicas apply migrations at start against one database",
    rationale="""
        Prisma serialises `migrate deploy` with an advisory lock on PostgreSQL and MySQL, but
        the second runner only waits 10 seconds, then fails with P1002; in a script without
        `set -e` it starts the app anyway, and on a crash loop the replicas keep fighting.
        `db push`, seeds and custom data scripts take no lock at all: two replicas push or
        seed at once and insert duplicates or interleave changes.
    """,
    trigger="""
        Two or more services whose startup applies migrations (or pushes the schema) against
        the same database, or one such service that runs as several replicas
        (`deploy.replicas` > 1, `scale:`).
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            image: ghcr.io/acme/api:1.8.2
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
            deploy:
              replicas: 3
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          migrate:
            image: ghcr.io/acme/api:1.8.2
            command: npx prisma migrate deploy
            restart: "no"
          api:
            image: ghcr.io/acme/api:1.8.2
            command: node dist/server.js
            deploy:
              replicas: 3
            depends_on:
              migrate:
                condition: service_completed_successfully
    """,
    good_lang="yaml",
    fix="""
        Run migrations once per deploy, in a one-shot service or a release step, and start
        the replicas after it completed successfully.
    """,
)

_rule(
    "KD218",
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
        service_completed_successfully`.
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
)

_rule(
    "KD219",
    short="An app image on latest (or pull_policy: always) applies migrations at start",
    rationale="""
        Whatever is pushed to `:latest` migrates production the next time a container
        restarts, including on a host reboot, with nobody deciding to deploy. Prisma has no
        down migrations: rolling back to the previous image leaves the new schema in place,
        and a destructive migration has already dropped what it dropped.
    """,
    trigger="""
        A service whose image has no tag or the `latest` tag, or sets `pull_policy: always`,
        and whose startup path applies migrations or pushes the schema.
    """,
    bad="""
        # docker-compose.prod.yml
        services:
          api:
            image: ghcr.io/acme/api:latest
            pull_policy: always
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.prod.yml
        services:
          api:
            image: ghcr.io/acme/api:1.8.2
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
    """,
    good_lang="yaml",
    fix="""
        Deploy immutable tags (a version or commit SHA) so that each migration run is a
        decision, and back up before deploying images that carry destructive migrations.
    """,
)

_rule(
    "KD220",
    short="The startup path runs a Prisma CLI whose version is not the project's",
    rationale="""
        `npx prisma@latest` or a global `npm i -g prisma` uses whatever the registry serves
        that day. So does plain `npx prisma` in an image whose `node_modules` lacks the CLI
        (a devDependency dropped by `npm ci --omit=dev`). A new major reads the schema
        differently: Prisma 7 rejects `url` in the datasource (P1012), Prisma 8 renamed the
        commands, and a migration engine other than the one that wrote the migrations decides
        what drift means. The start fails, or applies with different rules, and needs the
        network to do it.
    """,
    trigger="""
        In the startup path: `npx prisma@latest`/`@<other major>`, `npm i -g prisma`/`npm
        install --global prisma`, a Prisma major other than package.json's, or `npx prisma`
        in a final image whose `node_modules` lacks the CLI (prisma is a devDependency and the
        image installs with `--omit=dev`/`--production`, or copies no node_modules).
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci --omit=dev
        COPY . .
        CMD ["sh", "-c", "npx prisma migrate deploy && node dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile (package.json has "prisma": "6.4.1" in dependencies)
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci --omit=dev
        COPY . .
        CMD ["sh", "-c", "./node_modules/.bin/prisma migrate deploy && exec node dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Pin the CLI in package.json and make it part of the production install (move
        `prisma` to `dependencies`, or install it in the migration stage), and call it
        through `node_modules/.bin` or `npx --no-install prisma`.
    """,
)

_rule(
    "KD221",
    short="A destructive schema sync runs against a database another app also uses",
    rationale="""
        `db push`, `migrate dev` and `migrate reset` make the database match one schema. Two
        apps (or two Prisma schemas in a monorepo) that share the same host, database and
        schema each see the other's tables as drift: `db push` wants to drop them, `migrate
        dev` wants a reset, and `migrate reset` drops them outright.
    """,
    trigger="""
        A service whose startup runs `db push`, `migrate dev` or `migrate reset` uses a
        DATABASE_URL whose host, database and `?schema=` are also used by another service or
        by another Prisma schema of the project.
    """,
    bad="""
        # docker-compose.yml
        services:
          web:
            build: ./apps/web
            command: sh -c "npx prisma db push && exec node server.js"
            environment:
              DATABASE_URL: postgresql://app:${DB_PASSWORD}@db:5432/app
          admin:
            build: ./apps/admin
            environment:
              DATABASE_URL: postgresql://app:${DB_PASSWORD}@db:5432/app
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          web:
            build: ./apps/web
            command: sh -c "npx prisma migrate deploy && exec node server.js"
            environment:
              DATABASE_URL: postgresql://app:${DB_PASSWORD}@db:5432/app?schema=web
          admin:
            build: ./apps/admin
            environment:
              DATABASE_URL: postgresql://app:${DB_PASSWORD}@db:5432/app?schema=admin
    """,
    good_lang="yaml",
    fix="""
        Give each schema its own database or PostgreSQL schema (`?schema=web`), or manage the
        shared database from one schema with `migrate deploy`; never sync a shared database
        with `db push`.
    """,
)

# == KD3xx: image build =====================================================================

_rule(
    "KD301",
    short="prisma generate runs before the schema is copied into the image",
    rationale="""
        At that point of the build the image has no `prisma/schema.prisma` (or only an old
        copy from an earlier layer), so `prisma generate` either fails or generates a client
        for a different schema than the one the app ships with. A stale client silently
        ignores new fields and writes rows without values the schema now requires, or
        throws at runtime on the first query that touches a changed model.
    """,
    trigger="""
        A Dockerfile stage with `RUN ... prisma generate` (also through a package.json script
        such as `postinstall` run by `npm ci`) before any COPY/ADD that brings the schema into
        that stage.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci && npx prisma generate
        COPY . .
        RUN npm run build
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        COPY prisma ./prisma
        RUN npm ci && npx prisma generate
        COPY . .
        RUN npm run build
    """,
    good_lang="dockerfile",
    fix="""
        COPY the `prisma/` folder (or the schema file) before the step that generates the
        client; with a `postinstall: prisma generate`, copy it before `npm ci`.
    """,
)

_rule(
    "KD302",
    short="The image never runs prisma generate (nor does its startup path)",
    rationale="""
        The Prisma client is generated code. An image that never runs `prisma generate`
        either fails on the first query ("@prisma/client did not initialize yet") or ships a
        client generated on a developer's machine, for that machine's schema and platform,
        copied in with `node_modules`. Either way what the app writes is not what the schema
        and migrations describe.
    """,
    trigger="""
        An image of a project that uses Prisma whose Dockerfile stages run no `prisma
        generate` (directly, through `npm ci` running a `postinstall` that generates, or
        through a build script that does), and whose startup path does not generate either.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci --ignore-scripts && npm run build
        CMD ["node", "dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci --ignore-scripts && npx prisma generate && npm run build
        CMD ["node", "dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Run `prisma generate` in the build after the schema is copied (and before the app's
        build), and do not copy a host `node_modules` into the image.
    """,
)

_rule(
    "KD303",
    short="Migrations are applied at start, but .dockerignore or the COPYs leave them out",
    rationale="""
        The start command runs `migrate deploy`, but the image it runs in has no migration
        files: `.dockerignore` excludes `prisma/migrations` (often via a broad `**/*.sql` or
        `prisma/*` with only the schema re-included), or the final stage COPYs just
        `schema.prisma` from the builder. The deploy reports "No migration found", exits 0,
        and the app runs on a schema that never changes, until someone reaches for `db push`.
    """,
    trigger="""
        The startup path applies migrations, and the final stage of the image that runs it
        does not contain the migrations folder: the context's `.dockerignore` excludes it
        (Docker's pattern semantics, `!` re-includes honoured), or no COPY/ADD brings it into
        the final stage. Related: the `.dockerignore` line or the COPY that narrows it.
    """,
    bad="""
        # .dockerignore
        node_modules
        .env*
        **/*.sql
    """,
    bad_lang="gitignore",
    good="""
        # .dockerignore
        node_modules
        .env*
        **/*.sql
        !prisma/migrations/**/migration.sql
    """,
    good_lang="gitignore",
    fix="""
        Make sure the migrations reach the final stage: remove or narrow the `.dockerignore`
        pattern (or re-include with `!prisma/migrations/**`), and COPY the whole `prisma/`
        folder from the builder (`COPY --from=build /app/prisma ./prisma`).
    """,
)

_rule(
    "KD304",
    short="A Dockerfile ENV or ARG holds a database URL with a password, or a password",
    rationale="""
        ENV values are stored in the image's configuration and ARG values in its build
        history, both readable with `docker inspect` and `docker history` by anyone who can
        pull the image: a registry leak, a public image by mistake, a contractor's laptop.
        Whoever has the URL can reach the database and delete from it, and the password cannot
        be rotated out of images that are already pushed.
    """,
    trigger="""
        An `ENV` or `ARG` (with a default) in a Dockerfile whose value is a database URL with
        a password (`postgresql://user:pass@...`) or that sets a password variable
        (`POSTGRES_PASSWORD`, `DB_PASSWORD`, `MYSQL_ROOT_PASSWORD`, ...) to a literal.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        ENV DATABASE_URL=postgresql://shop:Sup3rS3cret@db.internal:5432/shop
        WORKDIR /app
        COPY . .
        CMD ["node", "dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile (DATABASE_URL comes from the runtime environment or a secret)
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        CMD ["node", "dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Pass the URL at run time (compose `environment:`/`env_file:`, the platform's secrets),
        or use BuildKit secrets (`RUN --mount=type=secret,id=db_url`) when the build needs it;
        rotate the password that was in the image.
    """,
)

_rule(
    "KD305",
    short="Migrations or db push run during docker build",
    rationale="""
        `docker build` is the wrong moment to touch a database. On a CI runner the build may
        reach a real database through DATABASE_URL and migrate it before the image is tested
        or deployed; with SQLite it creates a database file that is baked into the image, so
        every deploy ships a fresh empty database over the old one (or hides it under a
        volume, depending on the mount).
    """,
    trigger="""
        A Dockerfile `RUN` that runs `prisma migrate deploy`, `migrate dev`, `db push` or
        `migrate reset` (directly or through a package.json script or a script file it
        calls).
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci && npx prisma migrate deploy && npm run build
        CMD ["node", "dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci && npx prisma generate && npm run build
        CMD ["sh", "-c", "npx prisma migrate deploy && exec node dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Generate the client at build time; apply migrations at start or in a release step,
        against the database of the environment being deployed.
    """,
)

_rule(
    "KD306",
    short="Source bind mount with node_modules on a volume and no client regeneration",
    rationale="""
        The classic dev setup mounts `.:/app` and hides `node_modules` behind an anonymous
        volume. The generated Prisma client lives in that volume and Compose keeps it when it
        recreates the container, so after a schema edit the app keeps running the old client:
        new fields are silently dropped from writes, renamed ones fail, and the developer
        "fixes" the resulting errors with `db push --accept-data-loss` or a reset.
    """,
    trigger="""
        A service that bind-mounts the source (`.:/app`) and puts `node_modules` on a volume
        (`/app/node_modules`), while nothing in its startup path runs `prisma generate`.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: npm run dev
            volumes:
              - .:/app
              - /app/node_modules
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma generate && npm run dev"
            volumes:
              - .:/app
              - /app/node_modules
    """,
    good_lang="yaml",
    fix="""
        Run `prisma generate` in the dev command (or a `predev` script), or recreate the
        volume after schema changes with `docker compose up --renew-anon-volumes`.
    """,
)

_rule(
    "KD307",
    short=".env files reach the build context of an image that copies it",
    rationale="""
        Without a `.dockerignore` that excludes them, `COPY . .` puts `.env`, `.env.local` and
        `.env.production` into an image layer. The production DATABASE_URL then travels with
        every pushed image, and a container started from it with a forgotten `env_file`
        connects to production instead of the intended database.
    """,
    trigger="""
        A `.env*` file (other than an example) inside the build context of an image that
        copies the context (`COPY .`/`ADD .`), where the context has no `.dockerignore`, or
        its `.dockerignore` does not exclude the file, or re-includes it with `!`.
    """,
    bad="""
        # .dockerignore
        node_modules
        dist
    """,
    bad_lang="gitignore",
    good="""
        # .dockerignore
        node_modules
        dist
        .env
        .env.*
        !.env.example
    """,
    good_lang="gitignore",
    fix="""
        Exclude `.env` and `.env.*` in `.dockerignore` (re-include only `.env.example`), pass
        configuration at run time, and rotate credentials from images already pushed.
    """,
)

_rule(
    "KD308",
    short=".gitignore hides the migrations while something applies them",
    rationale="""
        The migrations exist on the laptop that wrote them, so everything works locally. The
        repository, every clean clone and every CI or platform build lack them: `migrate
        deploy` reports "No migration found" and succeeds, and the app starts on an empty (or
        stale) database. The usual reaction is `db push`, and the project ends up without any
        history at all.
    """,
    trigger="""
        A `.gitignore` (any level, git's semantics) matches the migrations folder or its
        `migration.sql` files, while something in the project applies migrations (`migrate
        deploy` in a startup, deploy or build path).
    """,
    bad="""
        # .gitignore
        node_modules
        .env
        prisma/migrations/
    """,
    bad_lang="gitignore",
    good="""
        # .gitignore
        node_modules
        .env
        prisma/dev.db*
    """,
    good_lang="gitignore",
    fix="""
        Remove the pattern, `git add prisma/migrations` and commit every migration folder,
        including `migration_lock.toml`.
    """,
)

# == KD4xx: environment and secrets =========================================================

_rule(
    "KD401",
    short="A literal database password in compose (POSTGRES_PASSWORD or inside a URL)",
    rationale="""
        A password written into docker-compose.yml is in git history forever and in every
        fork and clone. Whoever reads the repository can connect to any database that reuses
        it, which tends to include staging and, through copy-paste, production.
    """,
    trigger="""
        A compose `environment:` value for a database password variable (POSTGRES_PASSWORD,
        MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD, MONGO_INITDB_ROOT_PASSWORD, ...) that is a
        literal, or a database URL with a literal password, rather than `${VAR}`.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: hunter2-prod
          api:
            environment:
              DATABASE_URL: postgresql://postgres:hunter2-prod@db:5432/shop
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set in .env}
          api:
            environment:
              DATABASE_URL: postgresql://postgres:${POSTGRES_PASSWORD}@db:5432/shop
    """,
    good_lang="yaml",
    fix="""
        Reference a variable (`${POSTGRES_PASSWORD:?}`) set in an ignored `.env`, or use
        Compose secrets with `POSTGRES_PASSWORD_FILE`. Rotate a password that was committed.
    """,
)

_rule(
    "KD402",
    short="A default-looking database password (postgres, password, changeme, 123456, ...)",
    rationale="""
        Internet-wide scanners try exactly these passwords on every open 5432 and 3306. Bots
        log in, drop the databases and leave a single table with a ransom note; the data is
        rarely returned. A default password plus a published port (KD403) is how that
        happens to hobby projects and production alike.
    """,
    trigger="""
        A database password (in compose, `.env`, a URL, or a Dockerfile) equal to a common
        default: postgres, password, root, admin, example, secret, changeme, 123456, the user
        name, and similar.
    """,
    bad="""
        # .env
        POSTGRES_USER=postgres
        POSTGRES_PASSWORD=postgres
        DATABASE_URL=postgresql://postgres:postgres@db:5432/shop
    """,
    bad_lang="dotenv",
    good="""
        # .env (generated with: openssl rand -base64 24)
        POSTGRES_USER=shop
        POSTGRES_PASSWORD=q3Vn0c6p7Zt2yR1kXf8hLw4sJm9e
        DATABASE_URL=postgresql://shop:q3Vn0c6p7Zt2yR1kXf8hLw4sJm9e@db:5432/shop
    """,
    good_lang="dotenv",
    fix="""
        Generate a random password per environment. Note that POSTGRES_PASSWORD only applies
        when the volume is initialised: change an existing one with `ALTER USER ... PASSWORD`.
    """,
)

_rule(
    "KD403",
    short='The database port is published on all interfaces ("5432:5432")',
    rationale="""
        `"5432:5432"` binds on 0.0.0.0, so the database is reachable from every network the
        host is on. Docker writes its own iptables rules, which bypass ufw and firewalld, so
        a server whose firewall "blocks everything" still exposes the port to the internet,
        where scanners find it within hours.
    """,
    trigger="""
        A database service's `ports:` entry that publishes its server port without a host IP
        (`"5432:5432"`, `"5432"`, long form without `host_ip`) or on `0.0.0.0`/`::`.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            ports:
              - "5432:5432"
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            ports:
              - "127.0.0.1:5432:5432"
    """,
    good_lang="yaml",
    fix="""
        Bind to the loopback address (`127.0.0.1:5432:5432`), or do not publish the port at all:
        services on the same Compose network reach the database as `db:5432`.
    """,
)

_rule(
    "KD404",
    short="A container's DATABASE_URL points at localhost or a host that is no service",
    rationale="""
        Inside a container `localhost` is the container itself. The migration at start fails
        with P1001 and the app crash-loops, or, under `network_mode: host` or with a database
        on the host, it migrates a different database than the one with the volume. A
        hostname that is no service of the project resolves nowhere (or somewhere else), and
        the same thing happens.
    """,
    trigger="""
        A container's DATABASE_URL (from compose `environment:`/`env_file:`, the Dockerfile's
        ENV or the `.env` Compose reads) whose host is `localhost`, `127.0.0.1`, `::1`, or a
        name that is no service (nor alias, nor `container_name`) of the compose project.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            environment:
              DATABASE_URL: postgresql://shop:${DB_PASSWORD}@localhost:5432/shop
          db:
            image: postgres:16
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            environment:
              DATABASE_URL: postgresql://shop:${DB_PASSWORD}@db:5432/shop
          db:
            image: postgres:16
    """,
    good_lang="yaml",
    fix="""
        Use the database's service name as host (`db`), and keep a separate `.env` value with
        `localhost` for tools run on the host.
    """,
)

_rule(
    "KD405",
    short="A .env file with secrets is not ignored by git (or is already tracked)",
    rationale="""
        A committed `.env` puts the database password in the repository's history, where it
        stays after the file is deleted. Everyone with read access (and every CI log that
        prints the checkout) can reach the database; removing it from history takes a rewrite
        and a credential rotation.
    """,
    trigger="""
        A `.env`, `.env.local`, `.env.production` or similar file that contains a secret
        (a password variable or a URL with a password) and that no `.gitignore` matches; when
        the root is a git repository, also when git tracks the file anyway.
    """,
    bad="""
        # .gitignore
        node_modules
        dist
    """,
    bad_lang="gitignore",
    good="""
        # .gitignore
        node_modules
        dist
        .env
        .env.*
        !.env.example
    """,
    good_lang="gitignore",
    fix="""
        Ignore `.env*` (keep a `.env.example` without real values), `git rm --cached .env` if
        it is tracked, and rotate every credential it contained.
    """,
)

_rule(
    "KD406",
    short="${VAR} in compose has no value from .env, env_file, a default or a :? marker",
    rationale="""
        Compose replaces an unset variable with an empty string and only warns. In a volume
        path that moves the data: `${DATA_DIR}/postgres:/var/lib/postgresql/data` becomes
        `/postgres` on the host root, a brand-new empty directory. In an image tag,
        `postgres:${PG_VERSION}` fails to pull; an empty POSTGRES_PASSWORD
        stops the postgres image from initialising, and the stack does not start.
    """,
    trigger="""
        A `${VAR}` or `$VAR` in a compose file that has no value from the `.env` next to the
        compose file, an `env_file:` or the project's platform files, no default (`:-`/`-`)
        and no required marker (`:?`/`?`). `$$` escapes are not variables.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - ${DATA_DIR}/postgres:/var/lib/postgresql/data
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - ${DATA_DIR:?set DATA_DIR in .env}/postgres:/var/lib/postgresql/data
    """,
    good_lang="yaml",
    fix="""
        Define the variable in the `.env` beside the compose file, give it a default
        (`${PG_VERSION:-16}`), or make it required (`${DATA_DIR:?message}`) so Compose stops
        instead of substituting an empty string.
    """,
)

_rule(
    "KD407",
    short="DATABASE_URL's user, password or database disagree with the database service",
    rationale="""
        The app cannot log in (P1000) or connects to a database that does not exist. The
        trap is what comes next: POSTGRES_PASSWORD, POSTGRES_USER and POSTGRES_DB only apply
        when the image initialises an empty volume, so changing them later has no effect, and
        the fix that "works" is `docker compose down -v`, which deletes the data.
    """,
    trigger="""
        A service's DATABASE_URL that points at a database service of the same project and
        whose user, password or database name differs from that service's POSTGRES_USER,
        POSTGRES_PASSWORD or POSTGRES_DB (MySQL and Mongo equivalents), after resolving
        variables from `.env` and defaults.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            environment:
              DATABASE_URL: postgresql://shop:${DB_PASSWORD}@db:5432/shop_prod
          db:
            image: postgres:16
            environment:
              POSTGRES_USER: shop
              POSTGRES_PASSWORD: ${DB_PASSWORD}
              POSTGRES_DB: shop
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            environment:
              DATABASE_URL: postgresql://shop:${DB_PASSWORD}@db:5432/shop
          db:
            image: postgres:16
            environment:
              POSTGRES_USER: shop
              POSTGRES_PASSWORD: ${DB_PASSWORD}
              POSTGRES_DB: shop
    """,
    good_lang="yaml",
    fix="""
        Build DATABASE_URL from the same variables as the database service. To change
        credentials of an initialised volume, run `ALTER USER`/`CREATE DATABASE` in psql;
        never delete the volume to re-initialise it.
    """,
)

# == KD5xx: Prisma schema ===================================================================

_rule(
    "KD501",
    short="onDelete: Cascade: deleting the parent deletes these rows too",
    rationale="""
        A cascade is a decision about data, made once in the schema and executed silently by
        the database on every delete from then on, including deletes from a console, a
        script or another service. Listing each cascade with the chain it belongs to lets a
        reviewer confirm that the rows really are owned by their parent.
    """,
    trigger="""
        Every relation with `onDelete: Cascade`, reported at the `@relation` attribute with
        the deleted-with-parent chain it belongs to (which models a delete of the root
        reaches). Info: the finding documents behaviour; KD502 judges the chains.
    """,
    bad="""
        model Comment {
          id     Int  @id @default(autoincrement())
          postId Int
          post   Post @relation(fields: [postId], references: [id], onDelete: Cascade)
        }
    """,
    bad_lang="prisma",
    good="""
        model Comment {
          id     Int  @id @default(autoincrement())
          postId Int
          // Comments have no meaning without their post: deleted with it.
          // keepdata-ignore KD501 -- reviewed 2024-05, owned data
          post   Post @relation(fields: [postId], references: [id], onDelete: Cascade)
        }
    """,
    good_lang="prisma",
    fix="""
        Nothing to fix when the child is truly owned by the parent; confirm it and suppress
        with a reason. Otherwise use `Restrict` (the default for required relations) or
        `SetNull` on an optional relation.
    """,
)

_rule(
    "KD502",
    short="Deleting one record cascades 2+ levels deep or into valuable data",
    rationale="""
        Cascades compose. `User -> Order -> Invoice -> Payment` with Cascade at every step
        means one `prisma.user.delete()` (a GDPR request, an admin clicking "remove test
        account") erases the company's financial records. Nobody decides that explicitly: each
        relation looked harmless when it was written.
    """,
    trigger="""
        A model whose deletion cascades through two or more levels of relations, or into a
        model whose data looks valuable by name (payments, invoices, orders, audit logs,
        transactions, ledger entries, messages, files, plus `valuable-models` from
        keepdata.toml). Reported at the root's relation with the whole chain.
    """,
    bad="""
        model Order {
          id     String @id
          userId String
          user   User   @relation(fields: [userId], references: [id], onDelete: Cascade)
          invoices Invoice[]
        }

        model Invoice {
          id      String @id
          orderId String
          order   Order  @relation(fields: [orderId], references: [id], onDelete: Cascade)
        }
    """,
    bad_lang="prisma",
    good="""
        model Order {
          id     String @id
          userId String
          user   User   @relation(fields: [userId], references: [id], onDelete: Restrict)
          invoices Invoice[]
        }

        model Invoice {
          id      String @id
          orderId String
          order   Order  @relation(fields: [orderId], references: [id], onDelete: Restrict)
        }
    """,
    good_lang="prisma",
    fix="""
        Stop the chain before valuable data: `onDelete: Restrict` (deletes fail until the
        records are handled) or soft deletes (`deletedAt DateTime?`) for users and orders;
        anonymise instead of deleting where law requires erasure.
    """,
)

_rule(
    "KD503",
    short="onDelete/onUpdate: SetNull on a relation whose fields are required",
    rationale="""
        SetNull cannot null a required column: the database rejects the parent's delete with
        a NOT NULL violation (or Prisma rejects the schema, depending on version and relation
        mode). The intention, keep the child and detach it, never happens; the usual quick
        fix under a failing delete is switching to Cascade, which deletes the children that
        were meant to be kept.
    """,
    trigger="""
        A relation with `onDelete: SetNull` or `onUpdate: SetNull` whose scalar fields (the
        `fields: [...]`) are required (no `?`).
    """,
    bad="""
        model Post {
          id       Int  @id @default(autoincrement())
          authorId Int
          author   User @relation(fields: [authorId], references: [id], onDelete: SetNull)
        }
    """,
    bad_lang="prisma",
    good="""
        model Post {
          id       Int   @id @default(autoincrement())
          authorId Int?
          author   User? @relation(fields: [authorId], references: [id], onDelete: SetNull)
        }
    """,
    good_lang="prisma",
    fix="""
        Make the relation optional (`authorId Int?`, `author User?`) so SetNull can work, or
        choose Restrict and handle the children explicitly before deleting the parent.
    """,
)

_rule(
    "KD504",
    short='relationMode = "prisma" and a relation scalar without an index',
    rationale="""
        With `relationMode = "prisma"` the database has no foreign keys and creates no index
        for them; Prisma Client emulates Restrict and Cascade with queries on the child's
        relation column. Without an index those are full table scans under the delete,
        which grow slow enough to time out half-way through an emulated cascade.
    """,
    trigger="""
        A schema with `relationMode = "prisma"` and a relation whose scalar fields are not
        covered by an `@@index`, `@@unique`, `@unique` or `@id` starting with those fields.
    """,
    bad="""
        datasource db {
          provider     = "mysql"
          relationMode = "prisma"
        }

        model Comment {
          id     Int  @id @default(autoincrement())
          postId Int
          post   Post @relation(fields: [postId], references: [id])
        }
    """,
    bad_lang="prisma",
    good="""
        datasource db {
          provider     = "mysql"
          relationMode = "prisma"
        }

        model Comment {
          id     Int  @id @default(autoincrement())
          postId Int
          post   Post @relation(fields: [postId], references: [id])

          @@index([postId])
        }
    """,
    good_lang="prisma",
    fix="Add `@@index([<relation fields>])` to the model and create a migration for it.",
)

_rule(
    "KD505",
    short="The Prisma schema cannot be parsed",
    rationale="""
        Every schema rule and the schema/migrations comparison depend on the schema. If it
        does not parse, cascades, SetNull traps and pending destructive changes go
        unreported; and `prisma generate` or `migrate deploy` will fail on the same file at
        build or start.
    """,
    trigger="""
        A `.prisma` file (single schema or a multi-file `prisma/schema/` folder) that keepdata's
        parser cannot read: an unterminated block, an unknown block type, a malformed field or
        attribute. Reported at the position with the parser's message.
    """,
    bad="""
        model User {
          id    String @id @default(cuid())
          email String @unique
          posts Post[]
    """,
    bad_lang="prisma",
    good="""
        model User {
          id    String @id @default(cuid())
          email String @unique
          posts Post[]
        }
    """,
    good_lang="prisma",
    fix="""
        Fix the schema at the reported line; `prisma validate` and `prisma format` show
        Prisma's own view of the error.
    """,
)

_rule(
    "KD506",
    short="migration_lock.toml's provider differs from the datasource's provider",
    rationale="""
        Migrations are SQL for one database engine. When the schema switches provider
        (sqlite to postgresql) but the migration history stays, `migrate deploy` refuses with
        P3019, and the quick way out is deleting the migrations and pushing, which throws the
        history away; applying SQLite DDL to PostgreSQL by hand gets types and defaults wrong.
    """,
    trigger="""
        A `migration_lock.toml` whose `provider` differs from the `provider` of the
        datasource of the schema that owns that migrations folder. Points at the lock file's
        `provider` line, with the schema's `provider` line related.
    """,
    bad="""
        # prisma/migrations/migration_lock.toml
        # (schema.prisma: datasource db { provider = "postgresql" })
        provider = "sqlite"
    """,
    bad_lang="toml",
    good="""
        # prisma/migrations/migration_lock.toml
        # (schema.prisma: datasource db { provider = "postgresql" })
        provider = "postgresql"
    """,
    good_lang="toml",
    fix="""
        Keep the old provider until you move deliberately: create a new baseline migration
        for the new provider (`prisma migrate diff --from-empty --to-schema-datamodel ...`),
        move the data with a dump/import, and archive the old migration folder.
    """,
)

_rule(
    "KD507",
    short="A model with no @id, @@id, @unique or @@unique",
    rationale="""
        A record nobody can address uniquely cannot be updated or deleted one at a time:
        `update` and `delete` need a unique `where`, so code falls back to `updateMany` and
        `deleteMany` on ordinary fields that hit every matching row, and duplicates cannot be
        told apart or cleaned up safely. Prisma rejects such a model unless it is `@@ignore`d,
        which removes it from the client altogether.
    """,
    trigger="""
        A `model` block (not a `view`) with no `@id`, `@@id`, `@unique` or `@@unique`.
    """,
    bad="""
        model AuditEntry {
          actor     String
          action    String
          createdAt DateTime @default(now())
        }
    """,
    bad_lang="prisma",
    good="""
        model AuditEntry {
          id        BigInt   @id @default(autoincrement())
          actor     String
          action    String
          createdAt DateTime @default(now())
        }
    """,
    good_lang="prisma",
    fix="""
        Add a primary key (`id ... @id @default(...)`) or a unique constraint over the columns
        that identify a row, and create a migration that backfills it.
    """,
)

_rule(
    "KD508",
    short="Required relation without onDelete: deletes of the parent fail (Restrict)",
    rationale="""
        Without `onDelete`, a required relation defaults to Restrict: deleting the parent
        fails with P2003 while children exist. That protects data, but teams discover it in
        production as a failing delete and fix it in a hurry, usually by adding Cascade.
        Seeing the default stated lets you choose deliberately.
    """,
    trigger="""
        A relation whose scalar fields are required and that sets no `onDelete`, so Prisma's
        default Restrict (NoAction on SQL Server) applies. Info: documents what a delete does.
    """,
    bad="""
        model Invoice {
          id         String   @id
          customerId String
          customer   Customer @relation(fields: [customerId], references: [id])
        }
    """,
    bad_lang="prisma",
    good="""
        model Invoice {
          id         String   @id
          customerId String
          customer   Customer @relation(fields: [customerId], references: [id], onDelete: Restrict)
        }
    """,
    good_lang="prisma",
    fix="""
        State the action you want (`onDelete: Restrict` to keep the protection explicitly, or
        Cascade/SetNull after checking what a delete should do), and handle P2003 in the code
        that deletes parents.
    """,
)

_rule(
    "KD509",
    short='relationMode = "prisma": no foreign keys, cascades only in Prisma Client',
    rationale="""
        With emulated relations the database enforces nothing. Cascades and Restrict happen
        only when the delete goes through Prisma Client; a delete from psql, a migration, a
        raw query or another service leaves orphans behind and skips the cascade entirely,
        and nothing reports it.
    """,
    trigger="""
        A datasource with `relationMode = "prisma"` (or the older
        `referentialIntegrity = "prisma"`). Info: documents where integrity is enforced.
    """,
    bad="""
        datasource db {
          provider     = "postgresql"
          relationMode = "prisma"
        }
    """,
    bad_lang="prisma",
    good="""
        datasource db {
          provider = "postgresql"
        }
    """,
    good_lang="prisma",
    fix="""
        Use foreign keys (`relationMode = "foreignKeys"`, the default) where the database
        supports them; keep "prisma" only for databases without them (PlanetScale/Vitess),
        and route all deletes through Prisma Client there.
    """,
)

_rule(
    "KD510",
    short="A relational datasource with no migrations folder: the schema has no history",
    rationale="""
        Without migrations the database's shape came from `db push` or manual SQL. There is
        nothing to review before a change reaches production, nothing for `migrate deploy` to
        apply, and no way to express a rename: every schema change is computed on the spot
        against a live database, and destructive ones go through `--accept-data-loss`.
    """,
    trigger="""
        A schema whose datasource is relational (postgresql, mysql, sqlite, sqlserver,
        cockroachdb) and whose migrations folder (next to the schema, or the path from
        prisma.config.ts) does not exist or contains no migration.
    """,
    bad="""
        $ ls prisma
        schema.prisma  seed.ts
    """,
    bad_lang="sh",
    good="""
        $ ls prisma prisma/migrations
        prisma:
        migrations  schema.prisma  seed.ts

        prisma/migrations:
        0_init  20240612093000_add_invoices  migration_lock.toml
    """,
    good_lang="sh",
    fix="""
        Baseline: `prisma migrate diff --from-empty --to-schema-datamodel
        prisma/schema.prisma --script > prisma/migrations/0_init/migration.sql`, mark it
        applied on existing databases with `prisma migrate resolve --applied 0_init`, commit,
        and use `migrate dev`/`migrate deploy` from now on.
    """,
)

_rule(
    "KD511",
    short="A required field marked @ignore without @default: creates fail",
    rationale="""
        `@ignore` removes the field from the client, so Prisma can no longer write the column;
        since it is NOT NULL without a database default, every `create` on the model fails
        with a constraint violation. The tempting fix is dropping the column, and with it the
        data it still holds.
    """,
    trigger="""
        A field with `@ignore` that is required (no `?`, not a list) and has no `@default`.
    """,
    bad="""
        model Customer {
          id        String @id @default(cuid())
          email     String @unique
          legacyRef String @ignore
        }
    """,
    bad_lang="prisma",
    good="""
        model Customer {
          id        String  @id @default(cuid())
          email     String  @unique
          legacyRef String? @ignore
        }
    """,
    good_lang="prisma",
    fix="""
        Make the field optional (and the column nullable in a migration) or give it a
        `@default(...)` that the database applies, before ignoring it.
    """,
)

# == KD6xx: migration SQL ===================================================================

_rule(
    "KD601",
    short="DROP TABLE in a migration: every row of the table is deleted",
    rationale="""
        `migrate deploy` runs the migration against production without asking. A dropped table
        is gone with all its rows; getting it back means restoring a backup and losing
        everything written since. Prisma writes DROP TABLE for a model that was deleted or
        renamed without `@@map`, so a refactor that only meant to rename can delete a table.
    """,
    trigger="""
        A `DROP TABLE` statement in a migration.sql, except the SQLite copy-and-swap that
        Prisma writes to redefine a table (`-- RedefineTables`: `CREATE TABLE "new_X"`,
        `INSERT INTO "new_X" ... SELECT ... FROM "X"`, `DROP TABLE "X"`, rename).
    """,
    bad="""
        -- prisma/migrations/20240612093000_remove_coupons/migration.sql
        -- DropTable
        DROP TABLE "Coupon";
    """,
    bad_lang="sql",
    good="""
        // schema.prisma: the model was renamed; its table keeps its name and its rows
        model Voucher {
          id   String @id
          code String @unique

          @@map("Coupon")
        }
    """,
    good_lang="prisma",
    fix="""
        If the model was renamed, keep the table with `@@map("OldName")`. If it is really
        obsolete, archive it (rename or export) first and drop it in a later migration after
        a backup; review the migration before merging.
    """,
)

_rule(
    "KD602",
    short="ALTER TABLE ... DROP COLUMN: the column's data is deleted",
    rationale="""
        Dropping a column deletes its value in every row, and rolling the code back does not
        bring it back. Prisma writes DROP COLUMN for a field that was removed or renamed
        without `@map`, so a field rename in the schema becomes a silent loss of that column
        on the next `migrate deploy`. Old replicas still running during a rolling deploy
        fail on the missing column too.
    """,
    trigger="""
        `ALTER TABLE ... DROP COLUMN` in a migration.sql; also a column of a SQLite table
        redefined with `-- RedefineTables` that the `INSERT ... SELECT` does not copy.
    """,
    bad="""
        -- prisma/migrations/20240701120000_cleanup_user/migration.sql
        -- AlterTable
        ALTER TABLE "User" DROP COLUMN "phone";
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240701120000_move_phone/migration.sql
        -- Copy the data to its new home first; drop the old column in a later release.
        ALTER TABLE "Contact" ADD COLUMN "phone" TEXT;
        UPDATE "Contact" c SET "phone" = u."phone" FROM "User" u WHERE c."userId" = u."id";
    """,
    good_lang="sql",
    fix="""
        For a rename, keep the column with `@map("old_name")` or edit the migration into
        `RENAME COLUMN`. For a removal, stop using the field first, copy or export the data,
        and drop the column in a later migration after a backup.
    """,
)

_rule(
    "KD603",
    short="A column's type changes: casts can fail, round or truncate",
    rationale="""
        `ALTER COLUMN ... SET DATA TYPE` rewrites every value. DECIMAL to INTEGER rounds away
        the cents, TIMESTAMP(3) to DATE drops the time, TEXT to INTEGER fails on the first
        non-numeric row and leaves the migration failed (blocking every later deploy with
        P3009). Prisma writes a drop-and-recreate instead when no cast exists, which empties
        the column.
    """,
    trigger="""
        A statement that changes an existing column's type: `ALTER TABLE ... ALTER COLUMN
        ... [SET DATA] TYPE ...` (PostgreSQL), `MODIFY`/`CHANGE` (MySQL), or a Prisma
        "dropped and recreated" column.
    """,
    bad="""
        -- prisma/migrations/20240801090000_price_int/migration.sql
        -- AlterTable
        ALTER TABLE "Product" ALTER COLUMN "price" SET DATA TYPE INTEGER;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240801090000_price_cents/migration.sql
        ALTER TABLE "Product" ADD COLUMN "priceCents" INTEGER;
        UPDATE "Product" SET "priceCents" = ("price" * 100)::INTEGER WHERE "priceCents" IS NULL;
    """,
    good_lang="sql",
    fix="""
        Add a new column, backfill it with an explicit, checked conversion, switch the code,
        then drop the old column later; or add `USING` with a conversion you have tested
        against a copy of production data.
    """,
)

_rule(
    "KD604",
    short="ADD COLUMN ... NOT NULL with no DEFAULT on an existing table",
    rationale="""
        On a table with rows the statement fails: existing rows would have no value. The
        migration stops half-way, `_prisma_migrations` marks it failed and every later deploy
        is blocked (P3009) until someone intervenes, and the interventions that look quickest
        are `migrate reset` or `db push --accept-data-loss`.
    """,
    trigger="""
        `ALTER TABLE ... ADD COLUMN ... NOT NULL` without a `DEFAULT` on a table that existed
        before this migration (not created by it).
    """,
    bad="""
        -- prisma/migrations/20240815100000_add_tenant/migration.sql
        -- AlterTable
        ALTER TABLE "Order" ADD COLUMN "tenantId" TEXT NOT NULL;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240815100000_add_tenant/migration.sql
        ALTER TABLE "Order" ADD COLUMN "tenantId" TEXT;
        UPDATE "Order" SET "tenantId" = 'default' WHERE "tenantId" IS NULL;
        ALTER TABLE "Order" ALTER COLUMN "tenantId" SET NOT NULL;
    """,
    good_lang="sql",
    fix="""
        Add the column nullable, backfill it, then set NOT NULL (in the same migration or a
        later one), or give it a DEFAULT that is correct for existing rows.
    """,
)

_rule(
    "KD605",
    short="ALTER COLUMN ... SET NOT NULL on an existing column",
    rationale="""
        If any row holds NULL the statement fails and the migration is left failed, blocking
        later deploys until it is resolved by hand. Prisma writes this when an optional field
        becomes required; whether production has NULLs is exactly what the schema diff
        cannot know.
    """,
    trigger="""
        `ALTER TABLE ... ALTER COLUMN ... SET NOT NULL` (MySQL: a `MODIFY` that adds `NOT
        NULL`) on a column that existed before this migration; also a SQLite redefinition
        that copies a nullable column into a required one.
    """,
    bad="""
        -- prisma/migrations/20240820080000_require_country/migration.sql
        -- AlterTable
        ALTER TABLE "Address" ALTER COLUMN "country" SET NOT NULL;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240820080000_require_country/migration.sql
        UPDATE "Address" SET "country" = 'DE' WHERE "country" IS NULL;
        -- keepdata-ignore KD605: NULLs are backfilled by the UPDATE above
        ALTER TABLE "Address" ALTER COLUMN "country" SET NOT NULL;
    """,
    good_lang="sql",
    fix="""
        Backfill NULLs in the same migration before SET NOT NULL (check first with
        `SELECT count(*) ... WHERE col IS NULL` against production), then record the review
        with a `keepdata-ignore KD605` comment that says how the NULLs are handled.
    """,
)

_rule(
    "KD606",
    short="A unique index or constraint is added to an existing table",
    rationale="""
        If production holds duplicates, the index creation fails and the migration is left
        failed. The pressure to unblock deploys then leads to deleting "duplicates" by hand,
        which usually deletes real records (two customers sharing an email, a re-submitted
        order) chosen by whatever query was quickest to write.
    """,
    trigger="""
        `CREATE UNIQUE INDEX` or `ADD CONSTRAINT ... UNIQUE` on a table that existed before
        this migration, unless every column it covers was added (nullable) in this migration,
        so existing rows hold NULLs, which never collide.
    """,
    bad="""
        -- prisma/migrations/20240901110000_unique_email/migration.sql
        -- CreateIndex
        CREATE UNIQUE INDEX "Customer_email_key" ON "Customer"("email");
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240901110000_unique_email/migration.sql
        -- Duplicates merged in 20240825000000_merge_customers; production checked 2024-08-30.
        -- keepdata-ignore KD606: no duplicate emails left (GROUP BY ... HAVING gives 0 rows)
        CREATE UNIQUE INDEX "Customer_email_key" ON "Customer"("email");
    """,
    good_lang="sql",
    fix="""
        Check for duplicates in production before merging (`SELECT email, count(*) ... GROUP
        BY 1 HAVING count(*) > 1`), resolve them deliberately in an earlier migration or
        script, then add the constraint and record the check in a `keepdata-ignore KD606`
        reason.
    """,
)

_rule(
    "KD607",
    short="An enum loses a value: rows still holding it break the migration",
    rationale="""
        Prisma removes an enum value by creating a new type, casting the column to it and
        dropping the old type. Any row that still holds the removed value makes the cast fail,
        leaving a failed migration; if someone "fixes" it by deleting those rows or casting
        them to another value, the information they held is gone.
    """,
    trigger="""
        An enum change that removes a value: Prisma's `CREATE TYPE "E_new" ...` +
        `ALTER COLUMN ... TYPE "E_new" USING ...` + rename + `DROP TYPE "E_old"` sequence with
        fewer values, or MySQL's `ENUM(...)` column redefinition without a value. One finding
        per enum change (not also a rename, drop or transaction finding).
    """,
    bad="""
        -- prisma/migrations/20240910150000_drop_pending/migration.sql
        BEGIN;
        CREATE TYPE "OrderStatus_new" AS ENUM ('PAID', 'SHIPPED', 'CANCELLED');
        ALTER TABLE "Order" ALTER COLUMN "status" TYPE "OrderStatus_new"
          USING ("status"::text::"OrderStatus_new");
        ALTER TYPE "OrderStatus" RENAME TO "OrderStatus_old";
        ALTER TYPE "OrderStatus_new" RENAME TO "OrderStatus";
        DROP TYPE "OrderStatus_old";
        COMMIT;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240910150000_drop_pending/migration.sql
        -- Move the rows off the value first, recorded in the migration.
        UPDATE "Order" SET "status" = 'CANCELLED' WHERE "status" = 'PENDING';
        BEGIN;
        -- keepdata-ignore KD607: PENDING rows are moved to CANCELLED above
        CREATE TYPE "OrderStatus_new" AS ENUM ('PAID', 'SHIPPED', 'CANCELLED');
        ALTER TABLE "Order" ALTER COLUMN "status" TYPE "OrderStatus_new"
          USING ("status"::text::"OrderStatus_new");
        ALTER TYPE "OrderStatus" RENAME TO "OrderStatus_old";
        ALTER TYPE "OrderStatus_new" RENAME TO "OrderStatus";
        DROP TYPE "OrderStatus_old";
        COMMIT;
    """,
    good_lang="sql",
    fix="""
        Map the rows that use the value to another value with an UPDATE before the type
        change (and decide with the product owner what that value should be); keep the value
        in the enum if old rows must stay as they are.
    """,
)

_rule(
    "KD608",
    short="TRUNCATE, DELETE without WHERE, DROP SCHEMA or DROP DATABASE in a migration",
    rationale="""
        These statements empty tables or remove whole schemas, and in a migration they run
        on every environment `migrate deploy` reaches, production included. Usually they were
        written to clean a development database and committed by accident. `TRUNCATE ...
        CASCADE` also empties every table that references the named one.
    """,
    trigger="""
        In a migration.sql: `TRUNCATE` (naming, for `CASCADE`, the tables it reaches through
        foreign keys), `DELETE FROM` without `WHERE`, `DROP SCHEMA`, or `DROP DATABASE`.
    """,
    bad="""
        -- prisma/migrations/20240920090000_add_user_locale/migration.sql
        ALTER TABLE "User" ADD COLUMN "locale" TEXT NOT NULL DEFAULT 'en';
        -- clean local test data
        TRUNCATE TABLE "User" CASCADE;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240920090000_add_user_locale/migration.sql
        ALTER TABLE "User" ADD COLUMN "locale" TEXT NOT NULL DEFAULT 'en';
    """,
    good_lang="sql",
    fix="""
        Remove the statement from the migration. Data clean-ups belong in a reviewed,
        targeted statement (with WHERE) or an operational script run once, after a backup.
    """,
)

_rule(
    "KD609",
    short="A table, column, enum value or schema is renamed",
    rationale="""
        A rename keeps the data, but the running code still uses the old name. During a
        rolling deploy (and for a rollback) the old version fails on every query that
        touches the renamed object, and writes made in that window are lost as errors.
    """,
    trigger="""
        `ALTER TABLE ... RENAME TO`, `RENAME COLUMN`, `ALTER TYPE ... RENAME VALUE`, or
        `ALTER SCHEMA ... RENAME TO` in a migration (not Prisma's own enum-swap renames of
        `E_new`/`E_old`, which are part of KD607's sequence).
    """,
    bad="""
        -- prisma/migrations/20241001100000_rename_fullname/migration.sql
        ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
    """,
    bad_lang="sql",
    good="""
        // schema.prisma: rename in code only, keep the column's name
        model User {
          id       String @id
          fullName String @map("name")
        }
    """,
    good_lang="prisma",
    fix="""
        Rename in the schema only with `@map`/`@@map`, or do it in steps: add the new name,
        write both, switch reads, drop the old name in a later release.
    """,
)

_rule(
    "KD610",
    short="Prisma's own data-loss warning at the top of a migration",
    rationale="""
        When Prisma generates a migration that can lose data it says so in a comment block
        at the top ("All the data in the column will be lost", "without a default value").
        The warning is written once, in a file few people open, and `migrate deploy` applies
        the migration without showing it. Each line is a decision somebody has to make.
    """,
    trigger="""
        Each line of the `Warnings:` block Prisma writes at the top of a migration.sql, one
        finding per line, pointing at that line (data loss warnings and unexecutable steps).
    """,
    bad="""
        /*
          Warnings:

          - You are about to drop the column `bio` on the `Profile` table. All the data in the column will be lost.

        */
        -- AlterTable
        ALTER TABLE "Profile" DROP COLUMN "bio";
    """,
    bad_lang="sql",
    good="""
        -- AlterTable (edited: the field was renamed, not removed)
        ALTER TABLE "Profile" RENAME COLUMN "bio" TO "about";
    """,
    good_lang="sql",
    fix="""
        Read every warning. Edit the migration so that it keeps the data (RENAME instead of
        drop + add, a backfill before NOT NULL, a mapping before an enum change), then delete
        the warning block; or confirm the loss deliberately and suppress with a reason.
    """,
)

_rule(
    "KD611",
    short="A migration folder with no or an empty migration.sql",
    rationale="""
        An empty migration is usually a `migrate dev --create-only` whose SQL was never
        written: a planned data migration or backfill that did not happen. `migrate deploy`
        records it as applied anyway, so the gap is permanent, and the next migration that
        assumes the backfill ran fails or loses data.
    """,
    trigger="""
        A migration folder without `migration.sql`, or whose `migration.sql` is empty, only
        whitespace and comments, or Prisma's `-- This is an empty migration.`.
    """,
    bad="""
        -- prisma/migrations/20241010090000_backfill_slugs/migration.sql
        -- This is an empty migration.
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241010090000_backfill_slugs/migration.sql
        UPDATE "Post" SET "slug" = lower(regexp_replace("title", '[^a-zA-Z0-9]+', '-', 'g'))
        WHERE "slug" IS NULL;
    """,
    good_lang="sql",
    fix="""
        Write the intended SQL before the migration is deployed, or delete the folder if it
        was created by mistake (only while no database has applied it).
    """,
)

_rule(
    "KD612",
    short="A migration.sql that the SQL parser cannot read",
    rationale="""
        keepdata cannot judge what it cannot parse, so any DROP or TRUNCATE in the file goes
        unreported. Often it is also a real syntax error, which `migrate deploy` meets in
        production after the statements before it already ran: a half-applied, failed
        migration.
    """,
    trigger="""
        A migration.sql (or a statement of it) that the SQL parser rejects, reported at the
        statement's position with the parser's message; the other statements are still
        checked.
    """,
    bad="""
        -- prisma/migrations/20241015120000_add_index/migration.sql
        CREATE INDEX "Order_createdAt_idx" ON "Order"("createdAt";
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241015120000_add_index/migration.sql
        CREATE INDEX "Order_createdAt_idx" ON "Order"("createdAt");
    """,
    good_lang="sql",
    fix="""
        Fix the statement and test the migration against a copy of production (`prisma
        migrate deploy` on a restored dump) before merging.
    """,
)

_rule(
    "KD613",
    short="UPDATE without WHERE in a migration: every row is overwritten",
    rationale="""
        An UPDATE without WHERE replaces the column's value in every row. In a migration it
        runs on production at deploy time, and the previous values are gone unless restored
        from a backup; often the WHERE was lost while editing.
    """,
    trigger="A top-level `UPDATE ... SET ...` statement with no `WHERE` clause in a migration.sql.",
    bad="""
        -- prisma/migrations/20241020100000_default_currency/migration.sql
        UPDATE "Order" SET "currency" = 'EUR';
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241020100000_default_currency/migration.sql
        UPDATE "Order" SET "currency" = 'EUR' WHERE "currency" IS NULL;
    """,
    good_lang="sql",
    fix="""
        Add the WHERE that limits the update to the rows meant (usually `WHERE col IS NULL`
        for a backfill); if every row really must change, suppress with a reason.
    """,
)

_rule(
    "KD614",
    short="DELETE ... WHERE in a migration: the rows cannot be brought back",
    rationale="""
        A targeted delete looks safe, but a migration runs once per environment and Prisma
        has no down migrations: rolling the code back does not bring the rows back, and the
        WHERE clause was tested against a development database, not production's data.
    """,
    trigger="A `DELETE FROM ... WHERE ...` statement in a migration.sql.",
    bad="""
        -- prisma/migrations/20241101090000_remove_test_accounts/migration.sql
        DELETE FROM "User" WHERE "email" LIKE '%@example.com';
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241101090000_hide_test_accounts/migration.sql
        UPDATE "User" SET "deletedAt" = now() WHERE "email" LIKE '%@example.com';
    """,
    good_lang="sql",
    fix="""
        Prefer soft deletes or moving the rows to an archive table in an earlier step; if
        the delete is intended, count the affected rows in production first and suppress
        with a reason.
    """,
)

_rule(
    "KD615",
    short="DROP ... CASCADE: every dependent column and object is dropped too",
    rationale="""
        In PostgreSQL, `DROP TYPE "Status" CASCADE` drops every column of that type, in every
        table, with their data; `DROP TABLE ... CASCADE` removes the foreign keys and views
        that depend on it. The statement names one object and silently removes many.
    """,
    trigger="`DROP TYPE ... CASCADE` or any other `DROP ... CASCADE` in a migration.sql.",
    bad="""
        -- prisma/migrations/20241105100000_drop_status_enum/migration.sql
        DROP TYPE "Status" CASCADE;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241105100000_drop_status_enum/migration.sql
        -- The column was migrated to "state" in 20241101; the type has no users left.
        DROP TYPE "Status";
    """,
    good_lang="sql",
    fix="""
        Drop without CASCADE so PostgreSQL refuses while something still depends on the
        object, and migrate or drop those dependents explicitly first.
    """,
)

_rule(
    "KD616",
    short="An existing table's primary key is dropped or replaced",
    rationale="""
        Changing a primary key drops the old constraint and builds a new one. If it fails
        half-way (duplicates, NULLs, a lock timeout) the table is left with no primary key;
        foreign keys that reference the old key are dropped with it or break, and references
        that no longer match lose their target.
    """,
    trigger="""
        `ALTER TABLE ... DROP CONSTRAINT "X_pkey"`, `ADD CONSTRAINT ... PRIMARY KEY` on a
        table that existed before this migration, or Prisma's `-- AlterPrimaryKey` step.
    """,
    bad="""
        -- prisma/migrations/20241110090000_uuid_pk/migration.sql
        -- AlterTable
        ALTER TABLE "Order" DROP CONSTRAINT "Order_pkey",
        ADD CONSTRAINT "Order_pkey" PRIMARY KEY ("uuid");
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241110090000_uuid_key/migration.sql
        -- Keep the primary key; add the new identifier as a unique column alongside it.
        ALTER TABLE "Order" ADD COLUMN "publicId" UUID;
        CREATE UNIQUE INDEX "Order_publicId_key" ON "Order"("publicId");
    """,
    good_lang="sql",
    fix="""
        Add the new key as a unique column first, move foreign keys over, and swap the
        primary key in a planned step after verifying there are no duplicates or NULLs.
    """,
)

_rule(
    "KD617",
    short="CHECK/FOREIGN KEY/EXCLUDE added to an existing table without NOT VALID",
    rationale="""
        Adding a constraint validates every existing row. A single violating row (an orphan,
        a negative amount from years ago) makes `migrate deploy` fail half-way through the
        migration, and the pressure to unblock the deploy leads to deleting the rows that
        "violate" it.
    """,
    trigger="""
        `ALTER TABLE ... ADD CONSTRAINT ... CHECK`, `FOREIGN KEY` or `EXCLUDE` on a table that
        existed before this migration, without `NOT VALID`.
    """,
    bad="""
        -- prisma/migrations/20241115100000_positive_amounts/migration.sql
        ALTER TABLE "Payment" ADD CONSTRAINT "Payment_amount_check" CHECK ("amount" >= 0);
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241115100000_positive_amounts/migration.sql
        ALTER TABLE "Payment" ADD CONSTRAINT "Payment_amount_check" CHECK ("amount" >= 0) NOT VALID;
        -- later, after reviewing the violating rows:
        -- ALTER TABLE "Payment" VALIDATE CONSTRAINT "Payment_amount_check";
    """,
    good_lang="sql",
    fix="""
        Add the constraint `NOT VALID` (new rows are checked at once), review and fix the
        existing violators deliberately, then `VALIDATE CONSTRAINT` in a later migration.
    """,
)

_rule(
    "KD618",
    short="A foreign key is dropped and not re-created on the same columns",
    rationale="""
        Without the foreign key the database no longer stops deletes of referenced rows or
        inserts of dangling references. Orphans build up from then on, and the cascades the
        schema still shows no longer happen outside of Prisma Client.
    """,
    trigger="""
        `ALTER TABLE ... DROP CONSTRAINT` of a foreign key (or `-- DropForeignKey`) with no
        `ADD CONSTRAINT ... FOREIGN KEY` on the same table and columns later in the same
        migration.
    """,
    bad="""
        -- prisma/migrations/20241120100000_loosen_orders/migration.sql
        -- DropForeignKey
        ALTER TABLE "Order" DROP CONSTRAINT "Order_userId_fkey";
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241120100000_orders_restrict/migration.sql
        -- DropForeignKey
        ALTER TABLE "Order" DROP CONSTRAINT "Order_userId_fkey";
        -- AddForeignKey
        ALTER TABLE "Order" ADD CONSTRAINT "Order_userId_fkey" FOREIGN KEY ("userId")
          REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
    """,
    good_lang="sql",
    fix="""
        Re-create the foreign key (with the referential action you want) in the same
        migration, or, if the relation is really gone, remove the column too.
    """,
)

_rule(
    "KD619",
    short="Unbalanced BEGIN/COMMIT in a migration.sql",
    rationale="""
        A `BEGIN` without `COMMIT` leaves the rest of the file in a transaction that may never
        be committed, while Prisma can record the migration as applied. A
        nested `BEGIN` is ignored with a warning, so the first `COMMIT` commits half of the
        work and a failure after it leaves the other half undone. Either way the history says
        one thing and the schema another.
    """,
    trigger="""
        In a migration.sql: `BEGIN`/`START TRANSACTION` with no matching `COMMIT`, a `BEGIN`
        inside an open transaction, or a `COMMIT`/`END` with no open transaction. Prisma's
        enum-swap block (`BEGIN; ... COMMIT;`) is balanced and not reported.
    """,
    bad="""
        -- prisma/migrations/20241125100000_split_name/migration.sql
        BEGIN;
        ALTER TABLE "User" ADD COLUMN "firstName" TEXT;
        UPDATE "User" SET "firstName" = split_part("name", ' ', 1) WHERE "name" IS NOT NULL;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241125100000_split_name/migration.sql
        BEGIN;
        ALTER TABLE "User" ADD COLUMN "firstName" TEXT;
        UPDATE "User" SET "firstName" = split_part("name", ' ', 1) WHERE "name" IS NOT NULL;
        COMMIT;
    """,
    good_lang="sql",
    fix="Pair every BEGIN with a COMMIT at the same level and do not nest transactions.",
)

_rule(
    "KD620",
    short="CREATE EXTENSION for an extension the compose database image does not ship",
    rationale="""
        `CREATE EXTENSION vector` on the plain `postgres` image fails ("extension is not
        available"). `migrate deploy` leaves the migration failed and refuses every later
        one (P3009), so the deploy is stuck until someone edits history with `migrate
        resolve` or, on a fresh environment, resets the database.
    """,
    trigger="""
        A migration's `CREATE EXTENSION` (or the datasource's `extensions = [...]`, honouring
        `pgvector(map: "vector")`) for an extension the compose database image does not ship:
        `vector`, `vectors`, `postgis`, `timescaledb` on plain `postgres`. Images that ship
        them (pgvector/pgvector, ankane/pgvector: vector; postgis/postgis: postgis;
        timescale/timescaledb*: timescaledb; a derived image: what its Dockerfile installs)
        are fine; unknown images are not judged.
    """,
    bad="""
        # docker-compose.yml (prisma/migrations/0_init/migration.sql:
        #   CREATE EXTENSION IF NOT EXISTS "vector";)
        services:
          db:
            image: postgres:16
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: pgvector/pgvector:pg16
    """,
    good_lang="yaml",
    fix="""
        Use an image that ships the extension (same major version as before, so the volume
        stays readable), or build one with the extension installed, before deploying the
        migration.
    """,
)

_rule(
    "KD621",
    short="SQLite table redefinition on D1/libSQL: the swap cascades into child rows",
    rationale="""
        To change a SQLite table Prisma copies it to `new_X`, drops `X` and renames the copy,
        relying on `PRAGMA foreign_keys=OFF`. Cloudflare D1 and libSQL/Turso run the
        migration inside a transaction where that pragma does nothing, so `DROP TABLE "X"`
        fires the foreign key actions: every child with `onDelete: Cascade` is deleted and
        every child with SetNull loses its reference, in production, by a migration that
        only added a column.
    """,
    trigger="""
        A `-- RedefineTables` copy-and-swap of a table that other tables reference with
        `onDelete: Cascade` or `SetNull` (explicit, or the SetNull default of optional
        relations), in a project that runs migrations on Cloudflare D1 (wrangler
        `d1_databases`, `@prisma/adapter-d1`) or libSQL/Turso (`libsql://` URLs,
        `@prisma/adapter-libsql`). Info on plain SQLite, where the pragma works.
    """,
    bad="""
        -- prisma/migrations/20241201100000_user_nickname/migration.sql
        PRAGMA defer_foreign_keys=ON;
        PRAGMA foreign_keys=OFF;
        CREATE TABLE "new_User" ("id" TEXT NOT NULL PRIMARY KEY, "email" TEXT NOT NULL,
          "nickname" TEXT NOT NULL DEFAULT '');
        INSERT INTO "new_User" ("id", "email") SELECT "id", "email" FROM "User";
        DROP TABLE "User";
        ALTER TABLE "new_User" RENAME TO "User";
        PRAGMA foreign_keys=ON;
        PRAGMA defer_foreign_keys=OFF;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241201100000_user_nickname/migration.sql
        -- An ADD COLUMN needs no table swap, so no child rows are touched.
        ALTER TABLE "User" ADD COLUMN "nickname" TEXT NOT NULL DEFAULT '';
    """,
    good_lang="sql",
    fix="""
        Rewrite the migration so the referenced table is not redefined (`ALTER TABLE ... ADD
        COLUMN`/`RENAME COLUMN` where SQLite allows it). Where a swap is unavoidable, copy the
        children aside and restore them after the swap, and test the migration on a D1/Turso
        copy with data.
    """,
)

_rule(
    "KD622",
    short="A column (or table) is dropped and a similar one added: a rename that loses data",
    rationale="""
        Prisma cannot tell a rename from a removal plus an addition, so renaming `name` to
        `fullName` in the schema produces `DROP COLUMN "name"` and `ADD COLUMN "fullName"`.
        The migration looks like a harmless refactor and deletes every value of the column;
        the new one starts empty (or with the default).
    """,
    trigger="""
        One migration that drops a column and adds a column of the same type to the same
        table, or drops a table and creates one with the same columns. Both statements are
        named; the suggestion is a RENAME.
    """,
    bad="""
        -- prisma/migrations/20241210100000_rename_name/migration.sql
        -- AlterTable
        ALTER TABLE "User" DROP COLUMN "name",
        ADD COLUMN     "fullName" TEXT;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241210100000_rename_name/migration.sql
        -- AlterTable (edited: keep the data)
        ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
    """,
    good_lang="sql",
    fix="""
        Edit the generated migration into `RENAME COLUMN`/`RENAME TO` before it is applied
        anywhere (`migrate dev --create-only`, edit, then `migrate dev`), or keep the old
        database name with `@map("name")`.
    """,
)

_rule(
    "KD623",
    short="CREATE/REINDEX CONCURRENTLY on PostgreSQL 14.0-14.3 can corrupt the index",
    rationale="""
        PostgreSQL 14.0 to 14.3 have a bug in concurrent index builds: rows updated while the
        index is being built can be missing from it. The index is silently corrupt: lookups
        miss rows, and a unique index lets duplicates in. Fixed in 14.4, which also says to
        rebuild indexes made concurrently on the affected versions.
    """,
    trigger="""
        `CREATE INDEX CONCURRENTLY` or `REINDEX ... CONCURRENTLY` in a migration while the
        compose database image is PostgreSQL 14.0, 14.1, 14.2 or 14.3.
    """,
    bad="""
        # docker-compose.yml (a migration runs CREATE INDEX CONCURRENTLY ...)
        services:
          db:
            image: postgres:14.2
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:14.13
    """,
    good_lang="yaml",
    fix="""
        Upgrade to the latest 14.x minor (same data directory, no dump needed), then
        `REINDEX` indexes that were built concurrently on 14.0-14.3 (`amcheck` finds them).
    """,
)

_rule(
    "KD624",
    short="A migration that was already applied has been edited",
    rationale="""
        Prisma records a checksum of every migration it applies. Once a migration exists at
        the base revision it has run on the team's and production's databases; editing it
        changes nothing there (the database keeps what the old text did), while `migrate
        dev` sees the checksum mismatch and asks to reset the development database, and
        `migrate deploy` warns that an applied migration was modified. New environments
        replay the edited text, so they end up with a different schema than production.
    """,
    trigger="""
        A `migration.sql` that exists at the base revision (`--base`, by default the
        merge-base of HEAD with the default branch) has other content in the work tree;
        the finding points at the first changed line.
    """,
    bad="""
        -- prisma/migrations/20240101000000_init/migration.sql, applied on main, now edited:
        CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT NOT NULL, "name" TEXT);
    """,
    bad_lang="sql",
    good="""
        -- the applied migration is left as it was; the change is a new migration:
        -- prisma/migrations/20240301000000_add_user_name/migration.sql
        ALTER TABLE "User" ADD COLUMN "name" TEXT;
    """,
    good_lang="sql",
    fix="""
        Restore the applied migration (`git checkout <base> -- prisma/migrations/<name>`) and
        put the change in a new migration (`prisma migrate dev --name ...`). If the edit only
        fixes a migration that failed everywhere, mark it with `migrate resolve` instead.
    """,
)

# == KD7xx: schema and migrations together ==================================================

_rule(
    "KD701",
    short="The schema declares something that no migration creates",
    rationale="""
        A field or model added to schema.prisma without running `migrate dev` exists in the
        client but not in the database of any environment that uses `migrate deploy`.
        Queries fail on the missing column (P2022), and the shortcut people take is
        `db push` on production, after which the migration history no longer matches and
        the next `migrate dev` wants to reset.
    """,
    trigger="""
        Replaying the migrations' SQL in order gives a database model that lacks something
        the schema declares: a table, column, enum or enum value, index or unique constraint
        (respecting `@map`, `@@map`, `@db.*` and implicit many-to-many tables).
    """,
    bad="""
        model Customer {
          id      String  @id @default(cuid())
          email   String  @unique
          vatId   String? // added, but no migration was created
        }
    """,
    bad_lang="prisma",
    good="""
        $ npx prisma migrate dev --name add_customer_vat_id
        Applying migration `20241215093000_add_customer_vat_id`
        $ git add prisma/migrations/20241215093000_add_customer_vat_id prisma/schema.prisma
    """,
    good_lang="sh",
    fix="""
        Run `prisma migrate dev --name <change>` against a development database and commit
        the migration together with the schema change.
    """,
)

_rule(
    "KD702",
    short="The next migrate dev would drop, narrow or make required something with data",
    rationale="""
        The difference between the schema and the replayed migrations is what the next
        `migrate dev` will write. When that difference drops a table or column, changes a
        type, makes a column required or removes an enum value, the destructive migration is
        already decided in the schema, usually by a rename or a cleanup that was not meant to
        delete anything; it only needs someone to run the command and commit the output.
    """,
    trigger="""
        The pending difference between the schema and the replayed migrations drops a table
        or column, makes a column required, changes a column's type, or removes an enum
        value. The finding names the table, column or value that would lose data.
    """,
    bad="""
        model User {
          id       String @id
          fullName String // was `name` in the last migration: the next migration drops it
        }
    """,
    bad_lang="prisma",
    good="""
        model User {
          id       String @id
          fullName String @map("name")
        }
    """,
    good_lang="prisma",
    fix="""
        For renames use `@map`/`@@map` (or edit the generated migration into a RENAME); for
        real removals and tightenings, plan a backfill or export first and review the
        generated SQL before committing it.
    """,
)

_rule(
    "KD703",
    short="Migration folders out of order or with duplicate timestamps",
    rationale="""
        Prisma applies migrations in folder-name order. After merging two branches, a
        migration can sort before one it depends on, or two share a timestamp: a fresh
        database (CI, a new environment, a restore) then replays them in a different order
        than production did, and fails on a table that does not exist yet. `migrate dev`
        reports the history as modified and offers to reset the development database.
    """,
    trigger="""
        Migration folders with duplicate timestamps, or out of order: a migration that uses a
        table or column that only a later-named migration creates.
    """,
    bad="""
        $ ls prisma/migrations
        20240501080000_alter_invoice_due_date    # alters "Invoice", created below
        20240612093000_add_coupons               # same timestamp as the next one
        20240612093000_add_invoices
        migration_lock.toml
    """,
    bad_lang="sh",
    good="""
        $ ls prisma/migrations
        20240501080000_init
        20240612093000_add_invoices
        20240612094500_add_coupons
        20240615101500_alter_invoice_due_date
        migration_lock.toml
    """,
    good_lang="sh",
    fix="""
        Rename unapplied migrations to a fresh timestamp after the latest one (only while no
        shared database has applied them), and rebase branches that add migrations onto the
        main branch before merging.
    """,
)

TEXTS: Mapping[str, RuleText] = MappingProxyType(dict(sorted(_TEXTS.items())))


def text_for(rule_id: str) -> RuleText | None:
    """The documentation of a rule, or None for an unknown id."""
    return TEXTS.get(rule_id.strip().upper())


def anchor(rule_id: str, name: str) -> str:
    """The Markdown heading anchor of a rule's section (`kd602-drop-column`)."""
    return f"{rule_id.lower()}-{name}"
