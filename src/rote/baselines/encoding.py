"""Fixed-size float vectors from JSON observations, for baselines that learn (behaviour cloning).

Construction gets a symbolic stand-in for the paper's rendered frames: one-hot channels per grid
cell (wall, agent, a block of each colour) and the held colour. Any other env gets a generic
encoding fitted on the training observations: top-level numbers and booleans, standardized, and
one-hot top-level fields with few distinct string or null values. Encoders are plain numpy and
round-trip through JSON, so a checkpoint records exactly how its inputs were made.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any, TypeGuard

import numpy as np
from numpy.typing import NDArray

from rote.envs.base import EnvSpec, Observation
from rote.envs.construction import ConstructionSpec
from rote.errors import RoteError
from rote.skills.construction import COLOURS

Vector = NDArray[np.float32]

MAX_CATEGORIES = 16
"""A string-valued field with more distinct values than this is an id or free text: skipped."""


class ObservationEncoder(ABC):
    """Maps one observation to a float32 vector of length `dim`."""

    dim: int

    @abstractmethod
    def encode(self, observation: Observation) -> Vector: ...

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """What `encoder_from_json` needs to rebuild this encoder exactly."""


class GridEncoder(ObservationEncoder):
    """Construction as channels over a side x side grid, then the held colour.

    Channels per cell, row by row: wall, agent, then one per block colour. A grid smaller than
    `side` is padded with wall (nothing lives beyond the border); a larger one is cropped to its
    top-left side x side cells. Observations of one env spec all have the same size, so neither
    happens unless a checkpoint is used on a differently sized Construction.
    """

    channels = 2 + len(COLOURS)

    def __init__(self, side: int) -> None:
        self.side = side
        self.dim = self.channels * side * side + 1 + len(COLOURS)

    def encode(self, observation: Observation) -> Vector:
        side, size = self.side, int(observation["size"])
        grid = np.zeros((self.channels, side, side), dtype=np.float32)
        grid[0] = 1.0  # the border ring and any padding
        interior_end = min(size - 1, side)
        grid[0, 1:interior_end, 1:interior_end] = 0.0
        for x, y in observation["walls"]:
            if x < side and y < side:
                grid[0, y, x] = 1.0
        x, y = observation["agent"]
        if x < side and y < side:
            grid[1, y, x] = 1.0
        for block in observation["blocks"]:
            x, y = block["pos"]
            if x < side and y < side:
                grid[2 + COLOURS.index(block["colour"]), y, x] = 1.0
        held = np.zeros(1 + len(COLOURS), dtype=np.float32)
        held[0 if observation["held"] is None else 1 + COLOURS.index(observation["held"])] = 1.0
        return np.concatenate([grid.reshape(-1), held])

    def to_json(self) -> dict[str, Any]:
        return {"kind": "grid", "side": self.side}


class FieldEncoder(ObservationEncoder):
    """The generic fallback: standardized numeric fields, then one-hot categorical fields.

    A field missing from an observation, or of an unexpected type, encodes as its mean
    (numeric) or as all zeros (categorical); so does a category never seen in training.
    """

    def __init__(
        self,
        numeric: Sequence[tuple[str, float, float]],
        categorical: Sequence[tuple[str, Sequence[str | None]]],
    ) -> None:
        self.numeric = [(name, mean, std) for name, mean, std in numeric]
        self.categorical = [(name, list(values)) for name, values in categorical]
        self.dim = len(self.numeric) + sum(len(values) for _, values in self.categorical)

    @classmethod
    def fit(cls, env_id: str, observations: Iterable[Observation]) -> FieldEncoder:
        """The fields every training observation agrees on the type of; RoteError if none."""
        values: dict[str, list[Any]] = {}
        for observation in observations:
            for name, value in observation.items():
                values.setdefault(name, []).append(value)
        numeric, categorical = [], []
        for name in sorted(values):
            seen = values[name]
            if all(_is_number(value) for value in seen):
                data = np.asarray(seen, dtype=np.float64)
                std = float(data.std())
                numeric.append((name, float(data.mean()), std if std > 0 else 1.0))
            elif all(value is None or isinstance(value, str) for value in seen):
                distinct = sorted(set(seen), key=lambda value: (value is not None, value or ""))
                if len(distinct) <= MAX_CATEGORIES:
                    categorical.append((name, distinct))
        encoder = cls(numeric, categorical)
        if encoder.dim == 0:
            raise RoteError(
                f"behaviour cloning cannot encode {env_id} observations: no top-level number, "
                f"boolean or field with at most {MAX_CATEGORIES} string values"
            )
        return encoder

    def encode(self, observation: Observation) -> Vector:
        vector = np.zeros(self.dim, dtype=np.float32)
        for i, (name, mean, std) in enumerate(self.numeric):
            value = observation.get(name)
            vector[i] = (float(value) - mean) / std if _is_number(value) else 0.0
        offset = len(self.numeric)
        for name, categories in self.categorical:
            value = observation.get(name)
            if value in categories:
                vector[offset + categories.index(value)] = 1.0
            offset += len(categories)
        return vector

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "fields",
            "numeric": [list(field) for field in self.numeric],
            "categorical": [[name, values] for name, values in self.categorical],
        }


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, bool | int | float) and math.isfinite(value)


def make_encoder(env: EnvSpec, observations: Sequence[Observation]) -> ObservationEncoder:
    """The encoder for `env`, fitted on the training observations where it needs them."""
    if isinstance(env, ConstructionSpec):
        sizes = [int(observation["size"]) for observation in observations]
        return GridEncoder(max([env.kwargs["size"], *sizes]))
    return FieldEncoder.fit(env.id, observations)


def encoder_from_json(data: dict[str, Any]) -> ObservationEncoder:
    """Rebuild an encoder saved with `to_json`."""
    kind = data.get("kind")
    if kind == "grid":
        return GridEncoder(int(data["side"]))
    if kind == "fields":
        numeric = [(str(name), float(mean), float(std)) for name, mean, std in data["numeric"]]
        return FieldEncoder(numeric, [(str(name), values) for name, values in data["categorical"]])
    raise RoteError(f"unknown observation encoder {kind!r} in a behaviour cloning checkpoint")
