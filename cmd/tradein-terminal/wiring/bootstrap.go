package wiring

import (
	"context"
	"fmt"
	"strings"

	"tradein/agent"
)

// BootstrapStaff creates the first staff member of a fresh install, so
// that someone can log in at all: staff are otherwise added by a manager
// on the manager screen. It refuses (CodeIllegalState) once any staff
// exists, so it can never be used to slip a second account in later.
func (a *App) BootstrapStaff(ctx context.Context, id, name string, role agent.Role, pin string) (agent.Staff, error) {
	id, name = strings.TrimSpace(id), strings.TrimSpace(name)
	switch {
	case id == "" || name == "":
		return agent.Staff{}, agent.Errorf(agent.CodeInvalidRequest, "the first staff member needs an ID and a name")
	case role != agent.RoleManager && role != agent.RoleSupport:
		return agent.Staff{}, agent.Errorf(agent.CodeInvalidRequest, "the first staff member must be a MANAGER or SUPPORT (got %q)", role)
	}
	all, err := a.store.ListStaff(ctx)
	if err != nil {
		return agent.Staff{}, fmt.Errorf("bootstrap staff: %w", err)
	}
	if len(all) > 0 {
		return agent.Staff{}, agent.Errorf(agent.CodeIllegalState,
			"staff already exist (%d); add more on the manager screen", len(all))
	}
	hash, err := agent.HashPIN(pin)
	if err != nil {
		return agent.Staff{}, err
	}
	st := agent.Staff{ID: id, Name: name, Role: role, PINHash: hash, Active: true}
	if err := a.store.SaveStaff(ctx, st, agent.AuditEntry{At: a.clock.Now(), Actor: "system",
		Action: "staff.bootstrap", Detail: "first staff member " + string(role)}); err != nil {
		return agent.Staff{}, fmt.Errorf("bootstrap staff: %w", err)
	}
	a.log.Info("first staff member created", "staff", id, "role", role)
	return st, nil
}
