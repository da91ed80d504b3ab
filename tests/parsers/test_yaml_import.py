"""`analysis.parsers.yaml_import`: PyYAML imported without compiling its reader's pattern,
which still works when the pure-Python reader runs."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import re
from analysis.parsers.yaml_import import NON_PRINTABLE, yaml
import yaml.reader

pattern = yaml.reader.Reader.NON_PRINTABLE
print(isinstance(pattern, re.Pattern))  # not compiled by the import
print(pattern.pattern == NON_PRINTABLE)  # the text keepdata stands in for is PyYAML's
print(isinstance(re.compile(NON_PRINTABLE), re.Pattern))  # re's cache holds no stand-in
try:
    yaml.load("a: b\\x07", Loader=yaml.SafeLoader)  # the pure-Python reader checks it
except yaml.reader.ReaderError as exc:
    print("refused", "#x0007" in str(exc))
print(yaml.load("a: [1, b]", Loader=yaml.CSafeLoader))
"""


def test_yaml_without_its_reader_pattern_compiled() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[:6] == ["False", "True", "True", "refused True", "{'a': [1, 'b']}", ""]
