package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"tradein/agent"
)

func TestStaff(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	hash, err := agent.HashPIN("135790")
	if err != nil {
		t.Fatal(err)
	}
	mgr := agent.Staff{ID: "mgr-1", Name: "李店长", Role: agent.RoleManager, PINHash: hash, Active: true}
	clerk := agent.Staff{ID: "clerk-1", Name: "王店员", Role: agent.RoleClerk, PINHash: hash, Active: true}
	for _, st := range []agent.Staff{mgr, clerk} {
		if err := s.SaveStaff(ctx, st, agent.AuditEntry{Actor: "support", Action: "staff.create"}); err != nil {
			t.Fatal(err)
		}
	}
	clerk.FailedTries = 5
	clerk.LockedUntil = clk.Now().Add(15 * time.Minute)
	if err := s.SaveStaff(ctx, clerk, agent.AuditEntry{Action: "staff.locked"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Staff(ctx, "clerk-1")
	if err != nil || got.FailedTries != 5 || !got.LockedUntil.Equal(clerk.LockedUntil) || got.Name != "王店员" ||
		got.Role != agent.RoleClerk || !got.Active || !agent.VerifyPIN(got.PINHash, "135790") {
		t.Fatalf("Staff = %+v, %v", got, err)
	}
	list, err := s.ListStaff(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "clerk-1" || list[1].ID != "mgr-1" {
		t.Fatalf("ListStaff = %+v, %v", list, err)
	}
	if _, err := s.Staff(ctx, "nobody"); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("missing staff: %v", err)
	}
	entries, _ := s.AuditEntries(ctx, 0, 0)
	if len(entries) != 3 || entries[2].Subject != "staff:clerk-1" || entries[2].Action != "staff.locked" {
		t.Fatalf("audit = %+v", entries)
	}

	// A PIN in clear (or any non-argon2id hash) is refused, and nothing is written.
	bad := clerk
	bad.PINHash = "1234"
	if err := s.SaveStaff(ctx, bad, agent.AuditEntry{Action: "staff.pin_reset"}); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("clear PIN: %v", err)
	}
	// An audit failure rolls the staff change back.
	changed := clerk
	changed.Active = false
	if err := s.SaveStaff(ctx, changed, agent.AuditEntry{}); err == nil {
		t.Fatal("SaveStaff without audit action succeeded")
	}
	if got, _ := s.Staff(ctx, "clerk-1"); !got.Active || got.PINHash != hash {
		t.Fatal("a refused SaveStaff changed the row")
	}
}
