"""Benchmarks: ours against a raw baseline in the same process, reported as ratios."""
