"""Zuora adapter: the REST client behind the ``ZuoraApi`` port."""

from zuora_netsuite.adapters.zuora.client import UPDATE_CHUNK_SIZE, ZuoraClient, ZuoraStats

__all__ = ["UPDATE_CHUNK_SIZE", "ZuoraClient", "ZuoraStats"]
