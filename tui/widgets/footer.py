"""The footer, recomposed only when the keys it shows change.

Textual's Footer removes and mounts all its keys again each time the screen's bindings
signal fires: on every focus move, every `refresh_bindings`, several times for one key
press (six times when the drill-down opens), each time styling and laying out a dozen new
widgets. This footer composes the keys as Footer does, compares them with the keys on
screen, and mounts them only when something differs; when only some keys changed it
updates them in place."""

from __future__ import annotations

from textual.compose import compose
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

KeySignature = tuple[str, str, str, str, bool, str, frozenset[str]]


def _signature(key: FooterKey) -> KeySignature:
    tooltip = key.tooltip if isinstance(key.tooltip, str) else str(key.tooltip or "")
    classes = frozenset(key.classes) - {"-compact"}
    return (
        key.key,
        key.key_display,
        key.description,
        key.action,
        key._disabled,
        tooltip,
        classes,
    )


def _keys(widgets: list[Widget]) -> list[FooterKey] | None:
    """The widgets as footer keys, or None when there is anything else (a key group)."""
    if all(type(w) is FooterKey for w in widgets):
        return [w for w in widgets if isinstance(w, FooterKey)]
    return None


def _update(key: FooterKey, like: FooterKey) -> None:
    """Make the key on screen show what `like` (a key composed now, not mounted) shows."""
    key.key = like.key
    key.key_display = like.key_display
    key.description = like.description
    key.action = like.action
    key.tooltip = like.tooltip
    if key._disabled != like._disabled:
        key._disabled = like._disabled
        key.set_class(like._disabled, "-disabled")
    key.refresh(layout=True)


def _split(keys: list[FooterKey]) -> tuple[list[FooterKey], FooterKey | None]:
    """(the keys, the command palette's key on the right)."""
    if keys and keys[-1].has_class("-command-palette"):
        return keys[:-1], keys[-1]
    return keys, None


class KeyFooter(Footer):
    async def recompose(self) -> None:
        if not self.is_attached or self._pruning:
            return
        new = compose(self)
        old = [w for w in self.children if not w.has_class("-textual-system")]
        new_keys, old_keys = _keys(new), _keys(old)
        if new_keys is None or old_keys is None:
            await self._mount_again(new)
            return
        new_sigs = [_signature(k) for k in new_keys]
        if new_sigs == [_signature(k) for k in old_keys]:
            return  # the same keys: nothing to do
        (new_main, new_palette), (old_main, old_palette) = _split(new_keys), _split(old_keys)
        if (new_palette is None) != (old_palette is None):
            await self._mount_again(new)
            return
        if any(
            _signature(a)[-1] != _signature(b)[-1] for a, b in zip(new_main, old_main, strict=False)
        ):
            await self._mount_again(new)  # other classes (a group): compose as Footer does
            return
        async with self.batch():
            for key, like in zip(old_main, new_main, strict=False):
                if _signature(key) != _signature(like):
                    _update(key, like)
            if (
                new_palette is not None
                and old_palette is not None
                and _signature(old_palette) != _signature(new_palette)
            ):
                _update(old_palette, new_palette)
            if len(old_main) > len(new_main):
                await self.remove_children(old_main[len(new_main) :])
            elif len(new_main) > len(old_main):
                extra = new_main[len(old_main) :]
                if old_palette is not None:
                    await self.mount_all(extra, before=old_palette)
                else:
                    await self.mount_all(extra)

    async def _mount_again(self, widgets: list[Widget]) -> None:
        """What Footer.recompose does, with the widgets already composed."""
        async with self.batch():
            await self.query_children("*").exclude(".-textual-system").remove()
            if self.is_attached:
                await self.mount_all(widgets)
