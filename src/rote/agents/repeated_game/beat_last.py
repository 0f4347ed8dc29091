"""beat-last: cooperate first, then play the best response to the opponent's last move."""

from rote.skills.repeated_game import beat_last, parse


class Agent:
    def act(self, observation):
        state = parse(observation)
        return beat_last(state, state.actions[0])
