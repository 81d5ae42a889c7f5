"""Benchmarks of the activations package: ``python -m benchmarks [--quick]``."""
