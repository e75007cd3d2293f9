"""README.md documents every setting, exactly as `entrypoints.settings_table` declares it,
and its quick start says what `make run` brings up.

Regenerate the table with: .venv/bin/python -m tests.cli.test_readme
"""
from __future__ import annotations

from pathlib import Path

from entrypoints.settings_table import SETTINGS, Setting

README = Path(__file__).resolve().parents[2] / "README.md"
HEADER = "| setting | default | description | example |\n| --- | --- | --- | --- |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default(setting: Setting) -> str:
    if setting.default is None:
        return "(unset)"
    if setting.default == "":
        return "(empty)"
    return f"`{_cell(setting.default)}`"


def row(setting: Setting) -> str:
    return (f"| `{setting.name}` | {_default(setting)} | {_cell(setting.description)} | "
            f"`{_cell(setting.example)}` |")


def settings_table() -> str:
    return "\n".join([HEADER, *(row(s) for s in SETTINGS)])


def test_readme_has_a_row_for_every_setting():
    text = README.read_text()
    missing = [s.name for s in SETTINGS if row(s) not in text]
    assert not missing, (
        f"README.md's settings table misses or misstates {', '.join(missing)}; "
        "regenerate it with `.venv/bin/python -m tests.cli.test_readme`"
    )


def test_readme_table_is_the_generated_one():
    assert settings_table() in README.read_text()


def test_quick_start_names_the_three_checks():
    text = README.read_text()
    for command in (
        "make run",
        "make test",
        "curl -k https://localhost:8443/organizations/v2.0/.well-known/openid-configuration",
        "curl http://localhost:8000/health/ready",
        "curl http://localhost:3001/",
    ):
        assert command in text, command


if __name__ == "__main__":  # pragma: no cover
    print(settings_table())
