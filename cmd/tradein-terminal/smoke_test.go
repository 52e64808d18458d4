package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/cmd/tradein-terminal/wiring"
)

// TestSmokeSale drives one sale end to end through the real window, the
// way a clerk does with a scanner and a keyboard only: log in by keyboard,
// scan the consumer code, the product and the serial number through
// devsim's scanner pseudo-terminal, type the price and the payment
// reference, commit. It then checks that the receipt arrived at devsim's
// printer, takes a screenshot (a test artifact), stops the app with
// SIGTERM and checks in the app's database that the sale is committed.
func TestSmokeSale(t *testing.T) {
	requireX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d := startXvfb(t)
	w := newWorld(t)
	a := w.startApp(t, d)
	win, err := d.windowOf(ctx, a.cmd.Process.Pid)
	if err != nil {
		t.Fatalf("%v\napp output:\n%s", err, a.output.String())
	}
	shots := artifactDir(t)
	stamp := time.Now().Format("20060102-150405")
	shot := func(name string) {
		p := filepath.Join(shots, fmt.Sprintf("smoke-sale-%s-%s.png", stamp, name))
		if err := d.screenshot(ctx, p); err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			return
		}
		t.Logf("screenshot: %s", p)
	}
	c := clerk{tb: t, ctx: ctx, d: d, w: w}
	c.focus(win)
	shot("1-login")
	c.login()
	shot("2-sale")
	c.sell(sale{sn: "SNSMOKE00001", price: "3999", payRef: "POS-SMOKE-1"}, func() { shot("3-confirmed") })

	pctx, pcancel := context.WithTimeout(ctx, 30*time.Second)
	printed, err := w.printer.WaitPrinted(pctx, 1)
	pcancel()
	shot("4-done")
	if err != nil {
		t.Fatalf("no receipt at devsim's printer: %v\napp output:\n%s", err, a.output.String())
	}
	text := strings.Join(printed[0].Lines, "\n")
	if !strings.Contains(text, "500.00") {
		t.Errorf("receipt does not show the ¥500.00 subsidy:\n%s", text)
	}
	if err := a.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, a.output.String())
	}

	// The app's database, read after it exited.
	sales := committedSales(t, w.dataDir)
	if len(sales) != 1 || sales[0].FinalPriceFen != agent.Yuan(3999) || sales[0].SubsidyFen != agent.Yuan(500) {
		t.Fatalf("committed sales: %+v", sales)
	}
	if !strings.Contains(text, sales[0].OrderNo) {
		t.Errorf("receipt does not show order %s:\n%s", sales[0].OrderNo, text)
	}
}

// committedSales opens the app's database with its field key and lists
// the committed sales.
func committedSales(t *testing.T, dataDir string) []agent.Sale {
	t.Helper()
	l := wiring.NewLayout(dataDir)
	key, err := agent.LoadOrCreateKey(l.FieldKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := agent.NewFieldCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), l.DB, store.Options{Cipher: c})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sales, err := st.Sales(context.Background(), agent.SaleFilter{States: []agent.SaleState{agent.SaleCommitted}})
	if err != nil {
		t.Fatal(err)
	}
	return sales
}
