package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// scanner is what *sql.Row and *sql.Rows share: one row's Scan.
type scanner interface{ Scan(dest ...any) error }

// queryAll runs q on db and returns one value per row, made by scan.
// Errors of the query itself are wrapped as "store: <what>: …"; scan's
// errors are returned as they are, so scan names what failed.
func queryAll[T any](ctx context.Context, db queryer, what, q string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// inList returns "?, ?, …" with one placeholder per value, for IN (…),
// and appends the values to args.
func inList[T ~string](args []any, values []T) (string, []any) {
	ph := make([]string, len(values))
	for i, v := range values {
		ph[i] = "?"
		args = append(args, string(v))
	}
	return strings.Join(ph, ", "), args
}

// execOne runs statement q in tx, which must change one row. When it
// changes none, execOne returns an error matching agent.ErrNotFound that
// names what ("outbox item 7"); other errors are wrapped as
// "store: <verb> <what>: …".
func execOne(ctx context.Context, tx *sql.Tx, verb, what, q string, args ...any) error {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: %s %s: %w", verb, what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s %s: %w", verb, what, err)
	}
	if n == 0 {
		return notFound("%s", what)
	}
	return nil
}
