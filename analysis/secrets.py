"""Masking secrets before anything is shown or written."""

from __future__ import annotations

import re

MASK = "****"

_URL_PASSWORD = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s'\"]*):(?P<pw>[^@/\s'\"]+)@"
)
_ASSIGNMENT = re.compile(
    r"(?<![${])(?P<key>\b[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY)[A-Z0-9_]*\b\s*[:=]\s*)(?P<q>['\"]?)(?P<value>[^\s'\"]+)(?P=q)",
    re.IGNORECASE,
)
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]"
)


def _mask_url_match(m: re.Match[str]) -> str:
    if m["pw"].startswith("$"):  # a variable reference is not a secret
        return m.group(0)
    return f"{m['scheme']}{m['user']}:{MASK}@"


def mask_url(url: str) -> str:
    """`postgresql://user:secret@db/app` -> `postgresql://user:****@db/app`."""
    return _URL_PASSWORD.sub(_mask_url_match, url)


def _mask_assignment(m: re.Match[str]) -> str:
    value = m["value"]
    if value.startswith("${") or value.startswith("$") or value == MASK:
        return m.group(0)
    return f"{m['key']}{m['q']}{MASK}{m['q']}"


def mask_secrets(text: str) -> str:
    """Mask passwords in URLs and in `PASSWORD=...`-style assignments. Variables stay visible."""
    return _ASSIGNMENT.sub(_mask_assignment, mask_url(text))


def strip_control(text: str) -> str:
    """Remove terminal control sequences and C0/C1 control characters (tabs and newlines stay)."""
    return _CONTROL.sub("", text.replace("\t", "    "))


def safe_text(text: str) -> str:
    """Text from an analyzed file, fit to show: secrets masked, control sequences removed."""
    return strip_control(mask_secrets(text))
