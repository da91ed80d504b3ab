"""Messages between the workers, the panes and the app (dataclasses, as Posting does)."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from analysis.model import Finding, Location, Related
from tui.watch import Snapshot


@dataclass
class AnalysisReady(Message):
    """The analysis worker finished: what the screen shows next. A newer one waiting in the
    queue replaces an older one (`can_replace`): only the newest analysis is drawn."""

    snapshot: Snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AnalysisReady)


@dataclass(frozen=True)
class DrillTarget:
    """What the drill-down shows: a place in a file, why it matters, and where else to look.

    `finding` is set when the target is a finding (then the rule's explanation is shown and
    `n`/`p` move through the findings list); otherwise `title`/`detail` say what the place is
    (a volume, a migration statement, a relation edge, a piece of checklist evidence).
    """

    location: Location
    title: str
    finding: Finding | None = None
    detail: str = ""
    related: tuple[Related, ...] = field(default_factory=tuple)

    @classmethod
    def of_finding(cls, finding: Finding) -> DrillTarget:
        return cls(
            location=finding.location,
            title=f"{finding.rule} {finding.message}",
            finding=finding,
            related=finding.related,
        )


@dataclass
class OpenDrillDown(Message):
    """A pane asks for the drill-down (Enter on a row)."""

    target: DrillTarget
