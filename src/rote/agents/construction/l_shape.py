"""l-shape: trace repeated L shapes, two vertical moves then one horizontal, bouncing off walls."""

from rote.skills.construction import Heading, parse


class Agent:
    def __init__(self):
        self.phase = 0
        self.vertical = Heading("down")
        self.horizontal = Heading("right")

    def act(self, observation):
        state = parse(observation)
        heading = self.horizontal if self.phase == 2 else self.vertical
        self.phase = (self.phase + 1) % 3
        return heading.act(state)
