"""MedStat benchmarks: `python -m bench` runs them; OPTIMIZATION.md quotes their results."""
