package ui

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"tradein/agent"
	"tradein/ui/i18n"
)

// TestPrintFailedKeepsTheSale: when the receipt cannot be queued the sale
// is still committed; the wizard says so with what to do, and the next sale
// can start. A failed job in the spooler shows in the status bar, whose
// button opens the printer-problem dialog with retry and skip.
func TestPrintFailedKeepsTheSale(t *testing.T) {
	f := newFixture(t)
	m := f.open()
	f.login("C1", "1234")
	f.printer.SetBroken(true)

	f.scan(f.code(agent.CatPhone), 1)
	f.scan(phone.Barcode, 1)
	sn := imei("86012345678903")
	f.platform.SetSN(sn, agent.SNSellable)
	f.scan(sn, 1)
	f.typeText("3999")
	f.key(fyne.KeyReturn)
	f.wait(2)
	f.typeText("POS-0003")
	f.key(fyne.KeyReturn)
	f.wait(1)
	sales, err := f.store.Sales(f.ctx, agent.SaleFilter{})
	if err != nil || len(sales) != 1 || sales[0].State != agent.SaleCommitted {
		t.Fatalf("sale after a print failure: %+v %v", sales, err)
	}
	f.mustShow(i18n.T("sale.committed", sales[0].OrderNo))
	f.mustShow(i18n.T("sale.print_retry"))

	// A job the spooler could not print: the status bar counts it and its
	// button opens the dialog, where the clerk retries it.
	f.printer.SetBroken(false)
	job, err := f.printer.PrintReceipt(f.ctx, agent.Receipt{Kind: agent.ReceiptSale, Sale: &sales[0], Reprint: true})
	if err != nil {
		t.Fatal(err)
	}
	j, err := f.store.PrintJob(f.ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	j.State, j.LastError = agent.PrintFailed, "paper out"
	if err := f.store.UpdatePrintJob(f.ctx, j); err != nil {
		t.Fatal(err)
	}
	f.refreshStatus()
	if m.status.failed.Text != i18n.T("status.failed", 1) {
		t.Fatalf("status bar failed count %q", m.status.failed.Text)
	}
	f.tapButton(i18n.T("status.failed", 1))
	f.mustShow(i18n.T("print.choose_hint"))
	f.mustShow(sales[0].OrderNo)
}

// TestLanguageSwitchKeepsTheSale switches to English in the middle of a
// sale: the visible screen is rebuilt in English and the sale goes on.
func TestLanguageSwitchKeepsTheSale(t *testing.T) {
	f := newFixture(t)
	m := f.open()
	f.mustShow(i18n.T("login.title"))
	f.login("C1", "1234")
	f.scan(f.code(agent.CatFridge), 1)
	f.scan(fridge.Barcode, 1)
	f.tapButton(i18n.T("app.lang"))
	t.Cleanup(func() { i18n.SetLang(i18n.ZH) })
	if i18n.Current() != i18n.EN {
		t.Fatal("language did not switch")
	}
	f.mustShow("Sale")
	f.mustShow("Category: Refrigerator") // the rules' English name
	if f.shows("销售") {
		t.Fatalf("Chinese left on screen: %q", f.texts())
	}
	if m.sale == nil || m.tabs.Selected().Content != m.sale.Content() {
		t.Fatal("the sale screen is not on top after the switch")
	}
	f.mustShow(i18n.T("sale.ti.hint"))
}

// TestUIImports keeps the boundary of docs/ARCHITECTURE.md: the screens reach the
// agent's API only, never the store, devices, sync or Fyne's app package
// (which needs cgo and a display).
func TestUIImports(t *testing.T) {
	banned := []string{"tradein/agent/store", "tradein/devices", "tradein/sync", "fyne.io/fyne/v2/app", "database/sql", "net/http"}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, b := range banned {
				if p == b || strings.HasPrefix(p, b+"/") {
					t.Errorf("%s imports %s", path, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestScansGoOnlyToTheScreenOnTop: the main window reads the scan stream
// only while the sale or pickup screen is shown, so a scan made on another
// screen (the support screen's test scan reads the stream itself) waits in
// the terminal's buffer instead of being taken.
func TestScansGoOnlyToTheScreenOnTop(t *testing.T) {
	f := newFixture(t)
	m := f.open()
	f.login("M1", "1234")
	manager := -1
	for i, title := range f.tabTitles() {
		if title == i18n.T("nav.manager") {
			manager = i
		}
	}
	m.tabs.SelectIndex(manager)
	f.term.HandleScan(agent.ScanEvent{Value: fridge.Barcode})
	if n := len(f.term.Scans()); n != 1 {
		t.Fatalf("%d scans waiting, want the one no screen on top takes", n)
	}
	// Back on the sale screen the waiting scan is taken and shown.
	m.tabs.SelectIndex(0)
	f.wait(1)
	f.mustShow("海尔 BCD-500")
}

// TestNoRulesYet: before the first rules refresh the status bar says so
// and the first scan of a sale is refused with the reason and what to do.
func TestNoRulesYet(t *testing.T) {
	f := newFixtureRules(t, false)
	m := f.open()
	f.login("C1", "1234")
	f.refreshStatus()
	if m.status.library.Text != i18n.T("status.rules_missing") {
		t.Fatalf("status bar library: %q", m.status.library.Text)
	}
	f.scan(f.code(agent.CatFridge), 1)
	f.mustShow(i18n.T("sale.start_failed", i18n.Error(&agent.Error{Code: agent.CodeRulesMissing})))
}
