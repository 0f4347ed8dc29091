"""Proposers write candidate programs; SMC weighs them. `make_proposer` builds one by name."""

from rote.proposers.base import ProposalRequest, Proposer, Usage
from rote.proposers.factory import LLM_PROPOSERS, PROPOSERS, make_proposer
from rote.proposers.listed import ListProposer
from rote.proposers.synthesizer import Budget, SynthProposer

__all__ = [
    "LLM_PROPOSERS",
    "PROPOSERS",
    "Budget",
    "ListProposer",
    "ProposalRequest",
    "Proposer",
    "SynthProposer",
    "Usage",
    "make_proposer",
]
