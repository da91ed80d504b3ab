"""keepdata.toml: what it may say, and how each mistake in it is reported (file and line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import settings as settings_mod
from analysis.config import ConfigError, load_config, parse_config
from analysis.engine import analyze
from analysis.model import Severity

FULL = """\
# keepdata settings for the shop monorepo
ignore = ["KD106", "db-image-unpinned"]
exclude = ["docs/**", "examples/"]
fail-on = "medium"
valuable-models = ["Ledger", "Payout"]

[severity]
KD403 = "high"
"KD501" = "low"

[per-file-ignores]
"deploy/legacy/**" = ["KD101"]

[migrations]
baseline = "20240101000000_init"
"""


def test_full_config_is_parsed_with_lines() -> None:
    cfg = parse_config(FULL, "keepdata.toml")
    assert [(e.rule, e.line) for e in cfg.ignore] == [("KD106", 2), ("KD108", 2)]
    assert cfg.exclude == ("docs/**", "examples/")
    assert cfg.fail_on == "medium"
    assert cfg.valuable_models == ("Ledger", "Payout")
    assert [(o.rule, o.severity, o.line) for o in cfg.severity] == [
        ("KD403", Severity.HIGH, 8),
        ("KD501", Severity.LOW, 9),
    ]
    assert cfg.severity_for("KD403") is Severity.HIGH
    assert cfg.severity_for("KD101") is None
    [block] = cfg.per_file_ignores
    assert block.pattern == "deploy/legacy/**"
    assert [(e.rule, e.line) for e in block.rules] == [("KD101", 12)]
    assert (cfg.baseline, cfg.baseline_line) == ("20240101000000_init", 15)


def test_multiline_array_entries_keep_their_own_line() -> None:
    cfg = parse_config('ignore = [\n  "KD106",\n  # noisy\n  "KD114",\n]\n', "keepdata.toml")
    assert [(e.rule, e.line) for e in cfg.ignore] == [("KD106", 2), ("KD114", 4)]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('ignore = ["KD106"\nfail-on = "high"\n', 2, "invalid TOML"),
        ('fail-on = "high"\n[severity\nKD403 = "high"\n', 2, "invalid TOML"),
        ('ignore = [\n  "KD106",\n  "KD999",\n]\n', 3, "unknown rule 'KD999' in ignore"),
        ('# c\nfail_on = "high"\n', 2, "unknown key 'fail_on' (did you mean 'fail-on'?)"),
        ('ignore = "KD106"\n', 1, "ignore must be a list of rules, not a string"),
        ("ignore = [106]\n", 1, "ignore lists a number, not a rule"),
        ('exclude = "docs"\n', 1, "exclude must be a list of strings"),
        ('valuable-models = [""]\n', 1, "valuable-models lists"),
        ("fail-on = 3\n", 1, "fail-on must be a string, not a number"),
        ('\nfail-on = "severe"\n', 2, "unknown severity 'severe' in fail-on"),
        ('[severity]\nKD403 = "high"\nKD998 = "low"\n', 3, "unknown rule 'KD998' in severity"),
        ('[severity]\nKD403 = "urgent"\n', 2, "unknown severity 'urgent' for KD403"),
        ("[severity]\nKD403 = 4\n", 2, "severity of KD403 must be a string, not a number"),
        ('severity = ["KD403"]\n', 1, "severity must be a table"),
        ('[per-file-ignores]\n"a/**" = "KD101"\n', 2, "must be a list of rules"),
        ('[per-file-ignores]\n"a/**" = ["KD1O1"]\n', 2, "unknown rule 'KD1O1' in per-file"),
        ('[migrations]\nbaseline = "x"\nsquash = true\n', 3, "unknown key 'squash'"),
        ("[migrations]\nbaseline = 2024\n", 2, "migrations.baseline must be"),
    ],
)
def test_every_mistake_names_file_and_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "keepdata.toml")
    err = info.value
    assert err.path == "keepdata.toml"
    assert err.line == line
    assert fragment in err.message
    assert str(err).startswith(f"keepdata.toml:{line}: ")


def test_close_rule_id_gets_a_suggestion_and_far_one_does_not() -> None:
    with pytest.raises(ConfigError, match=r"did you mean KD106\?"):
        parse_config('ignore = ["KD1O6"]\n', "keepdata.toml")
    with pytest.raises(ConfigError) as info:
        parse_config('ignore = ["KD999"]\n', "keepdata.toml")
    assert "did you mean" not in str(info.value)


def test_rules_by_name_and_lowercase_id() -> None:
    cfg = parse_config('ignore = ["kd403", "drop-column"]\n', "keepdata.toml")
    assert [e.rule for e in cfg.ignore] == ["KD403", "KD602"]


def test_found_at_root_hidden_name_and_both_is_an_error(write_tree) -> None:
    root = write_tree({".keepdata.toml": 'ignore = ["KD106"]\n'})
    assert load_config(root).path == ".keepdata.toml"
    (root / "keepdata.toml").write_text('ignore = ["KD114"]\n')
    with pytest.raises(ConfigError, match="keep one"):
        load_config(root)


def test_no_config_is_empty(tmp_path: Path) -> None:
    cfg = load_config(tmp_path)
    assert cfg.path == "" and cfg.ignore == () and cfg.baseline is None


def test_config_flag_overrides_root_file(write_tree, tmp_path: Path) -> None:
    root = write_tree({"app/keepdata.toml": 'fail-on = "low"\n'}, tmp_path / "proj")
    other = tmp_path / "ci.toml"
    other.write_text('fail-on = "critical"\n')
    s = settings_mod.load(root / "app", config=str(other), base="main")
    assert s.fail_on == "critical"
    assert s.base_ref == "main"
    assert s.config_path == str(other)
    assert settings_mod.load(root / "app").fail_on == "low"


def test_missing_config_flag_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        settings_mod.load(tmp_path, config=str(tmp_path / "nope.toml"))


def test_error_path_is_the_path_the_user_gave(write_tree, tmp_path: Path) -> None:
    root = write_tree({"shop/keepdata.toml": 'ignore = ["KD999"]\n'})
    with pytest.raises(ConfigError) as info:
        settings_mod.load(root / "shop")
    assert info.value.path == str(root / "shop" / "keepdata.toml")
    assert info.value.line == 1


def test_settings_carry_config_values(write_tree) -> None:
    root = write_tree({"keepdata.toml": FULL})
    s = settings_mod.load(root)
    assert s.exclude == ("docs/**", "examples/")
    assert s.fail_on == "medium"
    assert s.valuable_models == ("Ledger", "Payout")
    assert s.config.path == "keepdata.toml"


def test_exclude_removes_a_folder_from_discovery(write_tree) -> None:
    root = write_tree(
        {
            "keepdata.toml": 'exclude = ["docs/**"]\n',
            "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
            "docs/examples/postgres/docker-compose.yml": "services:\n  db:\n    image: postgres\n",
            "docs/Dockerfile": "FROM node:20\n",
        }
    )
    without = analyze(root)
    assert "docs/examples/postgres/docker-compose.yml" in without.context.inventory.of(
        *{k for _, k in without.context.inventory.files}
    )
    result = analyze(root, settings_mod.load(root))
    paths = [p for p, _ in result.context.inventory.files]
    assert "docker-compose.yml" in paths
    assert not [p for p in paths if p.startswith("docs/")]
