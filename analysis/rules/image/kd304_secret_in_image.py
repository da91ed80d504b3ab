"""KD304 secret-in-image: A Dockerfile ENV or ARG holds a database URL with a password, or a password"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.images.builds import images
from analysis.facts.images.records import Image
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Severity
from analysis.parsers.dockerfile.records import DockerfileFile, Stage, Variable
from analysis.rules.image.common import _masked, _secret_kind, _sev, _tidied
from analysis.rules.registry import rule

RULE = rule(
    "KD304",
    "secret-in-image",
    Severity.HIGH,
    area="image",
    section="dockerfile",
    summary="`ENV`/`ARG` holds a database URL with a password, or a password",
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
    module=__name__,
)


_PLACEHOLDER = lazy_compile(
    r"dummy|placeholder|for[_-]?build|build[_-]?only|change[_-]?me|not[_-]?a[_-]?secret", re.I
)
"""Values that say they are placeholders (`dummy_secret_for_build_only`)."""


def check_secrets(images_: Iterable[Image]) -> Iterator[Finding]:
    used: dict[str, set[int]] = {}
    files: dict[str, DockerfileFile] = {}
    for image in images_:
        if image.file is None:
            continue
        files[image.dockerfile] = image.file
        used.setdefault(image.dockerfile, set()).update(image.final_chain)
    for path, df in sorted(files.items()):
        reaching = used.get(path, set())
        seen: set[tuple[str, int]] = set()
        variables: list[tuple[Stage | None, Variable]] = [(None, v) for v in df.global_args]
        variables += [(st, v) for st in df.stages for v in (*st.args, *st.env)]
        for st, var in variables:
            kind = _secret_kind(var)
            if kind is None or (var.name, var.line) in seen:
                continue
            if st is not None and st.index not in reaching and _PLACEHOLDER.search(var.value or ""):
                continue  # a placeholder a build stage needs to compile (RULES.md: not KD304)
            seen.add((var.name, var.line))
            severity = _sev("KD304")
            if st is None:
                where = "before the first FROM (a build argument default)"
            elif st.index in reaching:
                where = f"in {st.label} (the image's own stage)"
            else:
                where = f"in the build {st.label} (the final image is not built FROM it)"
                severity = severity.lower()
            if st is not None and st.index in reaching:
                what = (
                    "baked into the image's configuration (docker inspect shows it)"
                    if var.keyword == "ENV"
                    else "recorded in the image history"
                )
            else:
                what = "kept in the build cache"
            yield Finding(
                "KD304",
                severity,
                f"{var.keyword} {var.name} {where} holds {kind} ({var.name}={_masked(var)}): "
                f"it is {what} and committed with the Dockerfile; pass it at run time instead",
                Location(path, var.line),
            )


@RULE.check
@_tidied
def check(ctx: Context) -> Iterable[Finding]:
    return check_secrets(ctx.fact(images))
