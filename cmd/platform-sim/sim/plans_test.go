package sim

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestProductPagePlans guards the query plans of the product pages: each
// page must be one range read of the products_version index, in index
// order (no temporary sort), and a later page must start its range at the
// token's row value. When the planner ranges on the version alone, every
// page walks the rows of all the pages before it and a million-product
// sync turns quadratic (see queryProductPage).
func TestProductPagePlans(t *testing.T) {
	ctx := context.Background()
	srv, err := Open(ctx, Config{DBPath: filepath.Join(t.TempDir(), "p.db"), Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, tc := range []struct {
		name, query, want string
		args              []any
	}{
		{"first page", firstProductPageSQL, "USING INDEX products_version (version>? AND version<?)", []any{0, 5, 100}},
		{"next page", nextProductPageSQL, "USING INDEX products_version ((version,barcode)>(?,?) AND version<?)", []any{1, "6901234567892", 5, 100}},
	} {
		rows, err := srv.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+tc.query, tc.args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notUsed int
			var detail string
			if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		got := strings.Join(plan, "; ")
		if !strings.Contains(got, tc.want) || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%s: plan %q, want %q without a temporary sort", tc.name, got, tc.want)
		}
	}
}
