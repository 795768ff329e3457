"""Pydantic models at every boundary: Zuora objects, NetSuite records, queue messages, state."""
