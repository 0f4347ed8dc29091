"""blue-next-to-blue: carry blue blocks with no blue neighbour to a free cell beside another blue.

Any other held block is dropped first, where the agent stands or on the nearest free cell.
"""

from rote.skills.construction import beside, fetch, free_cells, isolated, parse


class Agent:
    def act(self, observation):
        state = parse(observation)
        blues = state.cells_of("blue")
        if state.held == "blue":
            return fetch(state, beside(state, blues))
        if state.held is not None:
            return fetch(state, free_cells(state))
        return fetch(state, isolated(state, "blue"))
