"""fetch: walk to face the nearest object the mission names, then pick it up."""

from rote.skills.minigrid import parse, pick_up, target_cells


class Agent:
    def act(self, observation):
        state = parse(observation)
        return pick_up(state, target_cells(state))
