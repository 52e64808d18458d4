package ctl

import (
	"context"
	"fmt"
	"time"
)

// runPurgeCheck answers the package manager before it deletes the data
// directory (`apt purge`, packaging/deb/prerm and postrm): may it go?
// Exit 0 when nothing would be lost: there is no database, or the app is
// not running and no sale, refund or pickup still waits for the platform.
// Otherwise it prints why the data must stay and exits 1. A database it
// cannot read counts as "keep": deleting what nobody could check is the
// one mistake that cannot be undone. It only reads; it never creates a
// database or a lock file.
func (c *cli) runPurgeCheck(ctx context.Context, args []string) error {
	fs := newFlagSet("purge-check")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("purge-check", pos, 0); err != nil {
		return err
	}
	keep := func(format string, a ...any) error {
		fmt.Fprintf(c.env.Stdout, "keep %s: %s\n", c.layout.Dir, fmt.Sprintf(format, a...))
		return errProblem
	}
	if !exists(c.layout.DB) {
		fmt.Fprintf(c.env.Stdout, "%s holds no database: nothing to keep\n", c.layout.Dir)
		return nil
	}
	running, err := c.appRunning()
	if err != nil {
		return keep("cannot tell whether the app is running: %v", err)
	}
	if running {
		return keep("the app is running with this data directory (terminal.lock held); close it first")
	}
	s, err := c.openReadOnly(ctx)
	if err != nil {
		return keep("the database cannot be read, so nobody can tell what it still owes the platform: %v", err)
	}
	defer s.Close()
	p, err := s.Pending(ctx)
	if err != nil {
		return keep("the queue for the platform cannot be read: %v", err)
	}
	if p.Items > 0 {
		return keep("%d item(s) have not reached the platform yet (%d offline sale(s), subsidy %s; oldest since %s): "+
			"start the app online until `terminalctl queue list` is empty", p.Items, p.OfflineSales, p.OfflineSubsidyFen,
			p.OldestPendingSince.Local().Format(time.DateTime))
	}
	fmt.Fprintf(c.env.Stdout, "%s: the app is not running and nothing waits for the platform\n", c.layout.Dir)
	return nil
}
