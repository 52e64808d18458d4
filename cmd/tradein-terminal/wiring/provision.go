package wiring

import (
	"context"
	"fmt"
	"io"

	"tradein/agent"
)

// Setup are the provisioning steps of a first start that installers and
// `make demo` ask for with flags.
type Setup struct {
	// FirstStaff, when its ID is set, is created as the install's first
	// staff member (see BootstrapStaff).
	FirstStaff agent.Staff
	FirstPIN   string
	// SeedDemoStaff creates the demo staff (DemoStaffList).
	SeedDemoStaff bool
	// Sync downloads rules and library and sends queued items now.
	Sync bool
}

// Provision does the setup steps and says what it did on w.
func Provision(ctx context.Context, a *App, w io.Writer, s Setup) error {
	if info, ok := a.Enrolled(); ok {
		fmt.Fprintf(w, "enrolled: terminal %s, store %s (%s)\n", info.TerminalNo, info.StoreName, info.MerchantNo)
	} else {
		fmt.Fprintln(w, "not enrolled yet: run with --enroll CODE, or enroll on the support screen (运维)")
	}
	if s.FirstStaff.ID != "" {
		st, err := a.BootstrapStaff(ctx, s.FirstStaff.ID, s.FirstStaff.Name, s.FirstStaff.Role, s.FirstPIN)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "first staff member: %s %s (%s)\n", st.ID, st.Name, st.Role)
	}
	if s.SeedDemoStaff {
		if _, err := a.SeedDemoStaff(ctx); err != nil {
			return err
		}
		fmt.Fprintln(w, "demo staff (ID / PIN):")
		for _, d := range DemoStaffList {
			fmt.Fprintf(w, "  %s  %-12s PIN %s\n", d.ID, d.Name, d.PIN)
		}
	}
	if s.Sync {
		if _, ok := a.Enrolled(); !ok {
			return fmt.Errorf("--sync needs an enrolled terminal (--enroll CODE)")
		}
		res, err := a.SyncNow(ctx)
		if err != nil {
			return fmt.Errorf("sync with the platform at %s: %w", a.Config().PlatformURL, err)
		}
		v, _ := a.store.LibraryVersion(ctx)
		n, _ := a.store.LibraryProducts(ctx)
		r, _ := a.store.Rules(ctx)
		fmt.Fprintf(w, "synced: rules %s, product library version %d (%d products), %d queued items delivered\n",
			r.Versions(), v, n, res.Delivered)
	}
	return nil
}
