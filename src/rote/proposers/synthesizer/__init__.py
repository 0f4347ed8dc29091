"""The offline program synthesizer: rote's default proposer, good without any LLM.

`dsl` defines the programs (rings of modes over an env's skills), `construction` and
`generic` the vocabularies, `search` the search, `emit` the Python the sandbox runs, and
`proposer` the Proposer that ties them together. docs/synthesizer.md explains the design.
"""

from rote.proposers.synthesizer.proposer import (
    VOCABULARIES,
    SynthProposer,
    register_vocabulary,
    vocabulary_for,
)
from rote.proposers.synthesizer.search import Budget

__all__ = ["VOCABULARIES", "Budget", "SynthProposer", "register_vocabulary", "vocabulary_for"]
