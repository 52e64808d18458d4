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
func (s *Store) Staff(ctx context.Context, id string) (agent.Staff, error) {
	st, err := scanStaff(s.r.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return st, notFound("staff %s", id)
	}
	if err != nil {
		return st, fmt.Errorf("store: staff %s: %w", id, err)
	}
	return st, nil
}

// ListStaff returns every staff member (inactive ones included) by ID.
func (s *Store) ListStaff(ctx context.Context) ([]agent.Staff, error) {
	return queryAll(ctx, s.r, "list staff", `SELECT `+staffColumns+` FROM staff ORDER BY id`, nil,
		func(row scanner) (agent.Staff, error) {
			st, err := scanStaff(row)
			if err != nil {
				return st, fmt.Errorf("store: list staff: %w", err)
			}
			return st, nil
		})
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
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff (`+staffColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
				pin_hash = excluded.pin_hash, failed_tries = excluded.failed_tries,
				locked_until = excluded.locked_until, active = excluded.active`,
			st.ID, st.Name, string(st.Role), st.PINHash, st.FailedTries, nanos(st.LockedUntil),
			boolInt(st.Active)); err != nil {
			return fmt.Errorf("store: save staff %s: %w", st.ID, err)
		}
		if a.Subject == "" {
			a.Subject = "staff:" + st.ID
		}
		_, err := s.appendAudit(ctx, tx, a)
		return err
	})
}
