"""Synthesized: if on green: fetch the nearest block; else walk the ring clockwise."""

from rote.skills.construction import RingWalk, fetch, parse


class Agent:
    def __init__(self):
        self.skill_0 = RingWalk(True)

    def act(self, observation):
        state = parse(observation)
        if state.blocks.get(state.agent) == "green":
            return fetch(state, state.blocks)
        return self.skill_0.act(state)
