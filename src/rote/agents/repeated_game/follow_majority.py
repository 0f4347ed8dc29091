"""follow-majority: play the opponent's most frequent move so far, cooperating on ties (soft
majority)."""

from rote.skills.repeated_game import majority, parse


class Agent:
    def act(self, observation):
        state = parse(observation)
        return majority(state, state.actions[0])
