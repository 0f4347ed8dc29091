"""Synthesized: walk the ring clockwise."""

from rote.skills.construction import RingWalk, parse


class Agent:
    def __init__(self):
        self.skill_0 = RingWalk(True)

    def act(self, observation):
        state = parse(observation)
        return self.skill_0.act(state)
