package ctl

import (
	"context"
	"strings"
	"testing"

	"tradein/agent"
	"tradein/cmd/tradein-terminal/wiring"
)

// Demo staff of the prepared data directory (wiring.DemoStaffList).
const (
	clerkID, clerkPIN     = "1001", "1234"
	managerID, managerPIN = "3001", "3456"
)

func TestResetPIN(t *testing.T) {
	dir := newDataDir(t)
	r := run(t, dir, managerID+"\n"+managerPIN+"\n87654321\n87654321\n", "staff", "reset-pin", clerkID)
	if r.code != ExitOK {
		t.Fatalf("reset-pin: %s", r)
	}
	mustContain(t, r, "PIN of 1001 reset by manager 3001")
	if strings.Contains(r.stdout+r.stderr, "87654321") || strings.Contains(r.stdout+r.stderr, managerPIN) {
		t.Fatalf("a PIN was printed: %s", r)
	}

	ctx := context.Background()
	c := &cli{env: Env{Clock: fixedClock{testNow}}, layout: wiring.NewLayout(dir), log: quiet}
	s, err := c.openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.Staff(ctx, clerkID)
	if err != nil {
		t.Fatal(err)
	}
	if !agent.VerifyPIN(st.PINHash, "87654321") || agent.VerifyPIN(st.PINHash, clerkPIN) {
		t.Fatal("the new PIN is not the clerk's PIN")
	}
	es, err := s.AuditEntries(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var reset *agent.AuditEntry
	for i := range es {
		if es[i].Action == "staff.pin_reset" {
			reset = &es[i]
		}
	}
	if reset == nil || reset.Actor != managerID || reset.Subject != clerkID {
		t.Fatalf("audit entry of the reset = %+v, want staff.pin_reset of %s by the manager %s", reset, clerkID, managerID)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n != len(es) {
		t.Fatalf("audit chain after reset: %d, %v", n, err)
	}
}

func TestResetPINRefusals(t *testing.T) {
	dir := newDataDir(t)
	cases := []struct {
		name, stdin, want string
	}{
		{"wrong manager PIN", managerID + "\n0000\n87654321\n87654321\n", "manager not confirmed"},
		{"clerk as manager", clerkID + "\n" + clerkPIN + "\n87654321\n87654321\n", "only a shop manager"},
		{"unknown manager", "7777\n1234\n87654321\n87654321\n", "manager not confirmed"},
		{"new PINs differ", managerID + "\n" + managerPIN + "\n87654321\n87654322\n", "the two new PINs differ"},
		{"bad new PIN", managerID + "\n" + managerPIN + "\n12ab\n12ab\n", "PIN must be 4 to 8 digits"},
		{"no input", "", "standard input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, dir, tc.stdin, "staff", "reset-pin", clerkID)
			if r.code != ExitProblem || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("want exit 1 with %q: %s", tc.want, r)
			}
		})
	}
	// An unknown target is named only once a manager is confirmed.
	if r := run(t, dir, managerID+"\n"+managerPIN+"\n87654321\n87654321\n", "staff", "reset-pin", "4242"); r.code != ExitProblem ||
		!strings.Contains(r.stderr, `no staff member "4242"`) {
		t.Fatalf("unknown staff: %s", r)
	}
	// The clerk's PIN is unchanged, and the wrong manager PIN counted.
	ctx := context.Background()
	c := &cli{env: Env{Clock: fixedClock{testNow}}, layout: wiring.NewLayout(dir), log: quiet}
	s, err := c.openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, _ := s.Staff(ctx, clerkID)
	if !agent.VerifyPIN(st.PINHash, clerkPIN) {
		t.Fatal("a refused reset changed the PIN")
	}
	es, err := s.AuditEntries(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	failed := false
	for _, e := range es {
		failed = failed || (e.Action == "staff.login_failed" && e.Subject == managerID)
	}
	if !failed {
		t.Fatal("the wrong manager PIN was not audited as a failed login")
	}
}

// TestResetPINRevealsNothingBeforeThePIN: before a manager's PIN is
// checked, reset-pin says the same for an unknown target as for a real
// one, names no role, and answers a clerk's ID with a wrong PIN exactly
// like an unknown ID.
func TestResetPINRevealsNothingBeforeThePIN(t *testing.T) {
	dir := newDataDir(t)
	norm := func(s, id string) string { return strings.ReplaceAll(s, id, "<ID>") }
	real := run(t, dir, "7777\n0000\n", "staff", "reset-pin", clerkID)
	unknown := run(t, dir, "7777\n0000\n", "staff", "reset-pin", "4242")
	if norm(real.stderr, clerkID) != norm(unknown.stderr, "4242") || real.code != unknown.code {
		t.Fatalf("real target:\n%s\nunknown target:\n%s", real, unknown)
	}
	for _, role := range []string{"CLERK", "MANAGER", "店员"} {
		if strings.Contains(real.stderr+real.stdout, role) {
			t.Fatalf("role %s shown before any PIN: %s", role, real)
		}
	}
	clerkAsManager := run(t, dir, clerkID+"\n0000\n", "staff", "reset-pin", clerkID)
	nobodyAsManager := run(t, dir, "7777\n0000\n", "staff", "reset-pin", clerkID)
	if clerkAsManager.stderr != nobodyAsManager.stderr {
		t.Fatalf("a clerk's ID with a wrong PIN:\n%s\nan unknown ID:\n%s", clerkAsManager, nobodyAsManager)
	}
}
