"""hard-majority: play the opponent's most frequent move so far, defecting on ties."""

from rote.skills.repeated_game import majority, parse


class Agent:
    def act(self, observation):
        state = parse(observation)
        return majority(state, state.actions[1])
