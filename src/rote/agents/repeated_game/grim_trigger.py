"""grim-trigger: cooperate until the opponent first fails to, then defect for ever."""

from rote.skills.repeated_game import parse


class Agent:
    def act(self, observation):
        state = parse(observation)
        cooperate, defect = state.actions[:2]
        if any(move != cooperate for move in state.opp):
            return defect
        return cooperate
