// Package soak holds tests that run the whole server, in process, against a
// simulated store that misbehaves: concurrent mixed tool calls under faults
// and the pathological store's misbehaviours (internal/badstore), deadlines,
// cancellation and secret hygiene. It has no code of its own.
// SOAK_DURATION (e.g. 2m) lengthens the soak beyond its default few seconds.
package soak
