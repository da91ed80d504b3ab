"""Files that their own tools accept give no parse-error finding (real-world corpus false
positives: trigger.dev's `RUN [ -n ... ]`, teable's `$(eval $(SERVICE):;@:)`), while the
broken forms they resemble still do."""

from __future__ import annotations

from analysis.engine import analyze

COMPOSE = "services:\n  app:\n    build: .\n"


def kd001(root) -> list[tuple[str, int]]:
    return [(f.location.path, f.location.line) for f in analyze(root).findings if f.rule == "KD001"]


def test_run_and_cmd_starting_with_a_shell_test_are_shell_form(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": COMPOSE,
            "Dockerfile": 'FROM node:20\nRUN [ -n "${X}" ] || { echo need X; exit 1; }\n'
            "CMD [ -f /app/ready ] && node server.js\n",
        }
    )
    assert kd001(root) == []


def test_a_broken_exec_form_is_still_reported(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": COMPOSE,
            "Dockerfile": "FROM node:20\nRUN ['npm', 'ci']\nCMD [\"node\", \"server.js\"\n",
        }
    )
    assert kd001(root) == [("Dockerfile", 2), ("Dockerfile", 3)]


MAKEFILE = """\
ifdef SERVICE_TARGET
    SERVICE := $(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS))
    $(eval $(SERVICE):;@:)
endif

up:
\tdocker compose up -d
"""


def test_make_function_calls_with_a_colon_are_not_rules(write_tree) -> None:
    root = write_tree({"docker-compose.yml": COMPOSE, "Makefile": MAKEFILE})
    assert kd001(root) == []
    broken = MAKEFILE.replace("docker compose up -d", "docker compose up -d )")
    root = write_tree({"docker-compose.yml": COMPOSE, "Makefile": broken})
    assert kd001(root) == [("Makefile", 7)]
