"""cooperate-three-then-defect: cooperate for the first three rounds, then defect for ever."""

from rote.skills.repeated_game import parse

ROUNDS = 3


class Agent:
    def act(self, observation):
        state = parse(observation)
        return state.actions[0] if state.round < ROUNDS else state.actions[1]
