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


def _description(setting: Setting) -> str:
    text = _cell(setting.description)
    if setting.secret:
        text += f"; or `{setting.name}_FILE`: a file holding it (trailing newline stripped)"
    return text


def row(setting: Setting) -> str:
    return (f"| `{setting.name}` | {_default(setting)} | {_description(setting)} | "
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


def _demo_accounts() -> list[str]:
    """Every account the demo's two authorities offer on the sandbox's picker (the
    consumer tenant is not behind `organizations`)."""
    from adapters.azure_sandbox.directory import DEFAULT_DIRECTORY_PATH, load_directory

    directory = load_directory(DEFAULT_DIRECTORY_PATH)
    consumer = {t.key for t in directory.tenants if t.consumer}
    return [u.username for u in directory.all_users() if u.tenant not in consumer]


def test_the_readme_and_the_demo_page_list_every_demo_account():
    from importlib.resources import files

    page = files("entrypoints.demo").joinpath("index.html").read_text()
    accounts = _demo_accounts()
    assert "frank@fabrikam.com#contoso" in accounts
    readme = README.read_text()
    assert [a for a in accounts if f"| `{a}` |" not in readme] == []
    assert [a for a in accounts if f"<td>{a}</td>" not in page] == []


if __name__ == "__main__":  # pragma: no cover
    print(settings_table())
