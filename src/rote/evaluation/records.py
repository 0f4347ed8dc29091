"""The bench's records: which cell (`CellKey`), what it gave (`CellResult`, one line of
results.jsonl) and one line of summary.csv (`Row`).

A cell is the bench's unit of work: one method on one test trajectory (a family's episode), in
one pass, frozen or online. `CellResult.to_json` and `CellResult.from_json` are the only writer
and reader of results.jsonl's lines; the schema in docs/bench.md is theirs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from rote.evaluation.protocols import UPDATING, Updating


class CellKey(NamedTuple):
    """Which cell: a method on a family's episode, in one pass."""

    method: str
    family: str
    episode: int
    updating: Updating

    @property
    def name(self) -> str:
        """`method/family/episode/pass`: the cell's name in progress reports and by which a
        resumed bench finds it done."""
        return f"{self.method}/{self.family}/{self.episode}/{self.updating}"


class ScoredPrediction(NamedTuple):
    """One predicted step, scored against the action taken."""

    t: int
    """The step predicted."""
    actual: str
    """The action the agent took there."""
    top: str
    """The action the method gave the highest probability (the first of an exact tie)."""
    hit: float
    """1/k if `actual` is among the k most probable actions, else 0 (ties split)."""
    p: float
    """The probability given to `actual`."""
    brier: float
    """The Brier score of the distribution against `actual` (0 best, 2 worst)."""
    seconds: float
    """Predicting this step and then observing it."""
    no_stay_hit: float | None = None
    """`hit` with the env's idle action removed from the distribution (`without_idle`); None
    (absent from results.jsonl) where the agent idled, the env has no idle action, or the line
    predates the field."""
    no_stay_p: float | None = None
    """`p` with the idle action removed and the rest renormalised; None as `no_stay_hit`."""
    no_stay_top: str | None = None
    """`top` of the rest: what the method says the agent does if it acts; None as
    `no_stay_hit`."""


@dataclass(frozen=True)
class CellResult:
    """A finished cell: every prediction of one method on one trajectory in one pass, with
    its cost. One line of results.jsonl."""

    suite: str
    """The suite's name, e.g. `construction-quick`."""
    method: str
    family: str
    episode: int
    updating: Updating
    """The pass, frozen or online; "mode" in results.jsonl, as older results directories have
    it (renaming the key would make them unreadable)."""
    infer_seconds: float
    """Observing the window and inferring from it: the one-time cost."""
    seconds: float
    """The whole cell: making the predictor, inferring and every prediction."""
    usage: dict[str, float]
    """The predictor's costs beyond time (`Predictor.usage`): for rote and nllm, calls and LLM
    tokens; empty for the others."""
    predictions: tuple[ScoredPrediction, ...]
    """Every predicted step in order: the frozen pass up to the end of the multi-step or
    after-swap window, the online pass to the suite's last step."""

    @property
    def cell(self) -> CellKey:
        return CellKey(self.method, self.family, self.episode, self.updating)

    def to_json(self) -> dict[str, Any]:
        """The results.jsonl line, as a JSON object."""
        return {
            "suite": self.suite,
            "method": self.method,
            "family": self.family,
            "episode": self.episode,
            "mode": self.updating,
            "infer_seconds": self.infer_seconds,
            "seconds": self.seconds,
            "usage": self.usage,
            # a score that is None (an idle step's no-stay pair) is left out, as lines written
            # before the no-stay scores have them
            "predictions": [
                {key: value for key, value in p._asdict().items() if value is not None}
                for p in self.predictions
            ],
        }

    @classmethod
    def from_json(cls, value: Any) -> CellResult:
        """A decoded results.jsonl line as a result; ValueError saying what is wrong if it is
        not one. Keys beyond the schema are ignored."""
        _check_fields(value, _FIELDS)
        if value["mode"] not in UPDATING:
            raise ValueError(f'"mode" is {json.dumps(value["mode"])}')
        predictions = []
        for i, prediction in enumerate(value["predictions"]):
            try:
                _check_fields(prediction, _PREDICTION_FIELDS)
                _check_fields(prediction, _NO_STAY_FIELDS, optional=True)
            except ValueError as error:
                raise ValueError(f"prediction {i}: {error}") from None
            fields = {**_PREDICTION_FIELDS, **_NO_STAY_FIELDS}
            predictions.append(ScoredPrediction(**{k: prediction.get(k) for k in fields}))
        return cls(
            suite=value["suite"],
            method=value["method"],
            family=value["family"],
            episode=value["episode"],
            updating=value["mode"],
            infer_seconds=value["infer_seconds"],
            seconds=value["seconds"],
            usage=value["usage"],
            predictions=tuple(predictions),
        )


_NUMBER = (int, float)
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "suite": str,
    "method": str,
    "family": str,
    "episode": int,
    "mode": str,
    "infer_seconds": _NUMBER,
    "seconds": _NUMBER,
    "usage": dict,
    "predictions": list,
}
"""results.jsonl's keys and their JSON types, in the order to_json writes them."""
_PREDICTION_FIELDS: dict[str, type | tuple[type, ...]] = {
    "t": int,
    "actual": str,
    "top": str,
    "hit": _NUMBER,
    "p": _NUMBER,
    "brier": _NUMBER,
    "seconds": _NUMBER,
}
"""A prediction's keys (ScoredPrediction's fields) and their JSON types."""
_NO_STAY_FIELDS: dict[str, type | tuple[type, ...]] = {
    "no_stay_hit": _NUMBER,
    "no_stay_p": _NUMBER,
    "no_stay_top": str,
}
"""A prediction's keys that may be null or absent (results written before rote scored them)."""


def _check_fields(
    value: Any, fields: dict[str, type | tuple[type, ...]], *, optional: bool = False
) -> None:
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    for name, kind in fields.items():
        if optional and value.get(name) is None:
            continue
        if not isinstance(value.get(name), kind):
            raise ValueError(f'"{name}" is missing or of the wrong type')


class Row(NamedTuple):
    """One line of summary.csv: a method on a protocol, over the suite's trajectories."""

    suite: str
    method: str
    protocol: str
    accuracy: float
    """The mean over trajectories of each one's accuracy on the protocol's steps."""
    ci_low: float
    ci_high: float
    """The 95% bootstrap interval of `accuracy`, resampling trajectories."""
    cross_entropy: float
    """The mean over trajectories of -log of the probability given to the action taken, in
    nats, probabilities floored at 1e-3 (`rote.evaluation.metrics.cross_entropy`)."""
    brier: float
    n: int
    """Trajectories."""
    seconds_per_prediction: float
    """Over every prediction of the pass the protocol is scored on."""
    seconds_total: float
    """Of the cells of that pass."""
    prompt_tokens: float
    completion_tokens: float
