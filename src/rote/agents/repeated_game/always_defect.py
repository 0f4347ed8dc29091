"""always-defect: play the second action (defect, in the prisoner's dilemma) every round."""

from rote.skills.repeated_game import parse


class Agent:
    def act(self, observation):
        return parse(observation).actions[1]
