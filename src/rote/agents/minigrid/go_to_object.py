"""go-to-object: walk to face the object the mission names, then say done."""

from rote.skills.minigrid import go_to, parse, target_cells


class Agent:
    def act(self, observation):
        state = parse(observation)
        return go_to(state, target_cells(state))
