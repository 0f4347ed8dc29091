"""`describe`: what a program says it does, read from its docstrings without running it."""

from __future__ import annotations

import pytest

from rote.programs.program import describe

AGENT = "class Agent:\n    def act(self, observation):\n        return 'up'\n"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (f'"""Go up.\n\nAlways, whatever it sees."""\n{AGENT}', "Go up."),
        (  # the synthesizer wraps its summary: one paragraph over two lines is one line
            f'"""Synthesized: move right, when idle ->\npace from down."""\n{AGENT}',
            "Synthesized: move right, when idle -> pace from down.",
        ),
        (
            'class Agent:\n    """Climb.\n\n    More."""\n'
            "    def act(self, o):\n        return 1\n",
            "Climb.",
        ),
        (AGENT, ""),
        ("def broken(:\n", ""),  # a program that does not parse has no description
        ("(" * 10_000 + ")" * 10_000, ""),  # too deep for the parser: no description either
    ],
)
def test_a_description_is_the_first_docstring_paragraph(source: str, expected: str) -> None:
    assert describe(source) == expected


def test_a_long_description_is_cut_to_one_line_of_a_table() -> None:
    found = describe(f'"""{"word " * 200}"""\n{AGENT}')
    assert len(found) == 300 and found.endswith("...")


def test_a_program_is_parsed_never_run() -> None:
    assert describe(f'"""Harmless."""\nraise SystemExit("ran")\n{AGENT}') == "Harmless."
