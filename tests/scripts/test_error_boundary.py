"""The command line's one error boundary, driven in-process: a domain error, a file it cannot
write, a value the database cannot hold and a bug each become one line on stderr with exit
status 1, never a traceback; a bug's traceback goes to the log under the reference it prints.
JSON output is strict (no NaN)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.exc import DataError

from layers.core.errors import ValidationError
from layers.core.settings import get_settings
from scripts import cli, output


def _raising(error: BaseException):  # type: ignore[no-untyped-def]
    def app() -> None:
        raise error

    return app


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (ValidationError("the name is empty", file="a.csv", row=3, column="name"),
         "Error: file a.csv, row 3, column 'name': the name is empty"),
        (PermissionError(13, "Permission denied", "/srv/out.zip"),
         "Error: /srv/out.zip: Permission denied"),
        (DataError("INSERT …", {}, psycopg.errors.UntranslatableCharacter(
            "PostgreSQL text fields cannot contain NUL (0x00) bytes")),
         "a value contains a NUL character"),
    ],
)  # fmt: skip
def test_known_errors_are_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: BaseException,
    words: str,
) -> None:  # fmt: skip
    monkeypatch.setattr(cli, "app", _raising(error))
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and err.count("\n") == 1


def test_a_bug_is_one_line_with_a_reference_and_its_trace_in_the_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    monkeypatch.setattr(cli, "app", _raising(ZeroDivisionError("a bug")))
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "something unexpected went wrong (reference " in err and "Traceback" not in err
    reference = err.split("reference ")[1][:8]
    logged = (tmp_path / "logs" / "cli.log").read_text()
    assert f"reference {reference}" in logged and "ZeroDivisionError: a bug" in logged


def test_json_output_is_strict(capsys: pytest.CaptureFixture[str]) -> None:
    output.echo_json([{"owner": float("nan"), "area_km2": float("inf"), "name": "A"}])

    def refuse(constant: str) -> None:
        raise AssertionError(f"not JSON: {constant}")

    assert json.loads(capsys.readouterr().out, parse_constant=refuse) == [
        {"owner": None, "area_km2": None, "name": "A"}
    ]
