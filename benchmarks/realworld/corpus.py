"""The real-world corpus list (repos.toml) and where its fetched snapshots and exports live."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOS_FILE = HERE / "repos.toml"
DEFAULT_DEST = Path(os.environ.get("KEEPDATA_REALWORLD", "/tmp/keepdata-realworld"))
"""Where the exports go unless `--dest` says otherwise (outside the repository)."""
MIRROR_ROOT = Path(os.environ.get("KEEPDATA_MIRROR", "/work/.mirror"))
"""Where the fetch tool puts snapshots: MIRROR_ROOT/<owner>+<name>/repo (a bare git dir)."""


@dataclass(slots=True, frozen=True)
class Repo:
    name: str
    url: str
    commit: str
    why: str

    @property
    def slug(self) -> str:
        """owner/name from the GitHub URL."""
        return self.url.removeprefix("https://github.com/").strip("/")

    @property
    def git_dir(self) -> Path:
        return MIRROR_ROOT / self.slug.replace("/", "+") / "repo"


def load(path: Path = REPOS_FILE) -> list[Repo]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    repos = [
        Repo(str(r["name"]), str(r["url"]), str(r["commit"]), str(r.get("why", "")))
        for r in data["repo"]
    ]
    names = [r.name for r in repos]
    if len(set(names)) != len(names):
        raise SystemExit(f"{path}: repository names are not unique")
    return repos


def select(repos: list[Repo], names: list[str] | None) -> list[Repo]:
    if not names:
        return repos
    known = {r.name: r for r in repos}
    missing = [n for n in names if n not in known]
    if missing:
        raise SystemExit(f"not in the corpus: {', '.join(missing)}")
    return [known[n] for n in names]
