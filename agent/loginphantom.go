package agent

import (
	"context"
	"fmt"
	"time"
)

// Login answers an unknown or inactive staff ID exactly as it answers a
// real one with a wrong PIN: the same sentence, the same lockout after
// MaxPINFailures tries, for PINLockout, and the same time spent (one PIN
// verification). Otherwise whoever tries IDs at the login screen learns
// which exist from the answers ("N tries left" or a lockout only for real
// IDs). Real staff keep their count in the store; these "phantom" counts
// live in memory, since there is no row to keep them in.

// maxPhantoms bounds the remembered IDs: someone typing thousands of IDs
// must not grow the terminal's memory. When it is reached, expired entries
// are dropped, and if none expired, all of them.
const maxPhantoms = 1024

// phantomLogins counts failures of IDs with no active staff row. The
// caller holds Terminal.loginMu.
type phantomLogins map[string]*phantomLogin

type phantomLogin struct {
	failures    int
	lockedUntil time.Time
}

// errWrongPIN is the answer to a wrong PIN, an unknown ID or an inactive
// one: it never says how many tries are left.
func errWrongPIN() error { return Errorf(CodeWrongPIN, "wrong staff id or PIN") }

// errLockedOut is the answer while an ID is locked out.
func errLockedOut(until time.Time) error {
	return &Error{Code: CodeLockedOut, Detail: fmt.Sprintf("too many wrong PINs; locked until %s",
		until.UTC().Format("2006-01-02 15:04:05Z"))}
}

// phantomLogin answers a login of an ID without an active staff row and
// counts it as a real account counts a wrong PIN. why ("unknown staff id",
// "inactive staff") goes to the audit log only. t.loginMu is held.
func (t *Terminal) phantomLogin(ctx context.Context, now time.Time, id, pin, why string) error {
	if t.phantoms == nil {
		t.phantoms = phantomLogins{}
	}
	p := t.phantoms[id]
	if p != nil && now.Before(p.lockedUntil) {
		// A real locked account is refused before its PIN is checked.
		t.auditOrLog(ctx, "system", "staff.login_failed", id, why+", locked out until "+p.lockedUntil.UTC().Format("15:04:05Z"))
		return errLockedOut(p.lockedUntil)
	}
	t.burnPINCheck(pin)
	if p == nil {
		if len(t.phantoms) >= maxPhantoms {
			t.phantoms.prune(now)
		}
		p = &phantomLogin{}
		t.phantoms[id] = p
	}
	p.failures++
	if p.failures >= MaxPINFailures {
		p.failures = 0
		p.lockedUntil = now.Add(PINLockout)
		t.auditOrLog(ctx, "system", "staff.locked_out", id, fmt.Sprintf("%s; %d failures; locked for %s", why, MaxPINFailures, PINLockout))
		return errLockedOut(p.lockedUntil)
	}
	t.auditOrLog(ctx, "system", "staff.login_failed", id, why)
	return errWrongPIN()
}

// prune drops entries that are not locked out at now; when every entry is
// locked out, it drops them all.
func (m phantomLogins) prune(now time.Time) {
	for id, p := range m {
		if !now.Before(p.lockedUntil) {
			delete(m, id)
		}
	}
	if len(m) >= maxPhantoms {
		clear(m)
	}
}
