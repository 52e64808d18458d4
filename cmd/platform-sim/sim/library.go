package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"tradein/agent"
)

// UpsertProducts adds or changes library products (a delisting is a
// change to status DELISTED) as one new library version, and returns it.
// Terminals receive the rows in their next delta. Tests and demos use it
// to publish catalogue changes.
func (s *Server) UpsertProducts(ctx context.Context, ps ...agent.Product) (int64, error) {
	for _, p := range ps {
		if err := agent.ValidateGTIN(p.Barcode); err != nil {
			return 0, err
		}
		if p.Status != agent.ProductActive && p.Status != agent.ProductDelisted {
			return 0, fmt.Errorf("product %s: status %q", p.Barcode, p.Status)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var v string
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaLibraryVersion).Scan(&v); err != nil {
		return 0, err
	}
	cur, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("library version %q: %w", v, err)
	}
	next := cur + 1
	for _, p := range ps {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO products VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Barcode, p.Name, p.Brand, p.Model, string(p.Category), p.EnergyGrade, int64(p.FiledPriceFen), p.SNRequired, p.Status, next); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = ?", strconv.FormatInt(next, 10), metaLibraryVersion); err != nil {
		return 0, err
	}
	return next, tx.Commit()
}

// SetRules replaces the rule sets served by GET /v1/rules and applied to
// every later check (each sale by the set in force at its transaction
// time). It refuses sets agent.RuleSets.Validate refuses, as the terminal
// would.
func (s *Server) SetRules(ctx context.Context, r agent.RuleSets) error {
	if err := r.Validate(); err != nil {
		return err
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err = s.db.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = ?", raw, metaRules)
	return err
}

// Rules returns every rule set.
func (s *Server) Rules(ctx context.Context) (agent.RuleSets, error) { return s.rulesNoCall(ctx) }
