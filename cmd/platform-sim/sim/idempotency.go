package sim

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"tradein/agent"
	"tradein/sync/api"
)

// Idempotency scopes: a top-level mutating request, or one batch item.
const (
	scopeRequest = "request"
	scopeItem    = "item"
)

// answer is an HTTP answer as sent (and as stored for replays).
type answer struct {
	status   int
	envelope []byte
	replayed bool // served from the idempotency record
}

// fingerprint identifies a request's content: the endpoint and the
// canonical JSON of the decoded body (so whitespace does not matter).
func fingerprint(endpoint string, v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(endpoint))
	h.Write([]byte{0})
	h.Write(raw)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// answerOf builds the answer for data or err. ok is false when err is not
// a contract error (an internal failure), which is never stored.
func answerOf(data any, err error) (answer, bool) {
	if err != nil {
		var ae *agent.Error
		if !errors.As(err, &ae) || ae.Code == agent.CodeInternal {
			return answer{}, false
		}
		code := contractCode(ae.Code)
		msg := ae.Detail
		if code != ae.Code {
			msg = ae.Error() // keep the terminal-side code in the message
		}
		if msg == "" {
			msg = string(code)
		}
		raw, _ := json.Marshal(api.Envelope{Code: string(code), Message: msg})
		return answer{status: api.HTTPStatus(code), envelope: raw}, true
	}
	d, mErr := json.Marshal(data)
	if mErr != nil {
		return answer{}, false
	}
	raw := encodeEnvelope(api.Envelope{Code: api.CodeOK, Message: "success", Data: d})
	return answer{status: http.StatusOK, envelope: raw}, true
}

// contractCode maps the agent's terminal-side validation codes (which
// agent.ComputeSubsidy and agent.CheckSaleRules return) to the contract's
// INVALID_REQUEST; contract codes pass through.
func contractCode(c agent.Code) agent.Code {
	if api.IsErrorCode(c) {
		return c
	}
	return agent.CodeInvalidRequest
}

// lookupAnswer returns the stored answer of (terminal, scope, requestNo):
// found=false when there is none; IDEMPOTENCY_CONFLICT when it was stored
// for a different body.
func lookupAnswer(ctx context.Context, q querier, terminalNo, scope, requestNo, fp string) (a answer, found bool, err error) {
	var storedFP string
	err = q.QueryRowContext(ctx, `SELECT body_sha256, status, response FROM idempotency
		WHERE terminal_no = ? AND scope = ? AND request_no = ?`, terminalNo, scope, requestNo).
		Scan(&storedFP, &a.status, &a.envelope)
	if errors.Is(err, sql.ErrNoRows) {
		return answer{}, false, nil
	}
	if err != nil {
		return answer{}, false, fmt.Errorf("idempotency lookup: %w", err)
	}
	if storedFP != fp {
		return answer{}, false, agent.Errorf(agent.CodeIdempotencyConflict,
			"request_no %s was already used with a different request body", requestNo)
	}
	a.replayed = true
	return a, true, nil
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func storeAnswer(ctx context.Context, q querier, terminalNo, scope, requestNo, fp string, a answer, now int64) error {
	_, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO idempotency
		(terminal_no, scope, request_no, body_sha256, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		terminalNo, scope, requestNo, fp, a.status, a.envelope, now)
	if err != nil {
		return fmt.Errorf("idempotency store: %w", err)
	}
	return nil
}

// idempotent runs op exactly once per (terminal, scope, requestNo): under
// s.mu, in one transaction with the stored answer (see idempotentTx).
func (s *Server) idempotent(ctx context.Context, terminalNo, scope, requestNo, fp string, op func(tx querier) (any, error)) (answer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var a answer
	err := s.writeTx(ctx, func(tx querier) error {
		var err error
		a, err = idempotentTx(ctx, tx, terminalNo, scope, requestNo, fp, s.clock.Now().Unix(), op)
		return err
	})
	return a, err
}

// writeTx runs fn in one transaction whose queries go through the
// statement cache, and commits it when fn succeeds. The caller holds s.mu.
func (s *Server) writeTx(ctx context.Context, fn func(tx querier) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(cachedTx{tx: tx, stmts: s.stmts}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// idempotentTx runs op once per (terminal, scope, requestNo) inside the
// caller's transaction tx, which must be serialised with every other
// writer (s.mu). A replay with the same fingerprint returns the stored
// answer without running op; a different fingerprint is
// IDEMPOTENCY_CONFLICT. op runs inside a savepoint: when it fails with a
// contract code its writes are rolled back and the refusal itself is
// stored, so a replay is refused the same way. An internal failure stores
// nothing and returns the error (the caller rolls tx back).
func idempotentTx(ctx context.Context, tx querier, terminalNo, scope, requestNo, fp string, now int64, op func(tx querier) (any, error)) (answer, error) {
	if a, found, err := lookupAnswer(ctx, tx, terminalNo, scope, requestNo, fp); err != nil || found {
		return a, err
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT idempotent_op"); err != nil {
		return answer{}, fmt.Errorf("savepoint: %w", err)
	}
	data, opErr := op(tx)
	a, ok := answerOf(data, opErr)
	if !ok {
		if opErr == nil {
			opErr = errors.New("encode answer")
		}
		return answer{}, opErr
	}
	if opErr != nil {
		// Undo the effects, keep only the refusal.
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO idempotent_op"); err != nil {
			return answer{}, fmt.Errorf("rollback to savepoint: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "RELEASE idempotent_op"); err != nil {
		return answer{}, fmt.Errorf("release savepoint: %w", err)
	}
	if err := storeAnswer(ctx, tx, terminalNo, scope, requestNo, fp, a, now); err != nil {
		return answer{}, err
	}
	return a, nil
}
