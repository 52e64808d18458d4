// Package agenttest is test support: a real Terminal on a real SQLite store
// with a working in-memory platform; import only from _test.go files.
//
// It holds the parts the agent and UI fixtures share: a settable clock, a
// store opened in t.TempDir() with rules, a product library and staff
// seeded, an issuer of signed consumer codes, an in-memory central platform
// that really verifies signatures, freezes each voucher once and tracks
// serial-number state, and a receipt printer that keeps its jobs in the
// store's print-job table. Each test package keeps its own fixture type and
// its package-specific helpers on top of these.
package agenttest
