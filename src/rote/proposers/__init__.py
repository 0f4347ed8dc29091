"""Proposers write candidate programs; SMC weighs them. Registered by name for the CLI."""

from rote.proposers.base import ProposalRequest, Proposer, Usage
from rote.proposers.listed import ListProposer
from rote.proposers.synthesizer import Budget, SynthProposer

__all__ = ["Budget", "ListProposer", "ProposalRequest", "Proposer", "SynthProposer", "Usage"]
