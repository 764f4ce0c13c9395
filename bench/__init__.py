"""Benchmarks: each compares the product with a baseline in one run; run them as ``python -m bench.<name>``."""
