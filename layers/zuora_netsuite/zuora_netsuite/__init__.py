"""Zuora -> NetSuite connector: the shared library behind every Lambda function.

Layering: functions/* (thin handlers) -> dispatch / sync (logic) -> adapters
(zuora.client, netsuite.client, state, queue) behind the ports in ``ports``.
"""
