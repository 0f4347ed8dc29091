"""Protocols and metrics for predicting agents, shared by `rote predict` and `rote bench`.

- `protocols`: the one observe-infer-predict loop, frozen or online (`Updating`); `metrics`.
- `prediction`: `rote predict` as a library call (`prediction_report`, `PredictionReport`).
- `suites` and `methods`: what a bench runs; `records`: its typed records.
- `bench`: runs the cells, into results.jsonl; `summary`: the tables and plots from the
  results (`plots` draws them, the only module that imports matplotlib). The bench never
  imports the report: the CLI calls one, then the other.
"""
