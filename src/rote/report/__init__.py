"""What rote found, for a person to look at: `explanation` (a run with the belief over time and
the SMC's events, for `rote explain`) and the self-contained HTML reports of `rote report`."""
