package main

import (
	"runtime/debug"
	"time"
)

// The checkout PC runs the app all day, mostly idle between customers.
// Each burst of work leaves garbage: a login's argon2id PIN check alone
// allocates 46 MiB, a sale a few MB more (receipt, QR, platform calls).
// The Go runtime collects it only when the heap next grows to twice its
// live size, or after 2 minutes, and keeps the freed pages mapped; an idle
// app allocates too little to get there soon. Measured under Xvfb
// (BenchmarkWorkingRSS: one login and one sale, then two idle minutes):
// settled RSS 159 MB without this, 151-153 MB with it; idle CPU 1.6 % of
// a core either way. A lower GOGC would cap the heap too, but taxes the
// busy paths: GOGC=25 made the 1M-product library sync 40 % slower.
const (
	firstTrim = 2 * time.Second  // after the first frame: start-up garbage (fonts, sync, TLS, SQLite)
	trimEvery = 30 * time.Second // then while the window is open
)

// trimMemory collects garbage and returns free heap pages to the OS
// (debug.FreeOSMemory) firstTrim after it starts and then every trimEvery,
// until done is closed.
func trimMemory(done <-chan struct{}) {
	t := time.NewTimer(firstTrim)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			debug.FreeOSMemory()
			t.Reset(trimEvery)
		}
	}
}
