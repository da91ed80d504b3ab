"""Masking secrets before anything is shown or written.

`mask_secrets(text)` is the one function that decides what in a text is a secret; every
output path applies it (through `safe_text`) where a string leaves the analysis: check text
and JSON, the Markdown, JSON and SARIF reports, the inspector's panes and drill-down (and so
its SVG export). It masks only:

- values of secret-bearing keys, in every spelling: `KEY=v`, `KEY: v`, `KEY = "v w"`,
  `"apiKey": "v"`, `export KEY=v`, `ARG KEY=v`, `ENV KEY v`, `--password=v`, `--token v`;
  a key bears a secret when `is_secret_name` says so (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`,
  `*CREDENTIALS*`, `*_KEY`, `*_PAT`, `*_PASS`, camelCase too), except flags and file names
  (`MYSQL_RANDOM_ROOT_PASSWORD`, `*_ALLOW_EMPTY_PASSWORD`, `*_PASSWORD_FILE`);
- URL passwords (`scheme://user:pw@host`, the password may hold `/`, `@`, `:`), `curl -u
  user:pw`, `Authorization: Bearer ...`, SQL `PASSWORD '...'`;
- known token shapes (Stripe `sk_live_`, GitHub `ghp_`, Slack `xoxb-`, AWS `AKIA...`, JWTs,
  npm, OpenAI, SendGrid, Google API keys, private key blocks).

Interpolation references (`${DB_PASSWORD}`, `$VAR`) stay visible; a literal default inside one
(`${DB_PASSWORD:-hunter2}`) is masked. Ordinary text (prose, column names, warnings) is never
touched: a key needs a separator (`=`, `:`) and a value on the same line.

`mask_value(name, value)` is the same decision for a value whose key is known apart from the
text (a parsed variable in the JSON facts): the whole value is masked when the name bears a
secret.
"""

from __future__ import annotations

import functools
import re

from analysis.lazy_re import lazy_compile

MASK = "****"

# -- key names ----------------------------------------------------------------------------

_CAMEL = lazy_compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = lazy_compile(r"[^A-Z0-9]+")
_SECRET_WORDS = lazy_compile(
    r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIAL|PRIVATE_?KEY|API_?KEY|ACCESS_?KEY"
    r"|AUTH_?KEY|SIGNING_?KEY|CLIENT_?KEY|MASTER_?KEY"
)
_SECRET_LAST = frozenset({"KEY", "KEYS", "PAT", "PASS", "PWD", "PW", "PASSWORDS"})
_NOT_SECRET_LAST = frozenset(
    {"FILE", "FILES", "PATH", "DIR", "STDIN", "URL", "URI", "ENDPOINT", "NAME", "ENABLED"}
)
"""Names of a file, a place or a switch (`POSTGRES_PASSWORD_FILE`, `TOKEN_URL`)."""
_NOT_SECRET_ANY = frozenset({"RANDOM", "EMPTY"})
"""Flags (`MYSQL_RANDOM_ROOT_PASSWORD`, `MYSQL_ALLOW_EMPTY_PASSWORD`)."""
_NOT_SECRET_KEY_KINDS = frozenset(
    {"PRIMARY", "FOREIGN", "UNIQUE", "SORT", "PARTITION", "CACHE", "PUBLIC", "IDEMPOTENCY"}
)
"""`*_KEY` names that are not keys to anything (`primaryKey`, `PUBLIC_KEY`)."""
_NOT_SECRET_NAMES = frozenset({"SECRETS"})
"""Compose's `secrets:` (a list of secret names, not values)."""


@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a variable or key of this name holds a secret: `STRIPE_KEY`, `GITHUB_PAT`,
    `DB_PASS`, `apiKey`, `x-api-token`, `NEXTAUTH_SECRET`, `GOOGLE_APPLICATION_CREDENTIALS`;
    not `MYSQL_RANDOM_ROOT_PASSWORD`, `MYSQL_ALLOW_EMPTY_PASSWORD`, `POSTGRES_PASSWORD_FILE`,
    `primaryKey`, `PWD`."""
    words = [w for w in _NON_WORD.split(_CAMEL.sub("_", name).upper()) if w]
    if not words:
        return False
    if words[-1] in _NOT_SECRET_LAST or not _NOT_SECRET_ANY.isdisjoint(words):
        return False
    joined = "_".join(words)
    if joined in _NOT_SECRET_NAMES:
        return False
    if _SECRET_WORDS.search(joined):
        return True
    return len(words) >= 2 and words[-1] in _SECRET_LAST and words[-2] not in _NOT_SECRET_KEY_KINDS


# -- values --------------------------------------------------------------------------------

_REFERENCE = lazy_compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-=+?])?(?P<arg>[^}\n$]*)\}"
)
_ONLY_REFERENCES = lazy_compile(
    r"(?:\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=+?][^}\n$]*)?\}|\$[A-Za-z_]\w*)+"
)
_NOT_A_VALUE = frozenset(
    {"", MASK, "true", "false", "yes", "no", "on", "off", "null", "none", "nil", "undefined", "~"}
)
_CODE_VALUE = lazy_compile(
    r"(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|Deno\.env|Bun\.env|env\(|getenv\()"
)
"""Code that reads a secret from the environment (`password: process.env.DB_PASSWORD`)."""


def _mask_default(m: re.Match[str]) -> str:
    op, arg = m["op"], m["arg"]
    if (
        not op
        or "?" in op
        or not arg
        or arg in (MASK, "...", "…")
        or _ONLY_REFERENCES.fullmatch(arg)
    ):
        return m.group(0)  # an ellipsis is a placeholder (keepdata's own messages), no value
    return f"${{{m['name']}{op}{MASK}}}"


def _mask_literal(value: str) -> str:
    """A value in a secret's place: references stay (with literal defaults masked), anything
    else becomes the mask."""
    if value in _NOT_A_VALUE or value.lower() in _NOT_A_VALUE:
        return value
    if _ONLY_REFERENCES.fullmatch(value):
        return _REFERENCE.sub(_mask_default, value)
    return MASK


def mask_value(name: str, value: str) -> str:
    """The value of the variable or key `name`, fit to show: masked whole (references kept)
    when the name bears a secret, otherwise with the secrets inside it masked."""
    if not value:
        return value
    if is_secret_name(name):
        return _mask_literal(value)
    return mask_secrets(value)


# -- patterns in text ----------------------------------------------------------------------

_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_URL_USER = lazy_compile(r"(?:\$\{[^}\s]*\}|[^\s:/@'\"`<>{}])*")
_URL_END = lazy_compile(r"[\s'\"`<>]")
_PORT_AND_PATH = lazy_compile(r"\d{1,5}(?:[/?#][^@]*)?")

_VALUE = lazy_compile(
    r"\{[^}\n]{0,200}?\"value\"[ \t]*:[ \t]*\"(?:[^\"\\\n]|\\.)*\""  # app.json {"value": "..."}
    r"|\\\"(?:[^\"\\\n]|\\[^\"\n])*\\\""  # \"...\" inside a JSON string
    r"|\"(?:[^\"\\\n]|\\.)*\""
    r"|'[^'\n]*'"
    r"|(?:\$\{[^}\n$]*\}|[^\s'\"`;&,\\]|\\[^\s\"']|&(?![\w.\-]+=)|[;,](?=[^\s;,]))+"
)
"""A value after its key: quoted (any characters but a newline) or up to a blank."""
_ASSIGNMENT = lazy_compile(
    r"(?<![\w.\-$])(?<!\$\{)(?P<dash>--)?(?P<kq>\\?[\"']?)"
    r"(?P<key>[A-Za-z_@][\w.\-]*+)(?P=kq)"
    r"(?:[ \t]*(?:[:?+]?=(?![=>~])|:(?![:/]))[ \t]*|(?<=[A-Za-z0-9])(?(dash)[ \t]+|(?!)))"
)
"""A key and its separator (`KEY=`, `"apiKey": `, `--token `); the value follows."""
_ENV_LEGACY = lazy_compile(
    r"(?P<lead>^[ \t]*ENV[ \t]+(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)[ \t]+)"
    r"(?P<value>[^\s=][^\n]*?)[ \t]*$",
    re.MULTILINE,
)
"""Dockerfile's legacy `ENV KEY value` (the value runs to the end of the line)."""
_PROSE_AFTER = lazy_compile(r"[ \t]+[a-z]")
"""After a quoted key and an unquoted word, more words: keepdata's own prose about a quoted
name (`table "RefreshToken": every row in it is lost`), not a `"KEY": value` pair."""
_PROSE = lazy_compile(r"[(:]")
"""With a bracket or a colon, a value of several words is a sentence about a variable
(`ENV API_KEY in stage 1 (...) holds a secret: ...`), not a value."""
_CURL_USER = lazy_compile(
    r"(?P<lead>[ \t](?:-u|--user|--proxy-user|-U)(?:[ \t]+|=)?"
    r"(?P<q>\\?[\"'])?(?P<user>[^\s:\"'\\]*):)(?P<pw>(?(q)[^\n\"'\\]*|[^\s\"'\\]*))"
)
"""`-u user:password` (curl's option; the command is checked to be curl)."""
_CURL = lazy_compile(r"curl\b")
_CURL_BREAK = lazy_compile(r"[|;&]")
_CURL_REACH = 500
"""How far before its `-u` a curl command may start."""
_AUTH_HEADER = lazy_compile(
    r"(?P<lead>\b(?:proxy-)?authorization[\"']?[ \t]*[:=][ \t]*[\"']?"
    r"(?:(?:bearer|basic|token|digest|bot)[ \t]+)?)(?P<value>[^\s\"'\\,;]+)",
    re.IGNORECASE,
)
_SQL_PASSWORD = lazy_compile(
    r"(?P<lead>\b(?:PASSWORD|IDENTIFIED[ \t]+BY)[ \t]+)'(?P<value>(?:[^'\n]|'')+)'",
    re.IGNORECASE,
)
_PRIVATE_KEY = lazy_compile(
    r"-----BEGIN[A-Z ]*PRIVATE KEY-----(?:.*?-----END[A-Z ]*PRIVATE KEY-----|.*\Z)", re.DOTALL
)
_TOKEN_SHAPES = lazy_compile(
    # Every branch starts with a literal (the regex engine then skips ahead fast); a token
    # starts where a word does (checked by `_mask_token`, or by a look-behind where a failed
    # match would otherwise rescan a long run).
    r"sk_(?:live|test)_[A-Za-z0-9]{8,}"
    r"|rk_(?:live|test)_[A-Za-z0-9]{8,}"
    r"|whsec_[A-Za-z0-9+/=]{8,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|glpat-[A-Za-z0-9_\-]{20,}"
    r"|xox[bpars]-[A-Za-z0-9\-]{10,}"
    r"|xapp-[A-Za-z0-9\-]{10,}"
    r"|A(?:KIA|SIA)[A-Z0-9]{16}\b"
    r"|e(?<![\w\-.]e)yJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"
    r"|npm_[A-Za-z0-9]{36}\b"
    r"|sk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_\-]{20,}"
    r"|S(?<![\w\-.]S)G\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}"
    r"|AIza[0-9A-Za-z_\-]{35}"
)
_TOKEN_PREFIXES = (
    "private key-----",
    "sk_",
    "rk_",
    "whsec_",
    "gh",
    "glpat-",
    "xox",
    "xapp-",
    "eyj",
    "npm_",
    "sk-",
    "sg.",
    "aiza",
    "akia",
    "asia",
)
"""What a known token shape starts with (lower case): no pass over a text without one."""
_KEY_WORDS = ("pass", "pw", "secret", "token", "key", "pat", "credential")
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _mask_urls(text: str) -> str:
    """`scheme://user:password@host` -> `scheme://user:****@host`. The userinfo ends at the
    last `@` of the URL (before a blank, a quote or the next `://`), so the password may hold
    `/`, `@` and `:`. One pass, linear in the text."""
    out: list[str] = []
    pos = 0
    url_end = -1
    i = text.find("://")
    while i >= 0:
        start = i + 3
        nxt = text.find("://", start)
        s = i
        while s > 0 and i - s < 32 and text[s - 1] in _SCHEME_CHARS:
            s -= 1
        if s < i and text[s].isalpha():
            if url_end < start:
                m = _URL_END.search(text, start)
                url_end = m.start() if m else len(text)
            end = url_end if nxt < 0 else min(url_end, nxt)
            at = text.rfind("@", start, end)
            user = _URL_USER.match(text, start, at) if at > start else None
            user_end = user.end() if user is not None else at
            if user_end < at and text[user_end] == ":":
                pw = text[user_end + 1 : at]
                if pw != MASK and not _PORT_AND_PATH.fullmatch(pw):
                    masked = _mask_literal(pw)
                    if masked != pw:
                        out.append(text[pos : user_end + 1])
                        out.append(masked)
                        pos = at
        i = nxt
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _unbalanced_tail(value: str) -> int:
    """How many closing brackets end `value` without an opener in it (`(TOKEN=x)`)."""
    n = 0
    while n < len(value) and value[-1 - n] in _CLOSERS:
        ch = value[-1 - n]
        if value.count(_CLOSERS[ch]) >= value.count(ch):
            break
        n += 1
    return n


def _masked_value(value: str) -> str:
    """`value` as written (quotes, an app.json object, closing brackets) with its content
    masked."""
    if value.startswith("{") and '"value"' in value:
        quote = value.index('"value"')
        head, _, rest = value[quote:].partition(":")
        inner = rest.strip()
        return value[:quote] + head + ":" + rest[: len(rest) - len(inner)] + _masked_value(inner)
    for q in ('\\"', '"', "'"):
        if len(value) >= 2 * len(q) and value.startswith(q) and value.endswith(q):
            inner = value[len(q) : -len(q)]
            masked = _mask_literal(inner)
            return value if masked == inner else f"{q}{masked}{q}"
    tail = _unbalanced_tail(value)
    body, rest = (value[:-tail], value[-tail:]) if tail else (value, "")
    if _CODE_VALUE.match(body) or body.startswith(("-", "[", "{", "*", "|", ">", "<", "#")):
        return value
    return _mask_literal(body) + rest


def _mask_assignments(text: str) -> str:
    """Mask the value of every secret-bearing key; other keys leave their values alone (a
    value may hold a key of its own: `"seed": "ADMIN_TOKEN=x node seed.js"`)."""
    out: list[str] = []
    pos = 0
    for m in _ASSIGNMENT.finditer(text):
        if m.start() < pos or not is_secret_name(m["key"]):
            continue
        v = _VALUE.match(text, m.end())
        if v is None:
            continue
        value = v.group(0)
        if m["dash"] and not m.group(0).rstrip().endswith(("=", ":")) and value.startswith("-"):
            continue  # `--password-stdin -u x`: a flag, not a value
        if m["kq"] and _PROSE_AFTER.match(text, v.end()) and value[:1] not in "\"'":
            continue  # `drops table "RefreshToken": every row ...`: a sentence, not a value
        out.append(text[pos : m.end()])
        out.append(_masked_value(value))
        pos = v.end()
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _mask_env_legacy(m: re.Match[str]) -> str:
    value = m["value"]
    if not is_secret_name(m["key"]) or (" " in value and _PROSE.search(value)):
        return m.group(0)
    return m["lead"] + _masked_value(value)


def _mask_curl(m: re.Match[str]) -> str:
    text, at = m.string, m.start()
    begin = max(text.rfind("\n", max(0, at - _CURL_REACH), at) + 1, at - _CURL_REACH, 0)
    curl = text.rfind("curl", begin, at)
    if curl < 0 or _CURL_BREAK.search(text, curl, at) or not _CURL.match(text, curl):
        return m.group(0)  # `-u` of another command (`docker run -u 1000:1000`)
    pw = m["pw"]
    if not pw or pw == MASK:
        return m.group(0)
    return m["lead"] + _mask_literal(pw)


def _mask_token(m: re.Match[str]) -> str:
    start = m.start()
    if start and (m.string[start - 1].isalnum() or m.string[start - 1] in "_-."):
        return m.group(0)  # inside a longer word
    return MASK


def _mask_auth(m: re.Match[str]) -> str:
    return m["lead"] + _mask_literal(m["value"])


def _mask_sql(m: re.Match[str]) -> str:
    return m.group(0) if m["value"] == MASK else f"{m['lead']}'{MASK}'"


def _mask_reference(m: re.Match[str]) -> str:
    return _mask_default(m) if is_secret_name(m["name"]) else m.group(0)


def _mask_piece(text: str) -> str:
    low = text.lower()
    if any(p in low for p in _TOKEN_PREFIXES):
        text = _TOKEN_SHAPES.sub(_mask_token, text)
    if "://" in text:
        text = _mask_urls(text)
    if "curl" in low:
        text = _CURL_USER.sub(_mask_curl, text)
    if "authorization" in low:
        text = _AUTH_HEADER.sub(_mask_auth, text)
    if any(w in low for w in _KEY_WORDS):
        text = _mask_assignments(text)
        if "ENV" in text:
            text = _ENV_LEGACY.sub(_mask_env_legacy, text)
        if "${" in text:
            text = _REFERENCE.sub(_mask_reference, text)
    if "password" in low or "identified" in low:
        text = _SQL_PASSWORD.sub(_mask_sql, text)
    return text


_PIECE = 4096
"""Longer texts are masked line by line: a pattern runs only over the lines that hold what it
needs (most lines of a big file hold none)."""


def mask_secrets(text: str) -> str:
    """`text` with every secret masked (see the module's documentation); anything else
    unchanged, character for character."""
    if not text:
        return text
    if "PRIVATE KEY-----" in text:
        text = _PRIVATE_KEY.sub(MASK, text)
    if len(text) <= _PIECE:
        return _mask_piece(text)
    lines = text.split("\n")
    changed = False
    for i, line in enumerate(lines):
        masked = _mask_piece(line)
        if masked != line:
            lines[i] = masked
            changed = True
    return "\n".join(lines) if changed else text


def mask_url(url: str) -> str:
    """`postgresql://user:secret@db/app` -> `postgresql://user:****@db/app` (the one masking
    function; the name stays for the rules that format a URL)."""
    return mask_secrets(url)


# -- terminal safety -----------------------------------------------------------------------

_CONTROL = lazy_compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]"
    # Unicode bidirectional controls: they reorder what a terminal shows ("Trojan Source")
    r"|[\u202a-\u202e\u2066-\u2069]"
)


def strip_control(text: str) -> str:
    """Remove terminal control sequences and C0/C1 control characters (tabs and newlines stay)."""
    if text.isprintable():  # no C0/C1 control (so no ESC), no bidi control (format, "Cf")
        return text
    return _CONTROL.sub("", text.replace("\t", "    "))


def safe_text(text: str) -> str:
    """Text from an analyzed file, fit to show: secrets masked, control sequences removed."""
    return strip_control(mask_secrets(text))
