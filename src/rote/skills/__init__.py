"""Skills: the stdlib-only modules behaviour programs may import, in the sandbox and out.

Each env family names its skills module in its registration (`rote.envs.register`); the sandbox
sends every registered one to its workers and exposes it to programs under its own name, so
`from rote.skills.construction import walk` means the same thing wherever a program runs. A
skills module imports only the standard library and the skills modules loaded before it
(`rote.envs.skills_modules` gives the order).
"""
