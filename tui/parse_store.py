"""The on-disk level of the parse cache (`analysis.parse_cache`), for `keepdata check` when the
result cache misses: a run after an edit of one migration loads the other files' parses
instead of parsing them again.

Only the parsers for which loading a parse is measured to be cheaper than making it are kept
(`PARSERS`): migration SQL (240 files: parsing 26 ms of CPU, loading 8 ms) and the Prisma
schema (a 300-model schema: 14 ms, 5 ms). Compose files, Dockerfiles and scripts parse in a
fraction of a millisecond: not worth a file.

One pack per (keepdata's code, analyzed root, parser) under `<cache dir>/parses/`: a magic
line, the sha256 of the rest, then `marshal` data: the pack's identity and, per file path,
the content digest and the pickled parse. A corrupt, truncated or foreign pack, or an entry
that does not load, is a miss. The first run on a project writes an empty pack: pickling
every parse costs about a third of parsing, which a one-off run (a CI job without a kept
cache) would pay for nothing; the next miss fills it. After the run (`save`), a pack is rewritten (to a temporary
file moved into place) when this run's files differ from it: it then holds exactly the files
this run parsed, so deleted files drop out; unchanged entries keep their bytes. The folder is
bounded like the result cache (least recently used packs go first).

Parses are pickled as they are, with one speed-up: a slotted dataclass record (what parsers
return) is stored as its class and field values and rebuilt by setting its slots (`_rebuild`),
which loads about twice as fast as pickle's generic path; anything else takes pickle's own.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import io
import marshal
import os
import pickle
import types
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from tui.result_cache import evict, write_entry

PARSERS = ("analysis.parsers.migration_sql.", "analysis.parsers.prisma_schema.")
"""Prefixes of the parser names (`analysis.parse_cache.parser_name`) kept on disk."""
MAGIC = b"keepdata-parse-cache 1\n"
MAX_PACKS = 64
MAX_BYTES = 256 * 1024 * 1024

Entry = tuple[str, bytes]
"""(content digest, pickled parse)"""


class _Pack:
    __slots__ = ("entries", "loaded", "path", "seen", "used")

    def __init__(self, path: str, entries: dict[str, Entry] | None) -> None:
        self.path = path
        self.seen = entries is not None
        """A valid pack was there: an earlier run analyzed this project with this code."""
        self.entries = entries or {}
        """What the file held when it was read."""
        self.used: dict[str, tuple[str, Any]] = {}
        """path -> (digest, parse) of every file this run parsed with the pack's parser."""
        self.loaded: set[str] = set()
        """The entries that loaded (only those are written again as they are)."""


class DiskParses:
    """The `analysis.parse_cache.Store` of one `check` run."""

    def __init__(self, folder: str, code: str) -> None:
        self.folder = folder
        self.code = code
        self._packs: dict[tuple[str, str], _Pack] = {}
        self.loaded = 0
        """Parses this run took from disk (tests read it)."""

    def get(self, root: str, key: tuple[str, str, str]) -> tuple[bool, Any]:
        parser, path, digest = key
        if not parser.startswith(PARSERS):
            return False, None
        pack = self._pack(root, parser)
        entry = pack.entries.get(path)
        if entry is None or entry[0] != digest:
            return False, None
        try:
            value = pickle.loads(entry[1])
        except Exception:  # a class that changed shape, a truncated blob: parse it again
            return False, None
        pack.loaded.add(path)
        self.loaded += 1
        return True, value

    def used(self, root: str, key: tuple[str, str, str], value: object) -> None:
        parser, path, digest = key
        if parser.startswith(PARSERS):
            self._pack(root, parser).used[path] = (digest, value)

    def _pack(self, root: str, parser: str) -> _Pack:
        pack = self._packs.get((root, parser))
        if pack is None:
            ident = (self.code, root, parser)
            name = hashlib.sha256("\0".join(ident).encode("utf-8", "surrogateescape"))
            digest = name.hexdigest()
            path = os.path.join(self.folder, digest[:2], digest)
            pack = self._packs[(root, parser)] = _Pack(path, _read(path, ident))
        return pack

    def save(self) -> None:
        """Write every pack whose files changed (any failure: that pack is not written).
        Pickling a large history makes a tuple per record: with the cyclic collector on,
        each collection would scan the whole analysis again (tripling the cost)."""
        was = gc.isenabled()
        gc.disable()  # not `gc_paused`: its promotion may run a full collection
        try:
            for (root, parser), pack in self._packs.items():
                try:
                    _save(pack, (self.code, root, parser))
                except Exception:  # the cache is an optimization: never a failed run
                    continue
        finally:
            if was:
                gc.enable()


def _save(pack: _Pack, ident: tuple[str, str, str]) -> None:
    if not pack.used:
        return
    if pack.loaded == pack.used.keys() == pack.entries.keys():
        return  # every file of this run loaded from the pack, and no other is in it
    entries: dict[str, Entry] = {}
    for path, (digest, value) in sorted(pack.used.items()) if pack.seen else ():
        old = pack.entries.get(path)
        if old is not None and old[0] == digest and path in pack.loaded:
            entries[path] = old
            continue
        try:
            entries[path] = (digest, dumps(value))
        except Exception:  # something pickle cannot store: that file is parsed every time
            continue
    body = marshal.dumps((ident, entries))
    write_entry(pack.path, MAGIC + hashlib.sha256(body).digest() + body, _evict)


def _evict(folder: str) -> None:
    evict(folder, MAX_PACKS, MAX_BYTES)


def _read(path: str, ident: tuple[str, str, str]) -> dict[str, Entry] | None:
    """The entries of a valid pack of `ident`; None for a missing, corrupt or foreign one."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    head = len(MAGIC) + 32
    if (
        not data.startswith(MAGIC)
        or hashlib.sha256(data[head:]).digest() != data[len(MAGIC) : head]
    ):
        return None
    try:
        stored, entries = marshal.loads(data[head:])
    except Exception:
        return None
    if stored != ident or not isinstance(entries, dict):
        return None
    return {
        p: e
        for p, e in entries.items()
        if isinstance(p, str)
        and isinstance(e, tuple)
        and len(e) == 2
        and isinstance(e[0], str)
        and isinstance(e[1], bytes)
    }


# -- pickling records --------------------------------------------------------------------------
_FIELDS: dict[type, tuple[str, ...] | None] = {}
_BUILDERS: dict[type, Any] = {}


def _record_fields(cls: type) -> tuple[str, ...] | None:
    """The field names of a slotted dataclass whose state is exactly its fields (each a
    slot, no custom pickling); None for anything else."""
    if cls in _FIELDS:
        return _FIELDS[cls]
    names: tuple[str, ...] | None = None
    if (
        dataclasses.is_dataclass(cls)
        and "__dict__" not in dir(cls)
        and getattr(cls, "__getstate__", None) is getattr(dataclasses, "_dataclass_getstate", 0)
        and getattr(cls, "__setstate__", None) is getattr(dataclasses, "_dataclass_setstate", 0)
        and cls.__reduce_ex__ is object.__reduce_ex__
        and cls.__reduce__ is object.__reduce__
    ):
        names = tuple(f.name for f in dataclasses.fields(cls))
        if not all(isinstance(getattr(cls, n, None), types.MemberDescriptorType) for n in names):
            names = None
    _FIELDS[cls] = names
    return names


def _rebuild(cls: type, values: tuple[object, ...]) -> object:
    """A record from its field values, stored through its slots as its `__setstate__` would,
    by a function made once per class (`_rebuild` is what the pickles name)."""
    build = _BUILDERS.get(cls)
    if build is None:
        names = _record_fields(cls)
        if names is None:
            raise pickle.UnpicklingError(f"{cls.__qualname__} is not a plain record")
        namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
        lines = ["def build(v):", "  o = _new(_cls)"]
        for i, name in enumerate(names):
            namespace[f"_s{i}"] = getattr(cls, name).__set__
            lines.append(f"  _s{i}(o, v[{i}])")
        lines.append("  return o")
        exec("\n".join(lines) + "\n", namespace)  # built from the class's own field names
        build = _BUILDERS[cls] = namespace["build"]
    if len(values) != len(_FIELDS[cls] or ()):
        raise pickle.UnpicklingError(f"{cls.__qualname__} changed its fields")
    return build(values)


_Reduce = Callable[[object], tuple[Callable[..., object], tuple[object, ...]]]


class _Reducers(dict[type, _Reduce]):
    """The pickler's dispatch table: a reducer for each record class, made on first sight
    (pickle asks it only for classes it has no fast path of its own for); anything else
    takes pickle's own way (`KeyError`)."""

    def __missing__(self, cls: type) -> _Reduce:
        names = _record_fields(cls)
        if names is None:
            raise KeyError(cls)
        getter = attrgetter(*names) if len(names) > 1 else None

        def reduce(obj: object) -> tuple[Callable[..., object], tuple[object, ...]]:
            if getter is None:
                return _rebuild, (cls, tuple([getattr(obj, n) for n in names]))
            return _rebuild, (cls, getter(obj))

        self[cls] = reduce
        return reduce


_REDUCERS = _Reducers()


def dumps(value: object) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(value)
    return out.getvalue()
