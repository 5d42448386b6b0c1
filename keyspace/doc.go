// Package keyspace holds a node's data: numbered databases, each a hash table
// of keys with Redis's dict semantics and a second table of expire times,
// and the value types stored under the keys.
//
// It promises:
//   - Determinism: bucket order derives from a seed given by the caller, so
//     SCAN, RANDOMKEY and iteration replay exactly from the same seed and the
//     same history. Nothing here reads a clock or global randomness; expiry
//     decisions take "now" (Unix milliseconds) as an argument and random
//     choices take an intn function.
//   - Redis's SCAN guarantee: an element present for the whole of a scan is
//     returned at least once, across incremental rehashing in either
//     direction.
//   - No retention of caller memory: keys and values passed in are copied
//     (or, where a function says so, owned), so callers may pass views of
//     their network buffers.
//
// It knows nothing of clients, commands, replication or time sources.
package keyspace
