package store

import "time"

// nanos is how the store keeps a time: unix nanoseconds, UTC. The zero
// time.Time (which has no unix-nanosecond value) is stored as 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos reverses nanos; the result is in UTC.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// boolInt stores a boolean as 0 or 1.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
