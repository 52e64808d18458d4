package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tradein/agent"
)

const printJobColumns = `id, order_no, kind, reprint, data, state, attempts, last_error, created_at, printed_at`

// EnqueuePrintJob stores a new job. CreatedAt defaults to now and State to
// QUEUED. An ID that exists already is an error.
func (s *Store) EnqueuePrintJob(ctx context.Context, j agent.PrintJob) error {
	if err := s.checkPrintJob(&j); err != nil {
		return err
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error { return insertPrintJobTx(ctx, tx, j) })
}

// checkPrintJob refuses a job without ID and fills in the defaults:
// CreatedAt now, State QUEUED, empty Data.
func (s *Store) checkPrintJob(j *agent.PrintJob) error {
	if j.ID == "" {
		return agent.Errorf(agent.CodeInvalidRequest, "store: print job without ID")
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = s.clock.Now()
	}
	if j.State == "" {
		j.State = agent.PrintQueued
	}
	if j.Data == nil {
		j.Data = []byte{}
	}
	return nil
}

// insertPrintJobTx stores the (checked) job inside tx.
func insertPrintJobTx(ctx context.Context, tx *sql.Tx, j agent.PrintJob) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO print_jobs (`+printJobColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.OrderNo, j.Kind, boolInt(j.Reprint), j.Data, string(j.State), j.Attempts,
		truncate(j.LastError, maxLastError), nanos(j.CreatedAt), nanos(j.PrintedAt)); err != nil {
		return fmt.Errorf("store: enqueue print job %s: %w", j.ID, err)
	}
	return nil
}

// PrintJob returns the job, or an error matching agent.ErrNotFound.
func (s *Store) PrintJob(ctx context.Context, id string) (agent.PrintJob, error) {
	j, err := scanPrintJob(s.r.QueryRowContext(ctx, `SELECT `+printJobColumns+` FROM print_jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, notFound("print job %s", id)
	}
	if err != nil {
		return j, fmt.Errorf("store: print job %s: %w", id, err)
	}
	return j, nil
}

// PrintJobsIn lists the jobs in the given states (all jobs when none is
// given), oldest first.
func (s *Store) PrintJobsIn(ctx context.Context, states ...agent.PrintJobState) ([]agent.PrintJob, error) {
	q := `SELECT ` + printJobColumns + ` FROM print_jobs`
	var args []any
	if len(states) > 0 {
		var in string
		in, args = inList(args, states)
		q += ` WHERE state IN (` + in + `)`
	}
	q += ` ORDER BY created_at, rowid`
	return queryAll(ctx, s.r, "print jobs", q, args, func(row scanner) (agent.PrintJob, error) {
		j, err := scanPrintJob(row)
		if err != nil {
			return j, fmt.Errorf("store: print jobs: %w", err)
		}
		return j, nil
	})
}

// UpdatePrintJob stores the job's new state, attempts, last error, printed
// time and data. The job must exist (agent.ErrNotFound otherwise).
func (s *Store) UpdatePrintJob(ctx context.Context, j agent.PrintJob) error {
	if j.Data == nil {
		j.Data = []byte{}
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, "update", "print job "+j.ID,
			`UPDATE print_jobs SET state = ?, attempts = ?, last_error = ?, printed_at = ?, data = ?,
				reprint = ? WHERE id = ?`,
			string(j.State), j.Attempts, truncate(j.LastError, maxLastError), nanos(j.PrintedAt),
			j.Data, boolInt(j.Reprint), j.ID)
	})
}

func scanPrintJob(row scanner) (agent.PrintJob, error) {
	var j agent.PrintJob
	var reprint int
	var state string
	var created, printed int64
	err := row.Scan(&j.ID, &j.OrderNo, &j.Kind, &reprint, &j.Data, &state, &j.Attempts, &j.LastError,
		&created, &printed)
	j.Reprint = reprint != 0
	j.State = agent.PrintJobState(state)
	j.CreatedAt = fromNanos(created)
	j.PrintedAt = fromNanos(printed)
	return j, err
}
