"""two-tits-for-tat: defect for two rounds after each uncooperative move of the opponent."""

from rote.skills.repeated_game import parse


class Agent:
    def act(self, observation):
        state = parse(observation)
        cooperate, defect = state.actions[:2]
        if any(move != cooperate for move in state.opp[-2:]):
            return defect
        return cooperate
