"""What an agent sees at one step: the type every layer shares, in a module that imports nothing.

Kept apart from the envs package so that agents, skills users and trajectories can name it
without running every env's registration.
"""

from typing import Any

Observation = dict[str, Any]
"""An observation: a JSON object whose shape the env's `observation_schema` documents."""
