"""Real-time sync from Zuora callout notifications: authenticate, validate, dedupe, enqueue.

The webhook never calls Zuora or NetSuite: it answers within Zuora's callout timeout by only putting a
SyncRequest(source=webhook) on the sync queue. See docs/webhooks.md."""
