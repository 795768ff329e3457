"""The operator CLI, installed as the `zuora-netsuite` command (also `python -m connector_cli`).

Commands: run, status, errors, replay, reset, reconcile."""
