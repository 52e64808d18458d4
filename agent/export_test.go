package agent

import "errors"

// This file exports to the package's external tests (package agent_test)
// what only tests need.

// OfflineReasonOf returns the reason of an offline refusal made by
// CheckOffline, or "" when err is not one. The app shows the refusal's code
// sentence; tests check which rule refused.
func OfflineReasonOf(err error) OfflineReason {
	var r offlineRefusal
	if errors.As(err, &r) {
		return r.reason
	}
	return ""
}
