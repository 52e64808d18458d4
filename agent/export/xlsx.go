package export

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"tradein/agent"
)

// Sheet names of the workbooks.
const (
	sheetReport = "日报"
	sheetSales  = "销售明细"
)

// numFmt2 is Excel's built-in number format "0.00".
const numFmt2 = 2

// SalesXLSX writes sales as a workbook with one sheet, 销售明细. Amounts
// are numeric cells formatted with two decimals (see decimalNumber).
func SalesXLSX(w io.Writer, sales []agent.Sale, o Options) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetSales); err != nil {
		return fmt.Errorf("export: name sheet: %w", err)
	}
	money, err := moneyStyle(f)
	if err != nil {
		return err
	}
	if err := writeSalesSheet(f, sheetSales, sales, o, money); err != nil {
		return err
	}
	return save(f, w)
}

// DailyXLSX writes the daily report as a workbook: sheet 日报 holds the
// totals and the totals by category, sheet 销售明细 the day's sales.
func DailyXLSX(w io.Writer, r agent.DailyReport, sales []agent.Sale, o Options) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetReport); err != nil {
		return fmt.Errorf("export: name sheet: %w", err)
	}
	if _, err := f.NewSheet(sheetSales); err != nil {
		return fmt.Errorf("export: add sheet: %w", err)
	}
	money, err := moneyStyle(f)
	if err != nil {
		return err
	}
	x := &sheetWriter{f: f, sheet: sheetReport, money: money}
	x.texts(1, title(o, r.Day))
	x.texts(2, []string{"项目", "数值"})
	row := 3
	for _, t := range totals(r) {
		x.text(1, row, t.label)
		if t.money {
			x.amount(2, row, t.amount)
		} else {
			x.number(2, row, t.count)
		}
		row++
	}
	row++
	x.texts(row, categoryHeader)
	for _, c := range r.ByCategory {
		row++
		x.text(1, row, o.category(c.Category))
		x.number(2, row, c.Sales)
		x.amount(3, row, c.FinalFen)
		x.amount(4, row, c.SubsidyFen)
	}
	if x.err == nil {
		x.err = f.SetColWidth(sheetReport, "A", "D", 18)
	}
	if x.err != nil {
		return fmt.Errorf("export: write report sheet: %w", x.err)
	}
	if err := writeSalesSheet(f, sheetSales, sales, o, money); err != nil {
		return err
	}
	return save(f, w)
}

func moneyStyle(f *excelize.File) (int, error) {
	id, err := f.NewStyle(&excelize.Style{NumFmt: numFmt2})
	if err != nil {
		return 0, fmt.Errorf("export: money style: %w", err)
	}
	return id, nil
}

// writeSalesSheet streams the sales into sheet with excelize's
// StreamWriter, which keeps rows on disk instead of in memory: 100,000 rows
// took 850 MB and 11 s through the cell API.
func writeSalesSheet(f *excelize.File, sheet string, sales []agent.Sale, o Options, money int) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("export: stream sales sheet: %w", err)
	}
	if err := sw.SetColWidth(1, 2, 22); err != nil {
		return fmt.Errorf("export: sales sheet columns: %w", err)
	}
	header := make([]any, len(saleHeader))
	for i, h := range saleHeader {
		header[i] = h
	}
	if err := sw.SetRow("A1", header); err != nil {
		return fmt.Errorf("export: sales sheet header: %w", err)
	}
	row := make([]any, len(saleHeader))
	for i, s := range sales {
		for j, v := range saleRow(o, s) {
			if !saleMoneyCols[j] {
				row[j] = v
				continue
			}
			n, err := decimalNumber(v)
			if err != nil {
				return err
			}
			row[j] = excelize.Cell{StyleID: money, Value: n}
		}
		ref, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return fmt.Errorf("export: sales row %d: %w", i+1, err)
		}
		if err := sw.SetRow(ref, row); err != nil {
			return fmt.Errorf("export: write sales row %d: %w", i+1, err)
		}
		o.progress(i+1, len(sales))
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("export: finish sales sheet: %w", err)
	}
	return nil
}

// decimalNumber hands a yuan decimal computed from integer fen ("3000.01")
// to the stream writer, which takes numbers only as Go numeric types. The
// float64 is a carrier, not arithmetic: the stream writer prints it with
// strconv's shortest round-trip form, which gives back exactly the decimal
// it was parsed from for every amount below 10^13 yuan (15 significant
// digits); FuzzDecimalNumber checks this.
func decimalNumber(decimal string) (float64, error) {
	v, err := strconv.ParseFloat(decimal, 64)
	if err != nil {
		return 0, fmt.Errorf("export: amount %q: %w", decimal, err)
	}
	return v, nil
}

func save(f *excelize.File, w io.Writer) error {
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("export: write XLSX: %w", err)
	}
	return nil
}

// sheetWriter writes cells of one sheet and keeps the first error, so
// that the layout code reads as a list of cells.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	money int // style id of amount cells
	err   error
}

func (x *sheetWriter) ref(col, row int) string {
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil && x.err == nil {
		x.err = err
	}
	return name
}

func (x *sheetWriter) text(col, row int, v string) {
	if x.err == nil {
		x.err = x.f.SetCellStr(x.sheet, x.ref(col, row), v)
	}
}

func (x *sheetWriter) texts(row int, vs []string) {
	for i, v := range vs {
		x.text(i+1, row, v)
	}
}

func (x *sheetWriter) number(col, row, v int) {
	if x.err == nil {
		x.err = x.f.SetCellInt(x.sheet, x.ref(col, row), int64(v))
	}
}

// amount writes fen as a numeric yuan cell with two decimals.
func (x *sheetWriter) amount(col, row int, v agent.Fen) { x.raw(col, row, Yuan(v)) }

// raw writes a decimal string as a numeric cell: SetCellDefault stores
// the digits as they are (the report sheet is small enough for the cell
// API, so its amounts never pass through a float at all).
func (x *sheetWriter) raw(col, row int, decimal string) {
	if x.err != nil {
		return
	}
	ref := x.ref(col, row)
	if x.err = x.f.SetCellDefault(x.sheet, ref, decimal); x.err == nil {
		x.err = x.f.SetCellStyle(x.sheet, ref, ref, x.money)
	}
}
