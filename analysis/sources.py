"""Reading files of the analyzed project: bounded, text only, never outside the root."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

from analysis.model import Finding, Location, Severity
from analysis.records import dataclass

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Files larger than this are reported (KD002) and not read."""


class FileKind(StrEnum):
    COMPOSE = "compose"
    DOCKERFILE = "dockerfile"
    DOCKERIGNORE = "dockerignore"
    PACKAGE_JSON = "package.json"
    SHELL = "shell"
    MAKEFILE = "makefile"
    ENV = "env"
    GITIGNORE = "gitignore"
    PRISMA_SCHEMA = "prisma"
    PRISMA_CONFIG = "prisma-config"
    MIGRATION_SQL = "migration-sql"
    MIGRATION_LOCK = "migration-lock"
    PLATFORM = "platform"
    PROGRAM = "program"
    KEEPDATA_CONFIG = "keepdata-config"
    OTHER = "other"


@dataclass(slots=True, frozen=True)
class SourceFile:
    """One file's text as read from disk. `path` is relative to the root, POSIX form."""

    path: str
    text: str
    digest: str
    size: int

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


@dataclass(slots=True, frozen=True)
class ReadResult:
    source: SourceFile | None
    problem: Finding | None


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _problem(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    return Finding("KD002", Severity.MEDIUM, message, Location(path, line, column))


def inside_root(root: Path, target: Path) -> bool:
    try:
        target.relative_to(root)
    except ValueError:
        return False
    return True


_RECORDERS: list[set[tuple[str, str]]] = []


@contextmanager
def recording_reads() -> Iterator[set[tuple[str, str]]]:
    """The (root, path) of every `read_source` call in the `with` block (the result cache
    keys a report on the files its quotes read)."""
    reads: set[tuple[str, str]] = set()
    _RECORDERS.append(reads)
    try:
        yield reads
    finally:
        _RECORDERS.remove(reads)


ReadAlready = Mapping[str, Mapping[str, tuple[bytes, str]]]
"""real root path -> root-relative path -> (bytes, sha256 hex digest) of files read already."""
ListedAlready = Mapping[str, Sequence[os.DirEntry[str]]]
"""folder path (under a real root) -> its entries, as `os.scandir` gave them."""
_READ: list[ReadAlready] = []
_LISTED: list[ListedAlready] = []


@contextmanager
def using_read(files: ReadAlready | None, folders: ListedAlready | None = None) -> Iterator[None]:
    """Files and folders the caller read moments ago (the result cache's key, on a miss): in
    the `with` block, `read_source` of a file discovery found takes its bytes and digest from
    `files` instead of reading and hashing it again, and discovery takes a folder's entries
    from `folders` (`listed_already`). The caller read each file as `read_source` does a
    discovered one (opened without following a link, a regular file within the size limit),
    so the findings are the same; the analysis sees exactly the tree the cache keys on."""
    _READ.append(files or {})
    _LISTED.append(folders or {})
    try:
        yield
    finally:
        _READ.pop()
        _LISTED.pop()


def listed_already(folder: str) -> Sequence[os.DirEntry[str]] | None:
    """The entries of `folder` the caller of `using_read` listed, or None."""
    for folders in _LISTED:
        found = folders.get(folder)
        if found is not None:
            return found
    return None


def read_source(
    root: Path, rel: str, max_bytes: int = MAX_FILE_BYTES, *, discovered: bool = False
) -> ReadResult:
    """Read `rel` under `root` as text, or explain (KD002) why it cannot be read.

    Never raises: unreadable files, links that leave the root, binaries, files over the size
    limit and invalid UTF-8 all come back as a finding naming the file.

    Inside `recording_reads()`, the call is recorded.

    `discovered=True` says the discovery walk of this run found `rel` as a regular file
    inside the root (it checked every folder link on the way), so the path is not resolved
    again: the file is opened directly, not following a link and not blocking, and read when
    it is still a regular file within the size limit. Anything else (the file is a link, is
    gone, is no longer regular, is too large) takes the full check, so the findings are the
    same. `root` must then be resolved already (as `Context.root` is).
    """
    for reads in _RECORDERS:
        reads.add((str(root), rel))
    if discovered:
        for files in _READ:
            known = files.get(str(root), {}).get(rel)
            if known is not None and len(known[0]) <= max_bytes:
                return _decode(rel, known[0], known[1])
        data = _read_discovered(root, rel, max_bytes)
        if data is not None:
            return _decode(rel, data)
    full = root / rel
    try:
        real = full.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        reason = (
            "a symbolic link loop"
            if isinstance(exc, RuntimeError) or "loop" in str(exc).lower()
            else exc.strerror or str(exc)
        )
        return ReadResult(None, _problem(rel, f"cannot read {rel}: {reason}"))
    if not inside_root(root.resolve(), real):
        return ReadResult(
            None,
            _problem(rel, f"{rel} is a link that leaves the project root (to {real}); not read"),
        )
    try:
        st = real.stat()
        if not real.is_file():
            return ReadResult(None, _problem(rel, f"{rel} is not a regular file; not read"))
        if st.st_size > max_bytes:
            return ReadResult(
                None,
                _problem(
                    rel,
                    f"{rel} is {st.st_size / 1048576:.1f} MiB, over the {max_bytes // 1048576} MiB limit; not read",
                ),
            )
        with open(real, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return ReadResult(None, _problem(rel, f"cannot read {rel}: {exc.strerror or exc}"))
    return _decode(rel, data)


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO put in the file's place must not hang the read
    | getattr(os, "O_NOFOLLOW", 0)  # a link (even one made since the walk): full check
    | getattr(os, "O_CLOEXEC", 0)
)


def _read_discovered(root: Path, rel: str, max_bytes: int) -> bytes | None:
    """The bytes of a file the discovery walk found, or None when anything looks unusual."""
    try:
        fd = os.open(f"{root}/{rel}", _OPEN_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            return None
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            want = min(left, max(st.st_size + 1, 65536))
            chunk = os.read(fd, want)
            if chunk:
                chunks.append(chunk)
                left -= len(chunk)
            if len(chunk) < want:  # a regular file reads short only at its end
                break
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32 (little-endian)"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32 (big-endian)"),
    (b"\xff\xfe", "utf-16", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "utf-16", "UTF-16 (big-endian)"),
)


def _decode_wide(
    rel: str, data: bytes, codec: str, name: str, digest: str | None = None
) -> ReadResult:
    """A file with a UTF-16/UTF-32 byte order mark: decoded (the mark tells the byte order),
    or read with replacement characters and a KD002 finding that names the encoding."""
    digest = digest or digest_bytes(data)
    problem = None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        text = data.decode(codec, errors="replace")
        problem = _problem(
            rel,
            f"{rel} starts with a {name} byte order mark but is not valid "
            f"{name.split()[0]} ({exc.reason} at byte {exc.start}); read with replacement "
            "characters",
        )
    if "\x00" in text[:8192]:
        return ReadResult(
            None,
            _problem(
                rel,
                f"{rel} starts with a {name} byte order mark but is not text (it contains NUL "
                "characters); not read",
            ),
        )
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return ReadResult(SourceFile(rel, text, digest, len(data)), problem)


def _looks_utf16(head: bytes) -> str | None:
    """ "little-endian"/"big-endian" when NUL bytes sit between ASCII characters (UTF-16
    without a byte order mark), else None."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 4:
        return None
    if odd.count(0) >= len(odd) * 0.9 and even.count(0) <= len(even) * 0.1:
        return "little-endian"
    if even.count(0) >= len(even) * 0.9 and odd.count(0) <= len(odd) * 0.1:
        return "big-endian"
    return None


def _decode(rel: str, data: bytes, digest: str | None = None) -> ReadResult:
    """Text (UTF-8, newlines normalized) and digest of a file's bytes, or why they are not text.
    `digest`: the bytes' digest when the caller has it already.

    UTF-16 and UTF-32 with a byte order mark are decoded too; UTF-16 without one is named.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] == b"\x00\x00\xfe\xff":
        for bom, codec, name in _BOMS:
            if data.startswith(bom):
                return _decode_wide(rel, data, codec, name, digest)
    if b"\x00" in data[:8192]:
        order = _looks_utf16(data[:8192])
        if order is not None:
            return ReadResult(
                None,
                _problem(
                    rel,
                    f"{rel} looks like UTF-16 ({order}) without a byte order mark; not read "
                    "(save it as UTF-8)",
                ),
            )
        return ReadResult(
            None, _problem(rel, f"{rel} is not a text file (it contains NUL bytes); not read")
        )
    digest = digest or digest_bytes(data)
    try:
        text = data.decode("utf-8-sig")
        problem = None
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problem = _problem(
            rel,
            f"{rel} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}, column {column}); read with replacement characters",
            line,
            column,
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return ReadResult(SourceFile(rel, text, digest, len(data)), problem)


def rel_posix(root: Path, path: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()
