"""The reference predictors: the invariants, plus what each one is meant to capture."""

from __future__ import annotations

import pytest

from rote.baselines.references import (
    AlwaysStayPredictor,
    FrequencyPredictor,
    NgramPredictor,
    RepeatLastPredictor,
    UniformPredictor,
)
from rote.envs import make_env
from rote.envs.base import EnvSpec
from rote.errors import RoteError
from rote.predictor import Predictor
from tests.predictor_checks import ENV, PredictorChecks, steps

OBSERVATION = steps(n=1)[0].observation


def top(distribution: dict[str, float]) -> list[str]:
    best = max(distribution.values())
    return [action for action, p in distribution.items() if p == best]


class TestUniform(PredictorChecks):
    def make(self, env: EnvSpec) -> Predictor:
        return UniformPredictor(env)


class TestFrequency(PredictorChecks):
    def make(self, env: EnvSpec) -> Predictor:
        return FrequencyPredictor(env)


class TestRepeatLast(PredictorChecks):
    def make(self, env: EnvSpec) -> Predictor:
        return RepeatLastPredictor(env)


class TestNgram(PredictorChecks):
    def make(self, env: EnvSpec) -> Predictor:
        return NgramPredictor(env)


class TestAlwaysStay(PredictorChecks):
    def make(self, env: EnvSpec) -> Predictor:
        return AlwaysStayPredictor(env)


def test_always_stay_predicts_the_idle_action_whatever_it_saw() -> None:
    predictor = feed(AlwaysStayPredictor(ENV), ["up", "up", "interact"])
    distribution = predictor.predict(OBSERVATION)
    assert top(distribution) == ["stay"] and distribution["stay"] == pytest.approx(0.9)
    with pytest.raises(RoteError, match="always-stay: env repeated-game has no idle action"):
        AlwaysStayPredictor(make_env("repeated-game"))


def feed(predictor: Predictor, actions: list[str], update: bool = True) -> Predictor:
    for action in actions:
        predictor.observe(OBSERVATION, action, update=update)
    return predictor


def test_uniform_is_uniform_whatever_it_saw() -> None:
    distribution = feed(UniformPredictor(ENV), ["up"] * 5).predict(OBSERVATION)
    assert list(distribution.values()) == pytest.approx([1 / len(ENV.action_names)] * 6)


def test_frequency_is_add_one_smoothed_and_keeps_ties() -> None:
    distribution = feed(FrequencyPredictor(ENV), ["up", "up", "left", "left", "stay"]).predict(
        OBSERVATION
    )
    assert top(distribution) == ["up", "left"]
    assert distribution["up"] == pytest.approx(3 / 11)
    assert distribution["down"] == pytest.approx(1 / 11)


def test_frequency_frozen_differs_from_online() -> None:
    history = steps("left-right", n=30)
    frozen, online = FrequencyPredictor(ENV), FrequencyPredictor(ENV)
    for predictor in (frozen, online):
        feed(predictor, ["up"] * 3)
    for step in history:
        assert step.action is not None
        frozen.observe(step.observation, step.action, update=False)
        online.observe(step.observation, step.action)
    assert top(frozen.predict(OBSERVATION)) == ["up"]
    assert top(online.predict(OBSERVATION)) != ["up"]
    assert frozen.observed == online.observed == 33


def test_repeat_last_follows_the_last_action_even_when_frozen() -> None:
    predictor = feed(RepeatLastPredictor(ENV, epsilon=0.1), ["up", "left"], update=False)
    distribution = predictor.predict(OBSERVATION)
    assert top(distribution) == ["left"]
    assert distribution["left"] == pytest.approx(0.9)
    assert distribution["up"] == pytest.approx(0.02)


def test_ngram_learns_a_three_cycle_in_two_periods() -> None:
    cycle = ["up", "right", "interact"]
    predictor = feed(NgramPredictor(ENV, n=3), cycle * 2)
    for expected in cycle * 2:
        assert top(predictor.predict(OBSERVATION)) == [expected]
        predictor.observe(OBSERVATION, expected, update=False)


def test_ngram_backs_off_to_shorter_contexts() -> None:
    predictor = feed(NgramPredictor(ENV, n=3), ["up", "down", "down", "down"])
    # The context (stay, stay) was never seen, nor (stay,): the unigram counts decide.
    feed(predictor, ["stay", "stay"], update=False)
    assert top(predictor.predict(OBSERVATION)) == ["down"]
    # The context (up, stay) is new, but stay was followed by right: the bigram outvotes the
    # unigram mode, left.
    fresh = feed(NgramPredictor(ENV, n=3), ["left"] * 4 + ["stay", "right", "up", "stay"])
    assert top(fresh.predict(OBSERVATION)) == ["right"]


def test_ngram_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="n must"):
        NgramPredictor(ENV, n=0)
    with pytest.raises(ValueError, match="k must"):
        NgramPredictor(ENV, k=0)
