"""Single-line YAML scalar replacement: styles, flow context and refusals."""

from __future__ import annotations

import pytest

from envaudit.writers.yaml_splice import (
    ScalarEdit,
    SpliceError,
    apply_edits,
    render_scalar,
    scalar_extent,
    split_lines,
)


def test_split_lines_counts_breaks_like_ruamel() -> None:
    assert split_lines("a\r\nb\rc\nd") == ["a\r\n", "b\r", "c\n", "d"]
    assert split_lines("a\n") == ["a\n"]
    assert split_lines("") == []


@pytest.mark.parametrize(
    ("line", "column", "in_flow", "extent"),
    [
        ("  - numpy   # c\n", 4, False, (9, "")),
        ("  - 'it''s' # c\n", 4, False, (11, "'")),
        ('  - "a\\"b"\n', 4, False, (10, '"')),
        ("deps: [a, b]\n", 7, True, (8, "")),
        ("deps: [a#b, c]\n", 7, True, (10, "")),
    ],
)
def test_scalar_extent(line: str, column: int, in_flow: bool, extent: tuple[int, str]) -> None:
    assert scalar_extent(line, column, in_flow=in_flow) == extent


def test_render_keeps_style_and_quotes_when_plain_would_change_meaning() -> None:
    assert render_scalar("a'b", "'", in_flow=False) == "'a''b'"
    assert render_scalar("numpy=1", "", in_flow=False) == "numpy=1"
    assert render_scalar("a [x]", "", in_flow=True) == '"a [x]"'
    assert render_scalar("x: y", "", in_flow=False) == '"x: y"'
    assert render_scalar("true", "", in_flow=False) == '"true"'
    assert render_scalar('say "hi"', '"', in_flow=False) == '"say \\"hi\\""'


def test_apply_edits_right_to_left_on_one_line() -> None:
    text = "d: [a, b]\n"
    edits = [ScalarEdit(0, 4, "a", "alpha", True), ScalarEdit(0, 7, "b", "beta", True)]
    assert apply_edits(text, edits) == "d: [alpha, beta]\n"


@pytest.mark.parametrize(
    ("text", "edit", "message"),
    [
        ("- 'open\n  quote'\n", ScalarEdit(0, 2, "open quote", "x"), "continues on the next"),
        ("- numpy\n", ScalarEdit(0, 2, "scipy", "x"), "expected 'scipy'"),
        ("- numpy\n", ScalarEdit(4, 2, "numpy", "x"), "past the end"),
        ("- numpy\n", ScalarEdit(0, 40, "numpy", "x"), "no scalar at column 41"),
    ],
)
def test_refuses_what_it_cannot_place(text: str, edit: ScalarEdit, message: str) -> None:
    with pytest.raises(SpliceError, match=message):
        apply_edits(text, [edit])
