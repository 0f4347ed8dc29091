"""Synthesized: if carrying anything: drop beside the mission's destination; else pick up the
mission's object."""

from rote.skills.minigrid import carrying, destination_cells, drop_beside, parse, pick_up, target_cells


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if carrying(state):
            return drop_beside(state, destination_cells(state))
        return pick_up(state, target_cells(state))
