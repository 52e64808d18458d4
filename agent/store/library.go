package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"tradein/agent"
)

// Product returns the cached library entry of the barcode (delisted
// products included, with Status DELISTED), or an error matching
// agent.ErrNotFound. It is one prepared point query on the primary key.
func (s *Store) Product(ctx context.Context, barcode string) (agent.Product, error) {
	var p agent.Product
	var cat string
	var grade, water, filed, snReq int64
	err := s.productStmt.QueryRowContext(ctx, barcode).Scan(&p.Barcode, &p.Name, &p.Brand, &p.Model,
		&cat, &grade, &filed, &snReq, &p.Status, &water)
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("product %s", barcode)
	}
	if err != nil {
		return p, fmt.Errorf("store: product %s: %w", barcode, err)
	}
	p.Category = agent.Category(cat)
	p.EnergyGrade = int(grade)
	p.WaterGrade = int(water)
	p.FiledPriceFen = agent.Fen(filed)
	p.SNRequired = snReq != 0
	return p, nil
}

// LibraryVersion returns the version of the cached library, 0 before the
// first sync.
func (s *Store) LibraryVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.r.QueryRowContext(ctx, `SELECT version FROM library_meta WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: library version: %w", err)
	}
	return v, nil
}

// LibraryProducts returns the number of products in the cache (delisted
// included).
func (s *Store) LibraryProducts(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM products`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count products: %w", err)
	}
	return n, nil
}

// StageLibraryPage appends one page of the delta from version `from` to
// `target` to the staging area and records the token to resume from, in
// one transaction. The first page starts the staged delta; later pages
// must name the same from/target, otherwise the call fails and the caller
// should DiscardLibraryStaging and start over.
func (s *Store) StageLibraryPage(ctx context.Context, from, target int64, items []agent.Product, nextToken string) error {
	if target < from {
		return agent.Errorf(agent.CodeInvalidRequest, "store: library delta from %d to older version %d", from, target)
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		var curFrom, curTarget int64
		err := tx.QueryRowContext(ctx, `SELECT from_version, target FROM library_staging WHERE id = 1`).
			Scan(&curFrom, &curTarget)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO library_staging (id, from_version, target,
				next_token, staged, updated_at) VALUES (1, ?, ?, '', 0, ?)`,
				from, target, nanos(s.clock.Now())); err != nil {
				return fmt.Errorf("store: stage library: %w", err)
			}
		case err != nil:
			return fmt.Errorf("store: stage library: %w", err)
		case curFrom != from || curTarget != target:
			return agent.Errorf(agent.CodeInvalidRequest,
				"store: a library delta %d→%d is already staged; discard it before staging %d→%d",
				curFrom, curTarget, from, target)
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO product_staging (barcode, name, brand, model,
			category, energy_grade, filed_price_fen, sn_required, status, water_grade) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("store: stage library: %w", err)
		}
		defer ins.Close()
		for _, p := range items {
			if p.Barcode == "" {
				return agent.Errorf(agent.CodeInvalidRequest, "store: library page has a product without a barcode")
			}
			status := p.Status
			if status == "" {
				status = agent.ProductActive
			}
			if _, err := ins.ExecContext(ctx, p.Barcode, p.Name, p.Brand, p.Model, string(p.Category),
				p.EnergyGrade, int64(p.FiledPriceFen), boolInt(p.SNRequired), status, p.WaterGrade); err != nil {
				return fmt.Errorf("store: stage product %s: %w", p.Barcode, err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE library_staging SET next_token = ?, staged = staged + ?,
			updated_at = ? WHERE id = 1`, nextToken, len(items), nanos(s.clock.Now()))
		if err != nil {
			return fmt.Errorf("store: stage library: %w", err)
		}
		return nil
	})
}

// LibraryStaging reports an unfinished staged delta, to resume after a
// crash or a lost connection.
func (s *Store) LibraryStaging(ctx context.Context) (agent.LibraryStaging, bool, error) {
	var st agent.LibraryStaging
	err := s.r.QueryRowContext(ctx, `SELECT from_version, target, next_token, staged
		FROM library_staging WHERE id = 1`).Scan(&st.From, &st.Target, &st.NextToken, &st.Staged)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("store: library staging: %w", err)
	}
	return st, true, nil
}

// CommitLibrary applies the staged delta (upserting each staged product in
// arrival order; delisted products stay as rows with status DELISTED),
// sets the library version to target, clears the staging area and appends
// a "library.commit" audit entry, all in one transaction: a reader sees
// the old library or the new one, never a mix. The staged delta must go
// from the current version to target. Committing the current version with
// nothing staged is a no-op.
func (s *Store) CommitLibrary(ctx context.Context, target int64) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		var cur int64
		if err := tx.QueryRowContext(ctx, `SELECT version FROM library_meta WHERE id = 1`).Scan(&cur); err != nil {
			return fmt.Errorf("store: commit library: %w", err)
		}
		var from, stagedTarget, staged int64
		err := tx.QueryRowContext(ctx, `SELECT from_version, target, staged FROM library_staging WHERE id = 1`).
			Scan(&from, &stagedTarget, &staged)
		if errors.Is(err, sql.ErrNoRows) {
			if target == cur {
				return nil
			}
			return agent.Errorf(agent.CodeInvalidRequest, "store: no library delta staged for version %d", target)
		}
		if err != nil {
			return fmt.Errorf("store: commit library: %w", err)
		}
		if stagedTarget != target {
			return agent.Errorf(agent.CodeInvalidRequest, "store: staged library delta targets version %d, not %d", stagedTarget, target)
		}
		if from != cur {
			return agent.Errorf(agent.CodeInvalidRequest,
				"store: staged library delta starts at version %d but the library is at %d; discard it", from, cur)
		}
		// "WHERE true" is SQLite's required disambiguation for an upsert
		// whose source is a SELECT.
		if _, err := tx.ExecContext(ctx, `INSERT INTO products (barcode, name, brand, model, category,
			energy_grade, filed_price_fen, sn_required, status, water_grade)
			SELECT barcode, name, brand, model, category, energy_grade, filed_price_fen, sn_required, status, water_grade
			FROM product_staging WHERE true ORDER BY seq
			ON CONFLICT (barcode) DO UPDATE SET name = excluded.name, brand = excluded.brand,
				model = excluded.model, category = excluded.category,
				energy_grade = excluded.energy_grade, filed_price_fen = excluded.filed_price_fen,
				sn_required = excluded.sn_required, status = excluded.status,
				water_grade = excluded.water_grade`); err != nil {
			return fmt.Errorf("store: apply library delta: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE library_meta SET version = ?, updated_at = ? WHERE id = 1`,
			target, nanos(s.clock.Now())); err != nil {
			return fmt.Errorf("store: set library version: %w", err)
		}
		if err := clearStaging(ctx, tx); err != nil {
			return err
		}
		// The library decides categories, grades and filed prices, so what
		// the terminal subsidised depends on it: its switches are audited.
		_, err = s.appendAudit(ctx, tx, agent.AuditEntry{Action: "library.commit", Subject: "library",
			Detail: fmt.Sprintf("version %d -> %d, %d products changed", cur, target, staged)})
		return err
	})
}

// DiscardLibraryStaging drops a staged delta (e.g. the platform restarted
// its numbering). Discarding nothing is not an error.
func (s *Store) DiscardLibraryStaging(ctx context.Context) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error { return clearStaging(ctx, tx) })
}

func clearStaging(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM product_staging`); err != nil {
		return fmt.Errorf("store: clear library staging: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM library_staging`); err != nil {
		return fmt.Errorf("store: clear library staging: %w", err)
	}
	return nil
}

// SaveRules replaces the cached rule sets. It refuses sets that
// agent.RuleSets.Validate refuses (CodeInvalidRequest), so that a broken
// download never replaces the last good cache. When the sets differ from
// the cached ones (the first ones included), a "rules.update" audit entry
// is appended in the same transaction: the rules decide every subsidy, so
// a change of them is a state change the audit log must show. Saving the
// same sets again (every refresh does) only records the time.
func (s *Store) SaveRules(ctx context.Context, rs agent.RuleSets) error {
	if err := rs.Validate(); err != nil {
		return err
	}
	data, err := json.Marshal(rs)
	if err != nil {
		return fmt.Errorf("store: encode rules: %w", err)
	}
	version := rs.Versions()
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		var oldVersion, oldData string
		err := tx.QueryRowContext(ctx, `SELECT version, data FROM rules WHERE id = 1`).Scan(&oldVersion, &oldData)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: save rules: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rules (id, version, data, saved_at) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data,
				saved_at = excluded.saved_at`, version, string(data), nanos(s.clock.Now())); err != nil {
			return fmt.Errorf("store: save rules: %w", err)
		}
		if oldData == string(data) {
			return nil
		}
		detail := "version " + version
		if oldData != "" {
			detail = fmt.Sprintf("version %s -> %s", oldVersion, version)
		}
		_, err = s.appendAudit(ctx, tx, agent.AuditEntry{Action: "rules.update", Subject: "rules", Detail: detail})
		return err
	})
}

// Rules returns the cached rule sets, or an error matching agent.ErrNotFound
// before the first refresh. A cache written before rule sets existed (one
// agent.Rules object) reads as a list of that one set, named by its
// version, until the next refresh replaces it.
func (s *Store) Rules(ctx context.Context) (agent.RuleSets, error) {
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT data FROM rules WHERE id = 1`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("rules not cached yet")
	}
	if err != nil {
		return nil, fmt.Errorf("store: rules: %w", err)
	}
	if strings.HasPrefix(strings.TrimSpace(data), "{") {
		var r agent.Rules
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return nil, fmt.Errorf("store: decode rules: %w", err)
		}
		if r.ID == "" {
			r.ID = r.Version
		}
		return agent.RuleSets{r}, nil
	}
	var rs agent.RuleSets
	if err := json.Unmarshal([]byte(data), &rs); err != nil {
		return nil, fmt.Errorf("store: decode rules: %w", err)
	}
	return rs, nil
}
