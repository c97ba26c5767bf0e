// Package events is Lockstream's Azure Event Grid-compatible event
// subsystem: the publishing contract used by the API and the job engine,
// and the delivery engine that pushes events to event subscriptions'
// webhooks.
//
// Publishing: Publish appends events to the store's outbox inside the
// caller's transaction, so an event exists if and only if the state change
// that caused it commits. Constructors build the AMS events
// (Microsoft.Media.Job*, JobOutput*) with their exact eventType, subject,
// data, dataVersion and metadataVersion, and Lockstream's own additions
// (Lockstream.Media.StreamingLocator*, StreamingEndpoint*); New builds any
// other type, so the live-event family drops in without delivery changes.
//
// Delivery: an Engine on every node
//   - fans outbox events out to the account's validated subscriptions
//     whose filters match (one transaction: deliveries in, outbox rows
//     out), so a subscription created later never sees older events;
//   - leases due deliveries like a job queue (PostgreSQL FOR UPDATE SKIP
//     LOCKED), so nodes share the work and a crashed node's leases simply
//     end and are taken over: at-least-once, unordered, as Event Grid;
//   - posts batches (maxEventsPerBatch, preferredBatchSizeInKilobytes) in
//     the Event Grid or CloudEvents 1.0 schema with the aeg-* headers, an
//     Azure AD bearer token from Lockstream's identity provider when the
//     subscription asks for one, through the outbound guard only (never
//     following redirects), with a per-destination concurrency limit and
//     a timeout;
//   - retries on Event Grid's schedule with jitter (a parameter, so tests
//     run it scaled down) and dead-letters after maxDeliveryAttempts or
//     the event time-to-live, or at once on 400/401/403/413, writing the
//     event with deadLetterReason, deliveryAttempts, lastDeliveryOutcome,
//     lastHttpStatusCode… as a JSON blob into the subscription's
//     dead-letter container in Lockstream's blob store;
//   - runs the validation handshake: a SubscriptionValidationEvent whose
//     code the receiver echoes (or whose validationUrl it GETs within the
//     window), or for CloudEvents the HTTP OPTIONS abuse-protection
//     handshake.
//
// Logs name a destination by its base URL only: endpoint query strings
// may carry secrets.
package events
