"""Proposers write candidate programs; SMC weighs them. Registered by name for the CLI."""

from rote.proposers.base import ProposalRequest, Proposer, Usage
from rote.proposers.listed import ListProposer

__all__ = ["ListProposer", "ProposalRequest", "Proposer", "Usage"]
