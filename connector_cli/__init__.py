"""The operator CLI: `python -m connector_cli --help` (run, status, errors, replay, reset, reconcile)."""
