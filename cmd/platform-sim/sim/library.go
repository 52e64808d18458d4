package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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
			return 0, agent.Errorf(agent.CodeInvalidRequest, "product %q: %v", p.Barcode, err)
		}
		if p.Status != agent.ProductActive && p.Status != agent.ProductDelisted {
			return 0, agent.Errorf(agent.CodeInvalidRequest, "product %s: status %q", p.Barcode, p.Status)
		}
		if !agent.ValidCategoryCode(p.Category) {
			return 0, agent.Errorf(agent.CodeInvalidRequest, "product %s: category code %q is not 1..32 of [a-z0-9_]", p.Barcode, p.Category)
		}
		if p.EnergyGrade < 0 || p.EnergyGrade > 5 || p.WaterGrade < 0 || p.WaterGrade > 5 || p.FiledPriceFen < 0 || p.Name == "" {
			return 0, agent.Errorf(agent.CodeInvalidRequest, "product %s: grade 0..5, a filed price ≥ 0 and a name are required", p.Barcode)
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
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO products (barcode, name, brand, model, category, energy_grade,
			filed_price_fen, sn_required, status, version, water_grade) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Barcode, p.Name, p.Brand, p.Model, string(p.Category), p.EnergyGrade, int64(p.FiledPriceFen), p.SNRequired, p.Status, next,
			p.WaterGrade); err != nil {
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

// SetPause pauses (p != nil) or resumes (p == nil) category cat of the
// rule set setID, or the whole set when cat is "": what a platform does
// when a region's funds for a category run out, or an audit stops a
// campaign. Sales under a paused set are refused with CAMPAIGN_CLOSED, in
// a paused category with CATEGORY_PAUSED; terminals learn of it on their
// next rules refresh or from the refusal of a try.
func (s *Server) SetPause(ctx context.Context, setID string, cat agent.Category, p *agent.Pause) error {
	sets, err := s.rulesNoCall(ctx)
	if err != nil {
		return err
	}
	// Decoded sets share slices with the cache: change a copy.
	sets = slices.Clone(sets)
	i := slices.IndexFunc(sets, func(r agent.Rules) bool { return r.ID == setID })
	if i < 0 {
		return agent.Errorf(agent.CodeNotFound, "no rule set %q", setID)
	}
	if cat == "" {
		sets[i].Paused = p
		return s.SetRules(ctx, sets)
	}
	sets[i].Categories = slices.Clone(sets[i].Categories)
	j := slices.IndexFunc(sets[i].Categories, func(c agent.CategoryRule) bool { return c.Category == cat })
	if j < 0 {
		return agent.Errorf(agent.CodeNotFound, "rule set %s has no category %q", setID, cat)
	}
	sets[i].Categories[j].Paused = p
	return s.SetRules(ctx, sets)
}

// FrozenSN returns the SN a freeze was made with ("" for none), for tests
// that commit a freeze they did not make themselves.
func (s *Server) FrozenSN(ctx context.Context, frozenNo string) (string, error) {
	var sn string
	err := s.db.QueryRowContext(ctx, "SELECT sn FROM freezes WHERE frozen_no = ?", frozenNo).Scan(&sn)
	return sn, err
}
