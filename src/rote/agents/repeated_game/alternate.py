"""alternate: step through the actions in order from the first (C, D, C, ... in a 2x2 game)."""

from rote.skills.repeated_game import parse, switch_last


class Agent:
    def act(self, observation):
        state = parse(observation)
        return switch_last(state, state.actions[0])
