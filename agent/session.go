package agent

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
)

// Action is something a role may or may not do. Actions gate both the UI's
// screens and every Session method; the UI hides what RoleCan refuses, and
// the Session refuses it again.
type Action string

const (
	ActSell        Action = "SELL"         // run the sale wizard
	ActPickup      Action = "PICKUP"       // record old-appliance pickups
	ActReprint     Action = "REPRINT"      // reprint a receipt, look at sales
	ActRefund      Action = "REFUND"       // refund or void a committed sale
	ActReview      Action = "REVIEW"       // read and resolve the review list
	ActReport      Action = "REPORT"       // daily report, export
	ActManageStaff Action = "MANAGE_STAFF" // add staff, reset PINs, (de)activate
	ActSupport     Action = "SUPPORT"      // devices, enrollment, backup, logs
)

// roleActions is the permission table (docs/DOMAIN.md, "Who uses the terminal"): a clerk sells and
// reprints, a recycler records pickups, a manager does everything a shop
// does (not field support), field support configures the terminal.
var roleActions = map[Role][]Action{
	RoleClerk:    {ActSell, ActReprint},
	RoleRecycler: {ActPickup},
	RoleManager:  {ActSell, ActPickup, ActReprint, ActRefund, ActReview, ActReport, ActManageStaff},
	RoleSupport:  {ActSupport},
}

// RoleCan reports whether role r may perform action a.
func RoleCan(r Role, a Action) bool {
	for _, x := range roleActions[r] {
		if x == a {
			return true
		}
	}
	return false
}

// Session is one logged-in staff member. It is safe for concurrent use.
// Every method checks the role first and refuses with a CodePermission
// error whose detail names the role and the action.
type Session struct {
	t      *Terminal
	staff  Staff
	closed atomic.Bool
}

// Staff returns the logged-in staff member (without the PIN hash).
func (s *Session) Staff() Staff { return s.staff }

// Can reports whether the session may perform a (and has not logged out).
func (s *Session) Can(a Action) bool {
	return !s.closed.Load() && RoleCan(s.staff.Role, a)
}

// Logout ends the session; every later call is refused. It appends an
// audit entry.
func (s *Session) Logout() {
	if s.closed.Swap(true) {
		return
	}
	ctx := context.Background()
	if err := s.t.audit(ctx, s.staff.ID, "staff.logout", s.staff.ID, ""); err != nil {
		s.t.log.Warn("audit logout", "staff", s.staff.ID, "err", err)
	}
}

// roleAllows refuses the action when the role may not perform it, whether
// or not the session has ended. Commit and Cancel use it: a sale the
// consumer has paid for must still be finished (or released) after an idle
// logout.
func (s *Session) roleAllows(a Action) error {
	if !RoleCan(s.staff.Role, a) {
		return Errorf(CodePermission, "role %s may not %s", s.staff.Role, a)
	}
	return nil
}

// require refuses the action when the role may not perform it or the
// session has ended.
func (s *Session) require(a Action) error {
	if s.closed.Load() {
		return Errorf(CodePermission, "session of %s has ended; log in again", s.staff.ID)
	}
	if !RoleCan(s.staff.Role, a) {
		return Errorf(CodePermission, "role %s may not %s", s.staff.Role, a)
	}
	return nil
}

// Login checks staff id and PIN. Failures are counted in the store: after
// MaxPINFailures consecutive failures the account is locked for PINLockout
// and Login answers CodeLockedOut until then, even with the right PIN.
// Unknown and inactive staff get the same answers as a wrong PIN, in the
// same order: "wrong staff id or PIN" (never how many tries are left),
// then, after MaxPINFailures, the same lockout for PINLockout
// (loginphantom.go), so that the login screen does not reveal who exists.
// A staff record edited outside the app (CodeTampered from the store) is
// refused with that code. Every failure and lockout is audited, never with
// the PIN.
//
// A successful login upgrades a PIN hash made with other argon2id
// parameters than HashPIN's current ones (PINNeedsRehash): the PIN is
// known only at that moment, so this is how a parameter change reaches the
// hashes already stored.
//
// Login holds the terminal's login lock, so two logins of the same person
// cannot lose a failure count.
func (t *Terminal) Login(ctx context.Context, staffID, pin string) (*Session, error) {
	t.loginMu.Lock()
	defer t.loginMu.Unlock()

	now := t.clock.Now()
	st, err := t.store.Staff(ctx, staffID)
	if errors.Is(err, ErrNotFound) {
		return nil, t.phantomLogin(ctx, now, staffID, pin, "unknown staff id")
	}
	if CodeOf(err) == CodeTampered {
		t.auditOrLog(ctx, "system", "staff.login_refused", staffID, "staff record edited outside the app")
		return nil, err
	}
	if err != nil {
		return nil, &Error{Code: CodeInternal, Detail: "read staff", Err: err}
	}
	if !st.Active {
		return nil, t.phantomLogin(ctx, now, staffID, pin, "inactive staff")
	}
	if now.Before(st.LockedUntil) {
		t.auditOrLog(ctx, "system", "staff.login_failed", staffID, "locked out until "+st.LockedUntil.UTC().Format("15:04:05Z"))
		return nil, errLockedOut(st.LockedUntil)
	}

	if !VerifyPIN(st.PINHash, pin) {
		st.FailedTries++
		a := AuditEntry{At: now, Actor: "system", Action: "staff.login_failed", Subject: st.ID,
			Detail: fmt.Sprintf("wrong PIN, failure %d of %d", st.FailedTries, MaxPINFailures)}
		loginErr := errWrongPIN()
		if st.FailedTries >= MaxPINFailures {
			st.LockedUntil = now.Add(PINLockout)
			st.FailedTries = 0
			a.Action = "staff.locked_out"
			a.Detail = fmt.Sprintf("%d wrong PINs; locked for %s", MaxPINFailures, PINLockout)
			loginErr = errLockedOut(st.LockedUntil)
		}
		if err := t.store.SaveStaff(ctx, st, a); err != nil {
			return nil, &Error{Code: CodeInternal, Detail: "record failed login", Err: err}
		}
		return nil, loginErr
	}

	st.FailedTries = 0
	a := AuditEntry{At: now, Actor: st.ID, Action: "staff.login", Subject: st.ID}
	if PINNeedsRehash(st.PINHash) {
		// A PIN the current policy refuses (ValidatePIN) keeps its old
		// hash; a manager's PIN reset replaces both.
		if h, err := HashPIN(pin); err == nil {
			st.PINHash = h
			a.Detail = "PIN hash upgraded to the current parameters"
		}
	}
	if err := t.store.SaveStaff(ctx, st, a); err != nil {
		return nil, &Error{Code: CodeInternal, Detail: "record login", Err: err}
	}
	st.PINHash = ""
	return &Session{t: t, staff: st}, nil
}

// StaffList returns the active staff for the login picker: id, name and
// role only (PIN hashes and failure counters are cleared).
func (t *Terminal) StaffList(ctx context.Context) ([]Staff, error) {
	all, err := t.store.ListStaff(ctx)
	if err != nil {
		return nil, &Error{Code: CodeInternal, Detail: "list staff", Err: err}
	}
	out := make([]Staff, 0, len(all))
	for _, st := range all {
		if !st.Active {
			continue
		}
		out = append(out, Staff{ID: st.ID, Name: st.Name, Role: st.Role, Active: true})
	}
	return out, nil
}

// burnPINCheck spends the time of one PIN verification, so that a refusal
// of an unknown or inactive staff id takes as long as a wrong PIN and the
// login screen's timing does not tell who exists.
func (t *Terminal) burnPINCheck(pin string) {
	t.dummyOnce.Do(func() {
		h, err := HashPIN("00000000")
		if err != nil {
			t.log.Warn("dummy PIN hash", "err", err)
		}
		t.dummyHash = h
	})
	if t.dummyHash != "" {
		VerifyPIN(t.dummyHash, pin)
	}
}
