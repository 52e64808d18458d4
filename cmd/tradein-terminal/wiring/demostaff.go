package wiring

import (
	"context"
	"errors"
	"fmt"

	"tradein/agent"
)

// DemoStaff is one member of the demo shop's staff.
type DemoStaff struct {
	ID, Name, PIN string
	Role          agent.Role
}

// DemoStaffList is the staff `--seed-demo-staff` creates: one per role,
// with PINs printed by `make demo`. Never use them in a shop.
var DemoStaffList = []DemoStaff{
	{ID: "1001", Name: "店员 小王", PIN: "1234", Role: agent.RoleClerk},
	{ID: "2001", Name: "回收员 老李", PIN: "2345", Role: agent.RoleRecycler},
	{ID: "3001", Name: "店长 张经理", PIN: "3456", Role: agent.RoleManager},
	{ID: "9001", Name: "运维 陈工", PIN: "9999", Role: agent.RoleSupport},
}

// SeedDemoStaff creates the demo staff that do not exist yet (an existing
// id is left as it is, PIN included) and reports how many it created.
func (a *App) SeedDemoStaff(ctx context.Context) (int, error) {
	created := 0
	for _, d := range DemoStaffList {
		_, err := a.store.Staff(ctx, d.ID)
		if err == nil {
			continue
		}
		if !errors.Is(err, agent.ErrNotFound) {
			return created, fmt.Errorf("seed demo staff: %w", err)
		}
		hash, err := agent.HashPIN(d.PIN)
		if err != nil {
			return created, err
		}
		st := agent.Staff{ID: d.ID, Name: d.Name, Role: d.Role, PINHash: hash, Active: true}
		if err := a.store.SaveStaff(ctx, st, agent.AuditEntry{At: a.clock.Now(), Actor: "system",
			Action: "staff.seed_demo", Detail: "demo staff " + string(d.Role)}); err != nil {
			return created, fmt.Errorf("seed demo staff: %w", err)
		}
		created++
	}
	if created > 0 {
		a.log.Info("demo staff created", "count", created)
	}
	return created, nil
}
