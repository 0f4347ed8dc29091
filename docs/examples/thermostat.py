"""Thermostat: a numeric environment with no synthesizer vocabulary of its own.

A room, hour by hour. Its temperature leaks towards the weather outside, is knocked about now and
then (a window opened, the oven on), and answers the heater and the air conditioner. The
thermostat shows whole degrees: the room's temperature, the setpoint (a day and a night one, on a
schedule), the weather outside, and the hour. Each hour the occupant heats, cools or turns both
off. A new layout (`rote generate --swap-at`) is coming home from a trip: another season, another
setpoint, and the room at whatever temperature the empty house drifted to.

The file registers no vocabulary, so the synthesizer uses the generic one, whose thresholds on
numeric fields, on their differences and on their changes since the last hour (docs/synthesizer.md)
are what the four scripted occupants need. `rote --plugin docs/examples/thermostat.py bench --suite
thermostat` measures rote on them (`benchmarks/thresholds.py`: on values never observed).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from rote import EnvSpec, register
from rote.agents import Agent
from rote.observation import Observation

ACTIONS = ("heat", "cool", "off")
GYM_ID = "rote-example/Thermostat-v0"
FIELDS = ("temp", "setpoint", "outside", "hour")
POWER = {"heat": 4.0, "cool": -4.0, "off": 0.0}
"""Degrees an hour of heating or cooling adds."""
LEAK = 0.35
"""The share of the difference with outside the room loses in an hour."""
SHOCK = 0.15
"""The chance, each hour, that something knocks the temperature by 2 to 6 degrees either way."""
SEASONS = (15.0, 25.0)
"""The range of the day's mean temperature outside: spring and autumn, when nights are cold and
afternoons hot (SWING), so that an occupant heats and cools within a day, and 20 observed hours
show both."""
SWING = 12.0
"""How far the afternoon is above the day's mean, and the night below it."""
DAY = range(7, 22)
"""The hours the day setpoint holds; the night one, 3 degrees lower, holds the others."""


class ThermostatEnv(gym.Env[Any, np.int64]):
    metadata = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012 - gymnasium API

    def __init__(self, render_mode: str | None = None) -> None:
        self.render_mode = render_mode
        self.action_space = gym.spaces.Discrete(len(ACTIONS))
        self.observation_space = gym.spaces.Box(-50, 80, shape=(len(FIELDS),), dtype=np.int64)
        self.hour, self.temp, self.season, self.day_setpoint = 0, 20.0, 10.0, 21

    def _layout(self) -> None:
        """A season (the mean temperature outside), a day setpoint, and the room's temperature."""
        rng = self.np_random
        self.season = float(rng.uniform(*SEASONS))
        self.day_setpoint = int(rng.integers(19, 24))
        self.temp = float(rng.uniform(8, 32))

    @property
    def setpoint(self) -> int:
        return self.day_setpoint if self.hour in DAY else self.day_setpoint - 3

    @property
    def outside(self) -> float:
        """The season, warmest at 15:00 and coldest at 3:00."""
        return self.season + SWING * math.sin(2 * math.pi * (self.hour - 9) / 24)

    def observe(self) -> Observation:
        return {
            "temp": round(self.temp),
            "setpoint": self.setpoint,
            "outside": round(self.outside),
            "hour": self.hour,
        }

    def _numbers(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        observation = self.observe()
        return np.array([observation[field] for field in FIELDS])

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        super().reset(seed=seed)
        self.hour = int(self.np_random.integers(24))
        self._layout()
        return self._numbers(), {}

    def step(self, action: np.int64) -> Any:
        rng = self.np_random
        self.temp += LEAK * (self.outside - self.temp) + POWER[ACTIONS[int(action)]]
        if rng.random() < SHOCK:
            self.temp += float(rng.choice([-1, 1]) * rng.uniform(2, 6))
        self.hour = (self.hour + 1) % 24
        return self._numbers(), 0.0, False, False, {}

    def swap_layout(self) -> None:
        """Home from a trip: another season and setpoint, the room wherever it drifted to."""
        self._layout()

    def render(self) -> str | None:
        return render(self.observe()) if self.render_mode == "ansi" else None


def render(observation: Observation) -> str:
    o = observation
    return (
        f"{o['hour']:02d}:00, {o['temp']} degrees inside (setpoint {o['setpoint']}),"
        f" {o['outside']} outside"
    )


SCHEMA = {
    "type": "object",
    "required": list(FIELDS),
    "properties": {
        "temp": {"type": "integer", "description": "the room's temperature, in whole degrees"},
        "setpoint": {"type": "integer", "description": "the temperature the schedule asks for"},
        "outside": {"type": "integer", "description": "the temperature outside"},
        "hour": {"type": "integer", "minimum": 0, "maximum": 23, "description": "the hour"},
    },
}


class ThermostatSpec(EnvSpec):
    id: ClassVar[str] = "thermostat"

    def __init__(self) -> None:
        super().__init__(
            action_names=ACTIONS,
            rules="Each hour, heat the room, cool it, or turn both off.",
            observation_schema=SCHEMA,
            kwargs={},
        )

    def render_text(self, observation: Observation) -> str:
        return render(observation)

    @property
    def simulated(self) -> bool:
        return True

    def make_gym(self, **options: Any) -> gym.Env[Any, Any]:
        return gym.make(GYM_ID, **options)

    def encode(self, env: gym.Env[Any, Any]) -> Observation:
        return env.unwrapped.observe()  # type: ignore[attr-defined,no-any-return]


class Fixed:
    """Heats below 20 degrees and cools above 22, whatever the setpoint says."""

    def act(self, observation: Observation) -> str:
        if observation["temp"] < 20:
            return "heat"
        return "cool" if observation["temp"] > 22 else "off"


class Setpoint:
    """Heats when the room is more than a degree below the setpoint, cools when it is more than a
    degree above."""

    def act(self, observation: Observation) -> str:
        if observation["temp"] < observation["setpoint"] - 1:
            return "heat"
        return "cool" if observation["temp"] > observation["setpoint"] + 1 else "off"


class Eco:
    """Heats when the room is below the setpoint, and never cools."""

    def act(self, observation: Observation) -> str:
        return "heat" if observation["temp"] < observation["setpoint"] else "off"


class Steady:
    """Works against any change: heats when the room cooled by 2 degrees or more since the last
    hour, cools when it warmed by 2 or more."""

    def __init__(self) -> None:
        self.previous: Observation | None = None

    def act(self, observation: Observation) -> str:
        before = observation if self.previous is None else self.previous
        self.previous = observation
        change = observation["temp"] - before["temp"]
        if change <= -2:
            return "heat"
        return "cool" if change >= 2 else "off"


AGENTS: dict[str, Callable[[], Agent]] = {
    "fixed": Fixed,
    "setpoint": Setpoint,
    "eco": Eco,
    "steady": Steady,
}
"""The scripted occupants, every one a threshold rule: on the temperature, on its difference
with the setpoint, on their comparison, and on the temperature's change since the last hour."""

gym.register(GYM_ID, entry_point=f"{__name__}:ThermostatEnv")
register(ThermostatSpec.id, ThermostatSpec, agents=AGENTS)  # no vocabulary: the generic one
