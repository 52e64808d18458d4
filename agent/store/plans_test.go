package store

import (
	"context"
	"strings"
	"testing"
)

// TestQueryPlansUseIndexes guards the point queries of the hot paths: each
// must be an index search, never a table scan, or a 1,000,000-product
// library and years of sales would make the checkout slow.
func TestQueryPlansUseIndexes(t *testing.T) {
	s, _ := openTest(t)
	cases := []struct {
		query string
		args  []any
		want  string
	}{
		{`SELECT barcode, name FROM products WHERE barcode = ?`, []any{"6901234567892"}, "USING PRIMARY KEY (barcode=?)"},
		{`SELECT data FROM sales WHERE order_no = ?`, []any{"O1"}, "USING INDEX sqlite_autoindex_sales_1 (order_no=?)"},
		{`SELECT data FROM sales WHERE sn IN (?, ?) ORDER BY created_at DESC`, []any{"SN1", "sn1"}, "USING INDEX sales_sn (sn=?)"},
		{`SELECT data FROM sales WHERE cref = ? AND created_at >= ? ORDER BY created_at DESC`, []any{"C", 0}, "USING INDEX sales_cref (cref=? AND created_at>?)"},
		{`SELECT data FROM sales WHERE voucher_id = ? ORDER BY created_at DESC`, []any{"V"}, "USING INDEX sales_voucher (voucher_id=?)"},
		{`SELECT data FROM sales WHERE barcode = ? AND created_at >= ? ORDER BY created_at DESC`, []any{"B", 0}, "USING INDEX sales_barcode (barcode=? AND created_at>?)"},
		{`SELECT data FROM sales WHERE ticket_no = ? AND ticket_no <> '' ORDER BY created_at DESC LIMIT 1`, []any{"T"}, "USING INDEX sales_ticket (ticket_no=?)"},
		{`SELECT data FROM sales WHERE state IN (?) ORDER BY created_at DESC, order_no DESC`, []any{"REVIEW"}, "USING INDEX sales_state (state=?)"},
		{`SELECT data FROM sales WHERE created_at >= ? AND created_at < ? ORDER BY created_at DESC, order_no DESC`, []any{0, 1}, "USING INDEX sales_created_at (created_at>? AND created_at<?)"},
		{`SELECT ticket_no FROM pickups WHERE ticket_no = ?`, []any{"T"}, "USING COVERING INDEX sqlite_autoindex_pickups_2 (ticket_no=?)"},
		{`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`, nil, "SCAN audit_log"}, // rowid order: reads one row from the end
	}
	for _, c := range cases {
		rows, err := s.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+c.query, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		got := strings.Join(plan, " | ")
		if !strings.Contains(got, c.want) {
			t.Errorf("%s\n  plan: %s\n  want: %s", c.query, got, c.want)
		}
	}
}
