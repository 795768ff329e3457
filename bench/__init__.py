"""Benchmarks of the connector on the sandbox: `make bench` (see docs/performance.md)."""
