package wiring

import (
	"context"
	"fmt"
	"io"
)

// Provision does the setup steps of a first start that installers and
// `make demo` ask for with flags, and says what it did on w: create the
// demo staff, then download rules and library and send queued items.
func Provision(ctx context.Context, a *App, w io.Writer, seedStaff, syncNow bool) error {
	if info, ok := a.Enrolled(); ok {
		fmt.Fprintf(w, "enrolled: terminal %s, store %s (%s)\n", info.TerminalNo, info.StoreName, info.MerchantNo)
	} else {
		fmt.Fprintln(w, "not enrolled yet: run with --enroll CODE, or enroll on the support screen (运维)")
	}
	if seedStaff {
		if _, err := a.SeedDemoStaff(ctx); err != nil {
			return err
		}
		fmt.Fprintln(w, "demo staff (ID / PIN):")
		for _, d := range DemoStaffList {
			fmt.Fprintf(w, "  %s  %-12s PIN %s\n", d.ID, d.Name, d.PIN)
		}
	}
	if syncNow {
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
			r.Version, v, n, res.Delivered)
	}
	return nil
}
