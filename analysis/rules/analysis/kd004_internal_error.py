"""KD004 internal-error: keepdata failed on part of the analysis"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import Examples, rule

RULE = rule(
    "KD004",
    "internal-error",
    Severity.CRITICAL,
    area="analysis",
    section=None,
    summary="keepdata itself failed on a check or a fact (a bug of keepdata, not of the project): the findings of what failed are missing, so the verdict is UNKNOWN and `check` exits 2",
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
    examples=Examples(
        skip="an internal error is a keepdata bug, not something a project's files can cause (tests/project/test_error_boundary.py makes each rule raise)"
    ),
    module=__name__,
)
