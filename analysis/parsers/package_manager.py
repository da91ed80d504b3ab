"""The options a package manager takes before its subcommand, and where they send it.

`leading_options("pnpm", ("--filter", "@acme/db", "-r", "run", "migrate"))` returns the
words from the subcommand on (`("run", "migrate")`) with the folder (`-C/--dir`, `--prefix`,
`--cwd`) and the workspace filter (`--filter/-F`, `-w/--workspace`, `yarn workspace X`,
`-r`/`--workspaces`: every workspace) they name:

- npm: `--prefix X`, `-C X`, `-w/--workspace X`, `-ws/--workspaces`, `--if-present`,
  `-s/--silent`, `--loglevel X`;
- pnpm: `--filter/-F X`, `-C/--dir X`, `-r/--recursive` (every workspace), `-w/
  --workspace-root`, `--parallel`, `--stream`, `-s/--silent`, `--if-present`,
  `--workspace-concurrency X`, `--reporter X`;
- yarn: `--cwd X`, `workspace X` (a subcommand that names the workspace), `-s/--silent`;
- bun: `--cwd X`, `--filter/-F X`, `--silent`, `-b/--bun`.

Both the script follower (`package_json.script_calls`) and the Prisma CLI recogniser
(`prisma_cli`: `pnpm --filter db exec prisma ...`) read the command through it.
"""

from __future__ import annotations

from typing import NamedTuple

_FOLDER = {
    "npm": ("--prefix", "-C"),
    "pnpm": ("-C", "--dir"),
    "yarn": ("--cwd",),
    "bun": ("--cwd",),
}
_WORKSPACE = {
    "npm": ("-w", "--workspace"),
    "pnpm": ("--filter", "-F"),
    "yarn": (),
    "bun": ("--filter", "-F"),
}
_ALL_WORKSPACES = {
    "npm": ("-ws", "--workspaces"),
    "pnpm": ("-r", "--recursive"),
    "yarn": (),
    "bun": (),
}
_OTHER_VALUE = {
    "npm": ("--loglevel",),
    "pnpm": ("--workspace-concurrency", "--reporter", "--loglevel"),
    "yarn": ("--mutex", "--network-timeout"),
    "bun": (),
}
MANAGERS = frozenset(_FOLDER)


class ManagerOptions(NamedTuple):
    """The words from the subcommand on, the folder and the workspace filter named before it
    ("*" for every workspace)."""

    rest: tuple[str, ...]
    folder: str | None = None
    workspace: str | None = None


def leading_options(head: str, words: tuple[str, ...]) -> ManagerOptions:
    """Skip the options of package manager `head` before its subcommand (see the module
    docstring); `words` are the words after the manager's name."""
    if head not in MANAGERS:
        return ManagerOptions(words)
    folder_flags = _FOLDER[head]
    ws_flags = _WORKSPACE[head]
    all_flags = _ALL_WORKSPACES[head]
    value_flags = _OTHER_VALUE[head]
    folder: str | None = None
    workspace: str | None = None
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        if head == "yarn" and w == "workspace" and i + 1 < n:
            workspace = words[i + 1]
            i += 2
            continue
        if not w.startswith("-") or w == "--":
            break
        name, eq, value = w.partition("=")
        if name in folder_flags or name in ws_flags or name in value_flags:
            if not eq:
                if i + 1 >= n:
                    break
                value = words[i + 1]
                i += 1
            if name in folder_flags:
                folder = value
            elif name in ws_flags:
                workspace = value
            i += 1
            continue
        if name in all_flags:
            workspace = workspace or "*"
        i += 1
    return ManagerOptions(tuple(words[i:]), folder, workspace)
