"""bot.tools.bench.fmt: the markdown tables of the report."""
from __future__ import annotations

import pytest

from bot.tools.bench.fmt import markdown_table


def test_markdown_table_shape_and_escaping() -> None:
    table = markdown_table(["a", "b"], [["1", "x|y"], ["2", "two\nlines"]])
    lines = table.splitlines()
    assert lines[0] == "| a | b |"
    assert lines[1] == "| --- | --- |"
    assert lines[2] == "| 1 | x\\|y |"
    assert lines[3] == "| 2 | two lines |"


def test_markdown_table_rejects_ragged_rows() -> None:
    with pytest.raises(ValueError):
        markdown_table(["a", "b"], [["only one"]])

