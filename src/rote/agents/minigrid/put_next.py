"""put-next: pick up the object the mission names first, then drop it on a free cell beside
the object it names second."""

from rote.skills.minigrid import (
    carrying,
    destination_cells,
    drop_beside,
    parse,
    pick_up,
    target_cells,
)


class Agent:
    def act(self, observation):
        state = parse(observation)
        if carrying(state):
            return drop_beside(state, destination_cells(state))
        return pick_up(state, target_cells(state))
