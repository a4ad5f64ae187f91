"""Shared pieces of the benchmark suite (``python benchmarks/run.py``)."""
