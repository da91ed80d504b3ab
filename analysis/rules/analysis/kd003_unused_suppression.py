"""KD003 unused-suppression: A keepdata-ignore comment or config ignore entry that suppresses nothing"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD003",
    "unused-suppression",
    Severity.INFO,
    area="analysis",
    section=None,
    summary="a `keepdata-ignore` comment or config entry that matched no finding",
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
        finding on the lines it covers (its line and the line below, the whole statement
        below it, or the whole file for `keepdata-ignore-file`), a bare `keepdata-ignore`
        that covers no finding, a `keepdata-ignore` naming a rule id that does not exist, an
        entry of `ignore` or `[per-file-ignores]` in keepdata.toml that matches no finding,
        and, with `require-reasons = true` in keepdata.toml, a comment that gives no reason
        (it is not honoured). Reported at the comment's or entry's line.
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
    module=__name__,
)
