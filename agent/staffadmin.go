package agent

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// maxStaffNameRunes bounds a staff name (it is printed on receipts).
const maxStaffNameRunes = 32

// staffIDPrefix starts generated staff ids: "S001", "S002", …
const staffIDPrefix = "S"

// AddStaff creates a staff member with the next free id ("S001", …) and
// the PIN hashed with argon2id. Needs ActManageStaff.
func (s *Session) AddStaff(ctx context.Context, name string, role Role, pin string) (Staff, error) {
	if err := s.require(ActManageStaff); err != nil {
		return Staff{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > maxStaffNameRunes || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return Staff{}, Errorf(CodeInvalidRequest, "a staff name has 1 to %d characters", maxStaffNameRunes)
	}
	if _, ok := roleActions[role]; !ok {
		return Staff{}, Errorf(CodeInvalidRequest, "unknown role %q", role)
	}
	if err := ValidatePIN(pin); err != nil {
		return Staff{}, err
	}
	hash, err := HashPIN(pin)
	if err != nil {
		return Staff{}, internal("hash PIN", err)
	}
	t := s.t
	t.mutMu.Lock()
	defer t.mutMu.Unlock()
	all, err := t.store.ListStaff(ctx)
	if err != nil {
		return Staff{}, internal("list staff", err)
	}
	st := Staff{ID: nextStaffID(all), Name: name, Role: role, PINHash: hash, Active: true}
	a := AuditEntry{At: t.clock.Now(), Actor: s.staff.ID, Action: "staff.add", Subject: st.ID, Detail: "role " + string(role)}
	if err := t.store.SaveStaff(ctx, st, a); err != nil {
		return Staff{}, internal("save staff", err)
	}
	st.PINHash = ""
	return st, nil
}

// AllStaff lists every staff member by ID, inactive ones included, for
// staff management (Terminal.StaffList, for the login picker, lists only
// the active ones). PIN hashes are cleared; failure counts and lockouts
// are kept. Needs ActManageStaff.
func (s *Session) AllStaff(ctx context.Context) ([]Staff, error) {
	if err := s.require(ActManageStaff); err != nil {
		return nil, err
	}
	all, err := s.t.store.ListStaff(ctx)
	if err != nil {
		return nil, internal("list staff", err)
	}
	for i := range all {
		all[i].PINHash = ""
	}
	return all, nil
}

// nextStaffID returns "S" + one more than the highest numeric "S…" id.
func nextStaffID(all []Staff) string {
	max := 0
	for _, st := range all {
		if n, err := strconv.Atoi(strings.TrimPrefix(st.ID, staffIDPrefix)); err == nil && strings.HasPrefix(st.ID, staffIDPrefix) && n > max {
			max = n
		}
	}
	return fmt.Sprintf("%s%03d", staffIDPrefix, max+1)
}

// ResetPIN sets a new PIN and lifts any lockout. Needs ActManageStaff.
func (s *Session) ResetPIN(ctx context.Context, staffID, newPIN string) error {
	if err := s.require(ActManageStaff); err != nil {
		return err
	}
	if err := ValidatePIN(newPIN); err != nil {
		return err
	}
	hash, err := HashPIN(newPIN)
	if err != nil {
		return internal("hash PIN", err)
	}
	return s.updateStaff(ctx, staffID, "staff.pin_reset", "", func(st *Staff) error {
		st.PINHash = hash
		st.FailedTries = 0
		st.LockedUntil = time.Time{}
		return nil
	})
}

// SetStaffActive activates or deactivates a staff member; an inactive one
// cannot log in. A manager cannot deactivate themselves (someone must be
// left to manage the shop).
func (s *Session) SetStaffActive(ctx context.Context, staffID string, active bool) error {
	if err := s.require(ActManageStaff); err != nil {
		return err
	}
	if !active && staffID == s.staff.ID {
		return Errorf(CodeInvalidRequest, "you cannot deactivate your own account")
	}
	action := "staff.deactivate"
	if active {
		action = "staff.activate"
	}
	return s.updateStaff(ctx, staffID, action, "", func(st *Staff) error {
		st.Active = active
		return nil
	})
}

// updateStaff reads, changes and saves one staff member with an audit
// entry, under the terminal's mutation lock.
func (s *Session) updateStaff(ctx context.Context, staffID, action, detail string, change func(*Staff) error) error {
	t := s.t
	t.mutMu.Lock()
	defer t.mutMu.Unlock()
	st, err := t.store.Staff(ctx, staffID)
	if errors.Is(err, ErrNotFound) {
		return Errorf(CodeNotFound, "no staff member %s", staffID)
	}
	if err != nil {
		return internal("read staff", err)
	}
	if err := change(&st); err != nil {
		return err
	}
	a := AuditEntry{At: t.clock.Now(), Actor: s.staff.ID, Action: action, Subject: staffID, Detail: detail}
	if err := t.store.SaveStaff(ctx, st, a); err != nil {
		return internal("save staff", err)
	}
	return nil
}
