"""Recorded behaviour from public datasets, read as rote trajectories."""

from rote.data.overcooked import DataError, export_overcooked, load_overcooked
from rote.envs.overcooked import LAYOUTS

__all__ = ["LAYOUTS", "DataError", "export_overcooked", "load_overcooked"]
