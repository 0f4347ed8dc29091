"""Protocols and metrics for predicting agents, shared by `rote predict` and `rote bench`."""
