package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"tradein/agent"
)

// bom is the UTF-8 byte-order mark. Excel opens a CSV as the system's
// ANSI code page (GBK on Chinese Windows) unless the file starts with it.
const bom = "\ufeff"

// SalesCSV writes sales as a CSV table with a header row.
func SalesCSV(w io.Writer, sales []agent.Sale, o Options) error {
	cw, flush := newCSV(w)
	if err := writeSales(cw, sales, o); err != nil {
		return err
	}
	return flush()
}

// DailyCSV writes the daily report as CSV in three blocks separated by an
// empty line: the totals, the totals by category, and the day's sales.
func DailyCSV(w io.Writer, r agent.DailyReport, sales []agent.Sale, o Options) error {
	cw, flush := newCSV(w)
	rows := [][]string{title(o, r.Day), {"项目", "数值"}}
	for _, t := range totals(r) {
		rows = append(rows, []string{t.label, t.value()})
	}
	rows = append(rows, nil, categoryHeader)
	for _, c := range r.ByCategory {
		rows = append(rows, []string{cell(o.category(c.Category)), strconv.Itoa(c.Sales), Yuan(c.FinalFen), Yuan(c.SubsidyFen)})
	}
	rows = append(rows, nil, []string{"销售明细"})
	for _, row := range rows {
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("export: write daily CSV: %w", err)
		}
	}
	if err := writeSales(cw, sales, o); err != nil {
		return err
	}
	return flush()
}

// newCSV starts a CSV on w with the byte-order mark; flush completes it.
// Lines end in CRLF, as Excel writes them.
func newCSV(w io.Writer) (*csv.Writer, func() error) {
	bw := bufio.NewWriter(w)
	bw.WriteString(bom) // a bufio error is sticky and reported by Flush
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	return cw, func() error {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("export: write CSV: %w", err)
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("export: write CSV: %w", err)
		}
		return nil
	}
}

func writeSales(cw *csv.Writer, sales []agent.Sale, o Options) error {
	if err := cw.Write(saleHeader); err != nil {
		return fmt.Errorf("export: write CSV header: %w", err)
	}
	for i, s := range sales {
		row := saleRow(o, s)
		for j := range row {
			if !saleMoneyCols[j] {
				row[j] = cell(row[j])
			}
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("export: write CSV row %d: %w", i+1, err)
		}
		o.progress(i+1, len(sales))
	}
	return nil
}

// cell defuses text a spreadsheet would run as a formula (CSV injection):
// a typed refund reason such as "=HYPERLINK(…)" gets a leading apostrophe,
// which Excel hides and treats as "this is text".
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
