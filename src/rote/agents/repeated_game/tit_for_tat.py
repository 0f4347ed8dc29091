"""tit-for-tat: cooperate first, then copy the opponent's last move."""

from rote.skills.repeated_game import copy_last, parse


class Agent:
    def act(self, observation):
        state = parse(observation)
        return copy_last(state, state.actions[0])
