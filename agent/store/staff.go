package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"tradein/agent"
)

const staffColumns = `id, name, role, pin_hash, failed_tries, locked_until, active`

// Staff returns the staff member, or an error matching agent.ErrNotFound.
// A row whose tag does not match (edited outside the app, tamper.go) is
// refused with a CodeTampered error: its role and PIN hash cannot be
// trusted.
func (s *Store) Staff(ctx context.Context, id string) (agent.Staff, error) {
	var tag string
	st, err := scanStaffTag(s.r.QueryRowContext(ctx, `SELECT `+staffColumns+`, tag FROM staff WHERE id = ?`, id), &tag)
	if errors.Is(err, sql.ErrNoRows) {
		return st, notFound("staff %s", id)
	}
	if err != nil {
		return st, fmt.Errorf("store: staff %s: %w", id, err)
	}
	if !s.staffTagOK(st, tag) {
		return agent.Staff{ID: id}, errStaffTampered(id)
	}
	return st, nil
}

// ListStaff returns every staff member (inactive ones included) by ID.
// Rows edited outside the app (tag mismatch) are left out and logged:
// they must not appear with a role nobody gave them; doctor names them.
func (s *Store) ListStaff(ctx context.Context) ([]agent.Staff, error) {
	type tagged struct {
		st agent.Staff
		ok bool
	}
	all, err := queryAll(ctx, s.r, "list staff", `SELECT `+staffColumns+`, tag FROM staff ORDER BY id`, nil,
		func(row scanner) (tagged, error) {
			var tag string
			st, err := scanStaffTag(row, &tag)
			if err != nil {
				return tagged{}, fmt.Errorf("store: list staff: %w", err)
			}
			return tagged{st, s.staffTagOK(st, tag)}, nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]agent.Staff, 0, len(all))
	for _, t := range all {
		if !t.ok {
			s.log.Warn("store: staff record edited outside the app; left out", "staff", t.st.ID)
			continue
		}
		out = append(out, t.st)
	}
	return out, nil
}

func scanStaff(row scanner) (agent.Staff, error) {
	var st agent.Staff
	var role string
	var locked int64
	var active int
	err := row.Scan(&st.ID, &st.Name, &role, &st.PINHash, &st.FailedTries, &locked, &active)
	st.Role = agent.Role(role)
	st.LockedUntil = fromNanos(locked)
	st.Active = active != 0
	return st, err
}

// SaveStaff inserts or updates the staff member and appends the audit
// entry in one transaction. PINHash must be an argon2id PHC string
// ("$argon2id$…", see agent.HashPIN): the store refuses anything that
// could be a PIN in clear.
func (s *Store) SaveStaff(ctx context.Context, st agent.Staff, a agent.AuditEntry) error {
	if st.ID == "" || st.Role == "" {
		return agent.Errorf(agent.CodeInvalidRequest, "store: staff without ID or role")
	}
	if !strings.HasPrefix(st.PINHash, "$argon2id$") {
		return agent.Errorf(agent.CodeInvalidRequest, "store: staff %s: PIN hash is not an argon2id hash", st.ID)
	}
	tag := ""
	if s.cipher != nil {
		tag = s.staffTag(st)
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff WHERE id = ?`, st.ID).Scan(&exists); err != nil {
			return fmt.Errorf("store: save staff %s: %w", st.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff (`+staffColumns+`, tag) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
				pin_hash = excluded.pin_hash, failed_tries = excluded.failed_tries,
				locked_until = excluded.locked_until, active = excluded.active, tag = excluded.tag`,
			st.ID, st.Name, string(st.Role), st.PINHash, st.FailedTries, nanos(st.LockedUntil),
			boolInt(st.Active), tag); err != nil {
			return fmt.Errorf("store: save staff %s: %w", st.ID, err)
		}
		if exists == 0 {
			s.changes.add(0, 0, 1)
		}
		if a.Subject == "" {
			a.Subject = "staff:" + st.ID
		}
		_, err := s.appendAudit(ctx, tx, a)
		return err
	})
}
