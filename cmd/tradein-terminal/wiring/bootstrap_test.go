package wiring

import (
	"context"
	"testing"
	"time"

	"tradein/agent"
)

func TestBootstrapStaffOnlyOnAFreshInstall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := New(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.BootstrapStaff(ctx, "1001", "店员", agent.RoleClerk, "1234"); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("a clerk as first staff: %v, want INVALID_REQUEST", err)
	}
	if _, err := a.BootstrapStaff(ctx, "3001", "张经理", agent.RoleManager, "12"); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("a 2-digit PIN: %v, want INVALID_REQUEST", err)
	}
	if _, err := a.BootstrapStaff(ctx, "3001", "张经理", agent.RoleManager, "3456"); err != nil {
		t.Fatal(err)
	}
	s, err := a.Terminal().Login(ctx, "3001", "3456")
	if err != nil || !s.Can(agent.ActManageStaff) {
		t.Fatalf("login as the first manager: %v", err)
	}
	if _, err := a.BootstrapStaff(ctx, "9001", "运维", agent.RoleSupport, "9999"); agent.CodeOf(err) != agent.CodeIllegalState {
		t.Fatalf("second bootstrap: %v, want refused", err)
	}
}
