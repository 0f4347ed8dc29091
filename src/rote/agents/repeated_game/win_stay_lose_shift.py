"""win-stay-lose-shift (Pavlov): cooperate first; after a good round repeat the last move, else
switch to the next action."""

from rote.skills.repeated_game import parse, repeat_last, switch_last, won_last


class Agent:
    def act(self, observation):
        state = parse(observation)
        if won_last(state):
            return repeat_last(state, state.actions[0])
        return switch_last(state, state.actions[0])
