"""A secret file that cannot be read stops every command with one line naming the variable
and the path: no traceback, never the content."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("command", [["serve"], ["user", "list"], ["db", "current"], ["workspace", "list"]])
def test_an_unreadable_secret_file_stops_the_command_in_one_line(cli, tmp_path, command):
    folder = tmp_path / "not-a-file"  # EISDIR, even for root
    folder.mkdir()
    variable = "SIGNIN_DATABASE_URL_FILE" if command[0] == "db" else "SIGNIN_TOKEN_ENCRYPTION_KEY_FILE"
    if variable == "SIGNIN_DATABASE_URL_FILE":
        cli.settings.pop("SIGNIN_DATABASE_URL")
    done = cli.script(*command, **{variable: str(folder)})
    assert done.code == 2, (done.out, done.err)
    assert "Traceback" not in done.err and done.err.strip().count("\n") == 0
    assert variable in done.err and str(folder) in done.err
