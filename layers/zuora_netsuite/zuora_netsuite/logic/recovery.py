"""Operator reset (the manual recovery Zuora's own connector documents): clear IntegrationId__NS and
IntegrationStatus__NS on the Zuora record and forget the connector's state, so the next sync treats it as new.
Its NetSuite write is an upsert by the same external id, so a NetSuite record that still exists is re-linked, never
duplicated; one deleted by hand in NetSuite is created again. An account with SynctoNetSuite__NS = No stays out (the
dispatcher never picks it up)."""

from __future__ import annotations

from dataclasses import dataclass

from zuora_netsuite.logic.writeback import FIELDS_TO_NULL, update_zuora_objects
from zuora_netsuite.mapping import mappings_for
from zuora_netsuite.models.messages import RequestSource, SyncRequest
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType
from zuora_netsuite.models.replay import ResetResult
from zuora_netsuite.observability import logger
from zuora_netsuite.ports import IntegrationStateStore, SyncQueue, ZuoraApi
from zuora_netsuite.settings import ZuoraTenant

RESET_LEASE_SECONDS = 60


class ResetRefused(Exception):
    """The reset was not done; the message says why and what to do."""


@dataclass
class RecordReset:
    zuora: ZuoraApi
    state: IntegrationStateStore
    queue: SyncQueue
    tenant: ZuoraTenant
    owner: str = "operator-reset"

    def _clear_in_zuora(self, zuora_object: str, record_id: str, cleared: list[str]) -> None:
        # Cleared with fieldsToNull (a memo: JSON null on its REST resource), never with "".
        [result] = update_zuora_objects(self.zuora, zuora_object, [{"Id": record_id, FIELDS_TO_NULL: cleared}])
        if not result.success:
            raise ResetRefused(
                f"Zuora did not clear the integration fields of {zuora_object} {record_id}: {result.errors}"
            )

    def reset(self, record_type: RecordType, record_id: str, *, enqueue: bool = False) -> ResetResult:
        SyncRequest(record_type=record_type, record_id=record_id)  # validates the id before it reaches ZOQL
        zuora_object = RECORD_TYPES[record_type].zuora_object
        source = mappings_for(self.tenant)[record_type].fetch(self.zuora, [record_id]).get(record_id)
        if source is None:
            raise ResetRefused(f"{zuora_object} {record_id} does not exist in Zuora")
        if not self.state.acquire_record_lease(record_type, record_id, self.owner, RESET_LEASE_SECONDS):
            raise ResetRefused(f"{record_type.value} {record_id} is being synced right now; try again in a minute")
        deleted = False
        try:
            current = self.state.get(record_type, record_id)
            cleared = ["IntegrationId__NS", "IntegrationStatus__NS"]
            if self.tenant.error_field:
                cleared.append(self.tenant.error_field)
            if RECORD_TYPES[record_type].writes_back:  # else its status is in the state only (the invoice has its own)
                self._clear_in_zuora(zuora_object, record_id, cleared)
            deleted = self.state.delete(record_type, record_id, self.owner)
            if not deleted:
                raise ResetRefused(f"{record_type.value} {record_id} started syncing during the reset; run it again")
        finally:
            if not deleted:
                self.state.release_record_lease(record_type, record_id, self.owner)
        if enqueue:
            self.queue.send([SyncRequest(record_type=record_type, record_id=record_id, source=RequestSource.OPERATOR)])
        logger.info(
            "Record reset: Zuora integration fields and connector state cleared",
            extra={"record": f"{record_type.value}:{record_id}", "status_was": source.integration_status},
        )
        return ResetResult(
            record_type=record_type,
            record_id=record_id,
            previous_status=source.integration_status,
            previous_integration_id=source.integration_id,
            previous_netsuite_id=current.netsuite_id if current else None,
            enqueued=enqueue,
        )
