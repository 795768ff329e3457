"""A change of the configured mapping re-syncs the master data it affects (docs/mapping.md, "Mapping as
configuration"): the dispatcher stores the mapping's digest with the watermark and, when it differs, looks at every
synced record of the type again; the sync then writes only those whose payload changed."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.logic.conftest import NOW, World, account
from zuora_netsuite.logic.dispatch import Dispatcher
from zuora_netsuite.mapping.field_mapping import mapping_digest
from zuora_netsuite.models.record_types import RecordType

SYNCED = {
    "IntegrationStatus__NS": "Sync Complete",
    "IntegrationId__NS": "9",
    "UpdatedDate": "2026-11-01T00:00:00.000+00:00",
}


def dispatch(world: World, run_id: str) -> list[str]:
    before = len(world.queue.sent)
    Dispatcher(zuora=world.zuora, state=world.state, queue=world.queue, config=world.config, clock=lambda: NOW).run(
        run_id
    )
    return [r.record_id for r in world.queue.sent[before:] if r.record_type is RecordType.CUSTOMER]


def test_a_changed_customer_mapping_makes_every_synced_customer_pending_once(world: World) -> None:
    # Given a synced account unchanged in Zuora, and a run that stored the mapping's digest with the watermark
    world.zuora.put("Account", account("a" * 32, **SYNCED))
    world.state.advance_watermark(RecordType.CUSTOMER, NOW - timedelta(hours=1))
    assert dispatch(world, "run-1") == []
    assert world.state.get_mapping_digest(RecordType.CUSTOMER) == mapping_digest(world.config, RecordType.CUSTOMER)
    # When the customer mapping changes (a constant custom field the form makes mandatory)
    world.config = world.config.model_copy(update={"constant_fields": {"customer": {"custentity_zn_region": "1"}}})
    # Then the next run enqueues the synced account, and the one after does not again
    assert dispatch(world, "run-2") == ["a" * 32]
    assert dispatch(world, "run-3") == []
    # And items, whose mapping did not change, were not re-listed from the beginning
    assert world.state.get_mapping_digest(RecordType.ITEM) == mapping_digest(world.config, RecordType.ITEM)


def test_a_watermark_stored_before_digests_existed_gets_one_without_a_full_rescan(world: World) -> None:
    world.zuora.put("Account", account("a" * 32, **SYNCED))
    world.state.watermarks[RecordType.CUSTOMER] = NOW - timedelta(hours=1)  # no digest stored with it
    assert dispatch(world, "run-1") == []
    assert world.state.get_mapping_digest(RecordType.CUSTOMER) is not None
