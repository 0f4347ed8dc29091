"""Baselines that predict through the same interface as rote (`Predictor`)."""

from rote.baselines.base import Predictor

__all__ = ["Predictor"]
