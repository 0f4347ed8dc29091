"""The repeated-game strategy zoo: classic strategies of the iterated prisoner's dilemma and kin,
each a behaviour program in its own file.

Each file is a standalone program (`class Agent` with `act(observation) -> action name`) that
imports only `rote.skills.repeated_game` (and `random`, for the stochastic ones), so the same
source runs here as a scripted agent and in the sandbox as a particle. The strategies are written
for every game at once in terms of the game's first, "cooperative" action and the second, "other"
one (in the prisoner's dilemma C and D; in rock-paper-scissors rock and paper). A stochastic
strategy's `Agent(rng=None)` draws from `rng`, which `make_agent` seeds, or from a fresh
`random.Random()` (seeded with 0 in the sandbox). docs/agents.md describes each.
"""

from __future__ import annotations

from rote.agents.base import AgentFactory, program_agents

MODULES: dict[str, str] = {
    "always-cooperate": "always_cooperate",
    "always-defect": "always_defect",
    "tit-for-tat": "tit_for_tat",
    "suspicious-tit-for-tat": "suspicious_tit_for_tat",
    "tit-for-two-tats": "tit_for_two_tats",
    "two-tits-for-tat": "two_tits_for_tat",
    "grim-trigger": "grim_trigger",
    "win-stay-lose-shift": "win_stay_lose_shift",
    "alternate": "alternate",
    "follow-majority": "follow_majority",
    "hard-majority": "hard_majority",
    "beat-last": "beat_last",
    "periodic-ccd": "periodic_ccd",
    "periodic-cdd": "periodic_cdd",
    "cooperate-three-then-defect": "cooperate_three_then_defect",
    "random-50": "random_50",
    "random-80": "random_80",
    "generous-tit-for-tat": "generous_tit_for_tat",
    "noisy-tit-for-tat": "noisy_tit_for_tat",
}
"""Strategy name to program module."""


AGENTS: dict[str, AgentFactory] = program_agents(__name__, MODULES)
"""Strategy name to factory; the stochastic ones take `rng` (a keyword `make_agent` fills)."""

DETERMINISTIC: frozenset[str] = frozenset(AGENTS) - {
    "random-50",
    "random-80",
    "generous-tit-for-tat",
    "noisy-tit-for-tat",
}
"""The strategies whose move is a function of the history: what the bench's accuracy target
(0.95 on average) is about."""
