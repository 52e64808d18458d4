// Package e2e holds the end-to-end tests and benchmarks of the terminal's
// sync: the real SQLite store (agent/store) in a temp dir, the real platform
// client (sync/client) and the reference platform (cmd/platform-sim) served
// on 127.0.0.1, with the outbox drainer (sync/outbox) and the library
// refresh (sync/refresh) in between. Nothing is mocked.
//
// What the tests prove: offline sales are delivered exactly
// once — counts and amounts on the platform equal the terminal's to the
// fen — after an outage, under a fault soak, and across repeated SIGKILLs
// of a draining process; a voucher spent elsewhere while the terminal was
// offline ends on the review list; clock skew beyond the platform's window
// surfaces as UNAUTHORIZED and loses nothing; an interrupted library sync
// resumes.
package e2e
