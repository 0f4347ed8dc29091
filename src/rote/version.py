"""rote's version, in a module that imports nothing, so that writers of trajectory and result
files can stamp it without importing the package root."""

__version__ = "0.1.0"
