"""Synthesized: if on purple: drop on the nearest free cell; else pace from left."""

from rote.skills.construction import Heading, fetch, free_cells, parse


class Agent:
    def __init__(self):
        self.skill_0 = Heading("left")

    def act(self, observation):
        state = parse(observation)
        if state.blocks.get(state.agent) == "purple":
            return fetch(state, free_cells(state))
        return self.skill_0.act(state)
