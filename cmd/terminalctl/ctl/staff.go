package ctl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"tradein/agent"
)

// runStaff runs the staff commands.
func (c *cli) runStaff(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "reset-pin" {
		return usageError("staff needs reset-pin STAFF_ID")
	}
	fs := newFlagSet("staff reset-pin")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if err := wantArgs("staff reset-pin", pos, 1); err != nil {
		return err
	}
	return c.resetPIN(ctx, strings.TrimSpace(pos[0]))
}

// resetPIN sets a new PIN for staffID with a shop manager's credentials,
// read from standard input (never from flags, which the process list and
// the shell history would show): the manager's ID, the manager's PIN, the
// new PIN and the new PIN again, one per line.
//
// It goes through the agent exactly as the manager screen does: Login
// verifies the manager (active, not locked out, PIN; a wrong PIN counts
// towards the lockout and is audited), and Session.ResetPIN checks the
// role (MANAGE_STAFF is the manager's), validates and hashes the new PIN,
// lifts any lockout and appends the audit entry naming the manager.
//
// Nothing about any staff member is said before the manager's PIN has
// been checked: not whether the target exists, nor its name or role, nor
// the role of the ID typed as the manager's. Whoever runs the command
// without a manager's PIN learns nothing the login screen would not tell.
func (c *cli) resetPIN(ctx context.Context, staffID string) error {
	s, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	term, err := agent.NewTerminal(agent.Deps{Store: s, Clock: c.env.Clock, Logger: c.log})
	if err != nil {
		return err
	}

	in := newPrompter(c.env.Stdin, c.env.Stderr)
	fmt.Fprintf(c.env.Stderr, "重置PIN Reset the PIN of staff ID %s. A shop manager (店长) must confirm.\n", staffID)
	mgrID, err := in.line("店长工号 Manager ID: ", false)
	if err != nil {
		return err
	}
	mgrPIN, err := in.line("店长PIN Manager PIN: ", true)
	if err != nil {
		return err
	}
	sess, err := term.Login(ctx, mgrID, mgrPIN)
	if err != nil {
		return fmt.Errorf("refused: manager not confirmed: %w", err)
	}
	defer sess.Logout()
	if !sess.Can(agent.ActManageStaff) {
		return fmt.Errorf("refused: %s is %s; only a shop manager (店长, MANAGER) may reset PINs", mgrID, sess.Staff().Role)
	}
	pin1, err := in.line("新PIN New PIN: ", true)
	if err != nil {
		return err
	}
	if err := agent.ValidatePIN(pin1); err != nil {
		return fmt.Errorf("refused: %w", err)
	}
	pin2, err := in.line("再输入 New PIN again: ", true)
	if err != nil {
		return err
	}
	if pin1 != pin2 {
		return errors.New("refused: the two new PINs differ; nothing was changed")
	}
	if err := sess.ResetPIN(ctx, staffID, pin1); errors.Is(err, agent.ErrNotFound) {
		return fmt.Errorf("refused: no staff member %q; nothing was changed", staffID)
	} else if err != nil {
		return fmt.Errorf("refused: %w", err)
	}
	fmt.Fprintf(c.env.Stdout, "PIN已重置 PIN of %s reset by manager %s (audited; any lockout lifted)\n", staffID, mgrID)
	return nil
}

// prompter reads answers one line at a time, prompting on w. PINs are
// read with the terminal's echo off when standard input is a terminal.
type prompter struct {
	r   *bufio.Reader
	src io.Reader
	w   io.Writer
	tty bool // src is a terminal, which echoes the Enter that ends a line
}

func newPrompter(r io.Reader, w io.Writer) *prompter {
	return &prompter{r: bufio.NewReader(r), src: r, w: w, tty: isTerminal(r)}
}

func (p *prompter) line(prompt string, secret bool) (string, error) {
	fmt.Fprint(p.w, prompt)
	if secret {
		// Echo off hides the Enter too, so the line is ended here.
		defer fmt.Fprintln(p.w)
		if restore := echoOff(p.src); restore != nil {
			defer restore()
		}
	}
	s, err := p.r.ReadString('\n')
	if !p.tty && !secret {
		fmt.Fprintln(p.w) // piped answers: end the prompt's line ourselves
	}
	if err != nil && s == "" {
		return "", fmt.Errorf("read %s from standard input: %w", strings.TrimSpace(strings.TrimSuffix(prompt, ": ")), err)
	}
	return strings.TrimSpace(s), nil
}
