"""Benchmarks and load tests: separate commands, never part of the test suite."""
