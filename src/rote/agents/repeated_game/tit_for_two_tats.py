"""tit-for-two-tats: cooperate unless the opponent's last two moves were both not cooperative."""

from rote.skills.repeated_game import parse


class Agent:
    def act(self, observation):
        state = parse(observation)
        cooperate, defect = state.actions[:2]
        if len(state.opp) >= 2 and cooperate not in state.opp[-2:]:
            return defect
        return cooperate
