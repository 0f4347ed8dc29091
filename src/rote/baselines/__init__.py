"""Baselines that predict through the same interface as ROTE (`rote.predictor.Predictor`)."""
