package ctl

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"
)

// runQueue lists the outbox or makes every item due now.
func (c *cli) runQueue(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("queue needs list or retry")
	}
	switch args[0] {
	case "list":
		return c.queueList(ctx, args[1:])
	case "retry":
		return c.queueRetry(ctx, args[1:])
	}
	return usageError("unknown queue command %q (list or retry)", args[0])
}

// queueList prints the pending items in delivery order. It shows no
// payload: payloads hold the consumer's sealed data.
func (c *cli) queueList(ctx context.Context, args []string) error {
	fs := newFlagSet("queue list")
	limit := fs.Int("limit", 50, "show at most N items (0: all)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("queue list", pos, 0); err != nil {
		return err
	}
	if *limit < 0 {
		return usageError("--limit must be 0 or more")
	}
	s, err := c.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := s.Pending(ctx)
	if err != nil {
		return err
	}
	items, err := s.OutboxItems(ctx, *limit)
	if err != nil {
		return err
	}
	now := c.env.Clock.Now()
	fmt.Fprintf(c.env.Stdout, "待同步 %d item(s) waiting for the platform", p.Items)
	if len(items) < p.Items {
		fmt.Fprintf(c.env.Stdout, " (showing the first %d)", len(items))
	}
	fmt.Fprintln(c.env.Stdout)
	if len(items) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tKIND\tORDER NO\tREQUEST NO\tATTEMPTS\tNEXT ATTEMPT\tLAST ERROR")
	for _, it := range items {
		next := "due now"
		if it.NextAttemptAt.After(now) {
			next = it.NextAttemptAt.Local().Format(time.DateTime) + " (in " + age(it.NextAttemptAt.Sub(now)) + ")"
		}
		lastErr := it.LastError
		if lastErr == "" {
			lastErr = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", it.Seq, it.Kind, it.OrderNo, it.RequestNo, it.Attempts, next, lastErr)
	}
	return tw.Flush()
}

// queueRetry makes every pending item due now (store.RetryAllNow); the
// running app's drainer sends them at its next pass.
func (c *cli) queueRetry(ctx context.Context, args []string) error {
	fs := newFlagSet("queue retry")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("queue retry", pos, 0); err != nil {
		return err
	}
	s, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.RetryAllNow(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "立即重试 %d item(s) are due now; the running app sends them at its next delivery pass\n", n)
	return nil
}
