"""Benchmarks: scripts that print figures (python -m bench.updates), never timed assertions."""
