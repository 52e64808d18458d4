package sim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"tradein/agent"
)

// syntheticRowsPerInsert batches rows into one INSERT: about 20x faster
// than one statement per row, and under SQLite's 32766-parameter limit.
const syntheticRowsPerInsert = 500

// ensureSynthetic makes sure the library holds n generated products (for
// library-sync benchmarks). Barcodes are 699 + a 9-digit serial + check
// digit; categories, brands and prices cycle. It adds only the missing
// rows, in one transaction, as one new library version, so a terminal
// synced before downloads exactly the added rows as one delta.
func ensureSynthetic(ctx context.Context, db *sql.DB, n int) error {
	if n > 999_999_999 {
		return fmt.Errorf("synthetic products: %d is more than the 699 barcode range holds", n)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	have := 0
	var v string
	switch err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaSyntheticCount).Scan(&v); {
	case err == nil:
		have, _ = strconv.Atoi(v)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if have >= n {
		return nil
	}
	var cur string
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaLibraryVersion).Scan(&cur); err != nil {
		return err
	}
	current, err := strconv.ParseInt(cur, 10, 64)
	if err != nil {
		return fmt.Errorf("library version %q: %w", cur, err)
	}
	version := strconv.FormatInt(current+1, 10)
	cats := voucherCategories
	brands := []string{"Haier", "Midea", "Gree", "Hisense", "TCL", "Huawei", "Xiaomi", "Lenovo"}
	var sb strings.Builder
	args := make([]any, 0, syntheticRowsPerInsert*9)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, sb.String(), args...)
		sb.Reset()
		args = args[:0]
		return err
	}
	for i := have; i < n; i++ {
		if len(args) == 0 {
			sb.WriteString("INSERT INTO products (barcode, name, brand, model, category, energy_grade, filed_price_fen, sn_required, status, version) VALUES ")
		} else {
			sb.WriteString(",")
		}
		sb.WriteString("(?,?,?,?,?,?,?,?,'" + agent.ProductActive + "'," + version + ")")
		cat := cats[i%len(cats)]
		brand := brands[i%len(brands)]
		grade := 0
		if i%len(cats) < 12 { // the appliance categories come first
			grade = 1 + i%2
		}
		model := fmt.Sprintf("SYN-%09d", i)
		args = append(args, syntheticBarcode(i), brand+" "+model+" 合成测试商品", brand, model, string(cat), grade,
			int64(agent.Yuan(int64(999+i%5000))), i%len(cats) >= 12)
		if len(args) == syntheticRowsPerInsert*8 {
			if err := flush(); err != nil {
				return fmt.Errorf("synthetic products: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("synthetic products: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", metaSyntheticCount, strconv.Itoa(n)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = ?", version, metaLibraryVersion); err != nil {
		return err
	}
	return tx.Commit()
}

// syntheticBarcode is the i-th synthetic GTIN-13: "699", i in 9 digits,
// and the GS1 check digit.
func syntheticBarcode(i int) string {
	d := fmt.Sprintf("699%09d", i)
	return d + string(rune('0'+gtinCheckDigit(d)))
}

// gtinCheckDigit computes the GS1 mod-10 check digit of the digits d
// (weights 3 and 1 from the right).
func gtinCheckDigit(d string) int {
	sum := 0
	for i := 0; i < len(d); i++ {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 0 {
			n *= 3
		}
		sum += n
	}
	return (10 - sum%10) % 10
}
