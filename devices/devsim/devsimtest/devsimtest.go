// Package devsimtest starts devsim's virtual scanner and printer for tests
// of other packages, the way simtest starts the reference platform. Import
// it only from _test.go files.
package devsimtest

import (
	"path/filepath"
	"testing"

	"tradein/devices/devsim"
	"tradein/devices/escpos"
)

// Devices are a virtual scanner and an 80 mm virtual printer, each on a
// pseudo-terminal reached through a stable symlink.
type Devices struct {
	Scanner *devsim.ScannerSim
	Printer *devsim.PrinterSim
}

// Start opens both under the test's temp dir (links "scanner" and
// "printer") and closes them when the test ends. receipts is where the
// printer writes each receipt as .txt, .png and .bin; "" keeps them in
// memory only (WaitPrinted sees them either way).
func Start(tb testing.TB, receipts string) Devices {
	tb.Helper()
	dir := tb.TempDir()
	sc, err := devsim.NewScanner(devsim.ScannerConfig{Link: filepath.Join(dir, "scanner")})
	if err != nil {
		tb.Fatalf("devsim scanner: %v", err)
	}
	tb.Cleanup(func() { sc.Close() })
	pr, err := devsim.NewPrinter(devsim.PrinterConfig{Link: filepath.Join(dir, "printer"), Width: escpos.Width80, OutDir: receipts})
	if err != nil {
		tb.Fatalf("devsim printer: %v", err)
	}
	tb.Cleanup(func() { pr.Close() })
	return Devices{Scanner: sc, Printer: pr}
}
