"""go-to-object-turn-right: go-to-object's plan, turning right where it must turn around.

The plan is go-to-object's: walk to face the object the mission names, then say done. The
convention differs in one thing: when the first move of its path is behind it, it turns right
(rote's go-to-object turns left). Among equally short paths it takes the one whose moves come
earliest in the order up, down, left, right, as go-to-object does.
"""

from rote.agents.conventions.navigation import Convention, arrive_at
from rote.skills.minigrid import parse, target_cells

CONVENTION = Convention(turn="right")


class Agent:
    def act(self, observation):
        state = parse(observation)
        return arrive_at(state, target_cells(state), "done", CONVENTION)
