"""Reading an analyst's capture table: the layout, and a clear message for each way it can be
wrong (file, row, column)."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers.core.errors import ValidationError
from layers.sizing.capture_file import read_capture_table


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lists.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_table_reads_with_its_lists_and_counts(tmp_path: Path) -> None:
    path = write(tmp_path, 'LA,NG,PF,count\n1,0,0,54\n0,1,0,463\n0,0,1.0,"1,007"\n1,1,0,15\n\n')
    table = read_capture_table(path)
    assert table.names == ("LA", "NG", "PF")
    assert table.observed == 54 + 463 + 1007 + 15
    assert table.counts.tolist() == [1007, 463, 0, 54, 0, 15, 0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "file lists.csv: is empty"),
        ("A,B,n\n1,0,3\n", "file lists.csv, row 1: its last column must be 'count' (found 'n')"),
        ("A,count\n1,3\n", "file lists.csv, row 1: needs at least two list columns"),
        ("A,A,count\n1,0,3\n", "file lists.csv, row 1, column 'A': names a list twice"),
        ("A,B,count\n1,0,3\n1,2,4\n", "file lists.csv, row 3, column 'B': must be 0 or 1, not '2'"),
        ("A,B,count\n1,0,three\n", "file lists.csv, row 2, column 'count': must be a whole number"),
        ("A,B,count\n1,0,-3\n", "file lists.csv, row 2, column 'count': cannot be negative (-3)"),
        ("A,B,count\n1,0,3\n1,0,4\n", "file lists.csv, row 3: repeats the capture history"),
        ("A,B,count\n0,0,9\n1,0,3\n", "file lists.csv, row 2: is on no list"),
        ("A,B,count\n1,0\n", "file lists.csv, row 2: has 2 values where the header has 3"),
        ("A,B,C,count\n1,0,0,3\n0,1,0,4\n", "file lists.csv, column 'C': holds no case"),
    ],
)
def test_each_mistake_is_named_with_where_it_is(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        read_capture_table(write(tmp_path, text))
    assert str(caught.value).startswith(message)


def test_a_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lists.csv"
    path.write_bytes(b"\xff\xfe\x00A\x00,\x00B")
    with pytest.raises(ValidationError, match="not UTF-8 text"):
        read_capture_table(path)
