package ctl

import (
	"strings"
	"testing"
)

func TestQueueListAndRetry(t *testing.T) {
	dir := newDataDir(t)
	r := run(t, dir, "", "queue", "list")
	if r.code != ExitOK {
		t.Fatalf("queue list: %s", r)
	}
	mustContain(t, r, "3 item(s) waiting", "SEQ", "KIND", "ORDER NO", "REQUEST NO", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR",
		"SALE_OFFLINE", "SALE_COMMIT", "O-T0001-000001", "R-T0001-000003",
		"PLATFORM_UNREACHABLE: connection refused", "(in 10m)")
	if strings.Contains(r.stdout, testPhone) || strings.Contains(r.stdout, testAuthCode) {
		t.Fatalf("queue list shows personal data: %s", r)
	}
	r = run(t, dir, "", "queue", "list", "--limit", "1")
	mustContain(t, r, "(showing the first 1)")
	if strings.Contains(r.stdout, "O-T0001-000002") {
		t.Fatalf("--limit 1 listed more: %s", r)
	}

	r = run(t, dir, "", "queue", "retry")
	if r.code != ExitOK {
		t.Fatalf("queue retry: %s", r)
	}
	mustContain(t, r, "3 item(s) are due now")
	r = run(t, dir, "", "queue", "list")
	if strings.Contains(r.stdout, "(in 10m)") || strings.Count(r.stdout, "due now") != 3 {
		t.Fatalf("after retry every item should be due now: %s", r)
	}
}
