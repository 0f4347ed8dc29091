"""Sequential Monte Carlo over programs: small pure functions on log-space weights."""
