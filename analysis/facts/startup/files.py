"""What the walk reads of the project: script and command-string parses, which files and folders
exist, the nearest package.json, and the project file a path in a container is (through bind
mounts, the image's COPYs and WORKDIR)."""

from __future__ import annotations

import posixpath
import re

from analysis.context import Context, normalize
from analysis.facts.images.copies import context_file_at
from analysis.facts.images.records import EXAMPLE_ENV_SUFFIXES
from analysis.facts.startup.where import _FS, EmbeddedShell
from analysis.model import Location
from analysis.parsers.dotenv_file import parse_dotenv
from analysis.parsers.package_json.package import PackageJson, parse_package_json
from analysis.parsers.shell.records import ShellScript
from analysis.parsers.shell.scripts import moved_to, parse_shell, parse_shell_text
from analysis.sources import FileKind, SourceFile


class _Files:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._files: dict[str, bool] = {}
        self._dirs: dict[str, bool] = {}
        self._scripts_by_digest: dict[str, ShellScript] = {}
        self._texts: dict[object, ShellScript] = {}
        self._discovered = frozenset(p for p, _ in ctx.inventory.files)
        self._listings: dict[str, frozenset[str] | None] = {}
        self._resolved: dict[tuple[int, str, tuple[tuple[str, str], ...], str], str | None] = {}
        self._in_image: dict[tuple[int, tuple[tuple[str, str], ...], str], str | None] = {}
        self._project_env: dict[str, tuple[str | None, Location, str]] | None = None
        self._packages: tuple[PackageJson, ...] | None = None

    # -- files ------------------------------------------------------------------------------
    def shell_text(
        self, text: str, path: str, line: int, column: int = 1, errexit: bool = False
    ) -> ShellScript:
        """A command string of the file `path` (package.json script, compose command, RUN),
        parsed once per version of that file (cached with it across runs)."""
        embedded = self.ctx.parse(path, EmbeddedShell)
        if embedded is None:
            return parse_shell_text(text, path, line, column, errexit)
        return embedded.get(text, line, column, errexit, self._texts)

    def script(self, rel: str) -> ShellScript | None:
        """The parsed script file `rel` (parsed once per version of the file, across runs)."""
        return self.ctx.parse(rel, self.read_script)

    def read_script(self, source: SourceFile) -> ShellScript:
        """Parse a script file; a file whose text another file of this run already had (the
        same entrypoint copied into every app of a monorepo) reuses that parse."""
        twin = self._scripts_by_digest.get(source.digest)
        if twin is not None:
            return moved_to(twin, source.path)
        parsed = parse_shell(source)
        self._scripts_by_digest[source.digest] = parsed
        return parsed

    def is_file(self, rel: str) -> bool:
        hit = self._files.get(rel)
        if hit is None:
            if rel in self._discovered:
                hit = True
            elif self._absent(rel):
                hit = False
            else:
                hit = self.ctx.exists(rel) and not self.ctx.is_dir(rel)
            self._files[rel] = hit
        return hit

    def is_dir(self, rel: str) -> bool:
        hit = self._dirs.get(rel)
        if hit is None:
            hit = rel in self.ctx.inventory.dirs or (not self._absent(rel) and self.ctx.is_dir(rel))
            self._dirs[rel] = hit
        return hit

    def _absent(self, rel: str) -> bool:
        """True when `rel` certainly does not exist: its folder's listing (read once per run)
        has no such name, in any letter case. False when unsure (then the caller asks the file
        system about the path itself)."""
        folder, _, name = rel.rpartition("/")
        if folder in self._listings:
            listing = self._listings[folder]
        else:
            listing = self.ctx.names_in(folder)
            self._listings[folder] = listing
        return listing is not None and name.lower() not in listing

    def package_at(self, folder: str) -> PackageJson | None:
        rel = normalize(posixpath.join(folder or ".", "package.json"))
        if rel is None or not self.is_file(rel):
            return None
        return self.ctx.parse(rel, parse_package_json)

    def package_for(self, fs: _FS) -> tuple[PackageJson, _FS] | None:
        """The package.json npm would use from the process's working directory (the nearest
        one up the tree), with the folder its scripts run in."""
        cur = fs
        for _ in range(8):
            rel = self.resolve(cur, "package.json")
            if rel is not None:
                pkg = self.ctx.parse(rel, parse_package_json)
                return (pkg, cur) if pkg is not None else None
            if cur.cwd in ("", ".", "/"):
                return None
            cur = cur.chdir("..")
        return None

    @property
    def packages(self) -> tuple[PackageJson, ...]:
        if self._packages is None:
            out = []
            for rel in self.ctx.files(FileKind.PACKAGE_JSON):
                pkg = self.ctx.parse(rel, parse_package_json)
                if pkg is not None:
                    out.append(pkg)
            self._packages = tuple(out)
        return self._packages

    def resolve(self, fs: _FS, path: str) -> str | None:
        """The project file that `path` (as the process sees it) is, or None."""
        if not path or "$" in path:
            return None
        key = (id(fs.image), fs.cwd, fs.mounts, path)
        if key in self._resolved:
            return self._resolved[key]
        hit = self._resolve(fs, path)
        self._resolved[key] = hit
        return hit

    def _resolve(self, fs: _FS, path: str) -> str | None:
        if not fs.in_image:
            if path.startswith("/"):
                return None
            rel = normalize(posixpath.join(fs.cwd or ".", path))
            return rel if rel is not None and self.is_file(rel) else None
        abs_path = posixpath.normpath(posixpath.join(fs.cwd or "/", path))
        key = (id(fs.image), fs.mounts, abs_path)
        if key in self._in_image:
            return self._in_image[key]
        hit = self._resolve_in_image(fs, abs_path)
        self._in_image[key] = hit
        return hit

    def _resolve_in_image(self, fs: _FS, abs_path: str) -> str | None:
        for target, host in sorted(fs.mounts, key=lambda m: -len(m[0])):
            if abs_path == target or abs_path.startswith(target.rstrip("/") + "/"):
                rest = posixpath.relpath(abs_path, target)
                rel = normalize(posixpath.join(host or ".", rest))
                if rel is not None and self.is_file(rel):
                    return rel
        image = fs.image
        if image is None or image.file is None or image.stage is None:
            return None
        hit = context_file_at(image, abs_path, self)
        if hit is not None:
            return hit
        # a file under the working directory that a `COPY . .`-like step did not name
        workdir = image.stage.workdir or "/"
        if abs_path.startswith(workdir.rstrip("/") + "/"):
            rest = posixpath.relpath(abs_path, workdir)
            rel = normalize(posixpath.join(image.context or ".", rest))
            if rel is not None and image.copies_context and self.is_file(rel):
                return rel
        return None

    # -- environment (opt-in variables) ----------------------------------------------------------
    @property
    def project_env(self) -> dict[str, tuple[str | None, Location, str]]:
        """Variables that `.env` files and platform files set (name -> value, where, what)."""
        if self._project_env is not None:
            return self._project_env
        out: dict[str, tuple[str | None, Location, str]] = {}
        for rel in self.ctx.files(FileKind.ENV):
            if rel.lower().endswith(EXAMPLE_ENV_SUFFIXES):
                continue  # `.env.example` documents variables, it sets nothing
            env = self.ctx.parse(rel, parse_dotenv)
            for entry in env.entries if env is not None else ():
                out.setdefault(
                    entry.key, (entry.value, Location(rel, entry.line, entry.column), ".env")
                )
        for rel in self.ctx.files(FileKind.PLATFORM):
            src = self.ctx.source(rel)
            if src is None:
                continue
            for k, line in enumerate(src.text.split("\n"), 1):
                m = re.match(
                    r"""^\s*(?:-\s*key:\s*|["']?)([A-Z_][A-Z0-9_]*)["']?\s*[:=]\s*["']?([^"'#\n]*)""",
                    line,
                )
                if m:
                    value = m.group(2).strip().rstrip(",")
                    if line.lstrip().startswith("- key:"):
                        nxt = src.text.split("\n")[k : k + 2]
                        vm = next(
                            (
                                re.search(r"value:\s*[\"']?([^\"'\n]*)", n)
                                for n in nxt
                                if "value" in n
                            ),
                            None,
                        )
                        value = vm.group(1).strip() if vm else ""
                    out.setdefault(m.group(1), (value, Location(rel, k), "platform file"))
        self._project_env = out
        return out
