"""Synthesized: pace from left."""

from rote.skills.construction import Heading, parse


class Agent:
    def __init__(self):
        self.skill_0 = Heading("left")

    def act(self, observation):
        state = parse(observation)
        return self.skill_0.act(state)
