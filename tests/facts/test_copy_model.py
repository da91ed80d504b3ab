"""The COPY model answers both directions alike: where a build-context file lands in the final
image (`image_paths`) and which context file is at a path of the image (`context_file_at`, what
the startup walk uses to read an entrypoint script the image runs)."""

from __future__ import annotations

from pathlib import Path

from analysis.context import Context
from analysis.discover import discover
from analysis.facts.images.builds import images
from analysis.facts.images.copies import context_file_at, image_paths

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "image" / "nextjs-good"


class _Disk:
    def __init__(self, root: Path) -> None:
        self.root = root

    def is_file(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def is_dir(self, rel: str) -> bool:
        return (self.root / rel).is_dir()


def test_reverse_of_image_paths() -> None:
    ctx = Context(FIXTURE, discover(FIXTURE))
    (image,) = ctx.fact(images)
    disk = _Disk(FIXTURE)
    for rel in ("prisma/schema.prisma", "docker-entrypoint.sh"):
        landed = image_paths(image, rel)
        assert landed, rel
        for path in landed:
            assert context_file_at(image, path, disk) == rel


def test_a_path_nothing_copies_has_no_context_file() -> None:
    ctx = Context(FIXTURE, discover(FIXTURE))
    (image,) = ctx.fact(images)
    assert context_file_at(image, "/app/src/app/page.tsx", _Disk(FIXTURE)) is None
    assert context_file_at(image, "/etc/passwd", _Disk(FIXTURE)) is None
