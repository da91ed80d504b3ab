"""KD219 floating-app-image-migrates: An app image on latest (or pull_policy: always) applies migrations at start"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Related, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import (
    _FLOATING_TAGS,
    _migrators,
    _service,
    _sev,
    inferred_related,
)

RULE = rule(
    "KD219",
    "floating-app-image-migrates",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    summary="an app image on `latest`/no tag (or `pull_policy: always`) whose start applies migrations: a pull applies unreviewed migrations, with no way back",
    short="An app image on latest (or pull_policy: always) applies migrations at start",
    rationale="""
        Whatever is pushed to `:latest` migrates production the next time a container
        restarts, including on a host reboot, with nobody deciding to deploy. Prisma has no
        down migrations: rolling back to the previous image leaves the new schema in place,
        and a destructive migration has already dropped what it dropped.
    """,
    trigger="""
        A service whose image has no tag or the `latest` tag, or sets `pull_policy: always`,
        and whose startup path applies migrations or pushes the schema (or whose app
        migrates from its own code: `@prisma/migrate`/`@prisma/internals` in the
        dependencies of the package the image is named after).
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
    module=__name__,
)


def check_floating_image(ctx: Context, facts: StartupFacts) -> Iterator[Finding]:
    for path in facts.paths:
        if path.kind != "compose":
            continue
        steps = _migrators(path)
        code = path.code_migration
        if not steps and code is None:
            continue
        service = _service(ctx, path)
        if service is None:
            continue
        pull = service.pull_policy.value if service.pull_policy is not None else ""
        floating = ""
        # with `build:` too, compose pulls the image when the registry has it (not a local
        # name like `app:latest`, which only the build makes), unless pull_policy says build
        pulled = service.build is None or (
            pull not in ("build", "never")
            and service.image is not None
            and "/" in service.image.value.split("@", 1)[0]
        )
        if service.image is not None and pulled:
            ref = service.image.value
            name, _, digest = ref.partition("@")
            tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""
            if not digest and (tag == "" or tag in _FLOATING_TAGS):
                floating = f"image {ref} ({tag or 'no tag'})"
        if pull == "always" and service.image is not None:
            floating = floating or f"image {service.image.value} with `pull_policy: always`"
        if not floating:
            continue
        where = service.image.location if service.image is not None else service.location
        if steps:
            how, related = (
                f"`{steps[0].text}`",
                Related(steps[0].location, f"`{steps[0].text}` runs here"),
            )
        else:
            assert code is not None
            how = f"from its code: it depends on {code.package}"
            related = Related(code.location, f"{code.package}: the app migrates from code")
        yield Finding(
            "KD219",
            _sev("KD219"),
            f"{path.name} runs the {floating} and applies migrations when it starts "
            f"({how}): the next pull brings and applies migrations nobody reviewed, "
            "with no way back to the previous image",
            where,
            (related, *inferred_related(path.links, path.dockerfile)),
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_floating_image(ctx, ctx.fact(startup_paths))
