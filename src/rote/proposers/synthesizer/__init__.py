"""The offline program synthesizer: rote's default proposer, good without any LLM.

`dsl` defines the programs (rings of modes over an env's skills), one module per env family
holds its vocabulary (`construction`, `repeated_game`, `minigrid`, `overcooked`; `generic` for
envs that register none; each family's registration names its own), `terms` builds guards and
skills from expressions, `search` the search, `emit` the Python the sandbox runs, and `proposer`
the Proposer that ties them together. docs/synthesizer.md explains the design.
"""

from rote.proposers.synthesizer.proposer import SynthProposer, vocabulary_for
from rote.proposers.synthesizer.search import Budget

__all__ = ["Budget", "SynthProposer", "vocabulary_for"]
