"""NetSuite adapter: the REST web services client behind the ``NetSuiteApi`` port."""

from zuora_netsuite.adapters.netsuite.client import NetSuiteClient, NetSuiteStats, netsuite_realm

__all__ = ["NetSuiteClient", "NetSuiteStats", "netsuite_realm"]
