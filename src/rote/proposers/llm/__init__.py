"""Programs written by an LLM: backends, prompts, repair, a replay cache and accounting."""
