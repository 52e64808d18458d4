package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"tradein/agent"
)

func TestSaveSaleRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	sale := testSale(1, clk.Now())
	sale.TradeIn = &agent.TradeIn{TicketNo: "TI2026030100001", Category: agent.CatFridge, Brand: "美的",
		Model: "OLD-1", Condition: "WORN", PriceFen: agent.Yuan(150)}
	sale.Warnings = []agent.Warning{{Code: "SN_SEEN_BEFORE", Detail: "seen 1 time"}}
	if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Sale(ctx, sale.OrderNo)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(sale.CreatedAt) || !got.UpdatedAt.Equal(sale.UpdatedAt) {
		t.Fatalf("times changed: %v %v", got.CreatedAt, got.UpdatedAt)
	}
	got.CreatedAt, got.UpdatedAt = sale.CreatedAt, sale.UpdatedAt
	if !reflect.DeepEqual(got, sale) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, sale)
	}
	byTicket, err := s.SaleByTicket(ctx, "TI2026030100001")
	if err != nil || byTicket.OrderNo != sale.OrderNo {
		t.Fatalf("SaleByTicket = %v, %v", byTicket.OrderNo, err)
	}
	if n := count(t, s, "trade_ins", "ticket_no = ? AND order_no = ?", "TI2026030100001", sale.OrderNo); n != 1 {
		t.Fatalf("trade_ins rows = %d", n)
	}

	// Update: same order, new state; still one row, and a second audit entry.
	clk.Advance(time.Minute)
	sale.State = agent.SaleRefunded
	sale.UpdatedAt = clk.Now()
	sale.RefundNo = "RF-1"
	if err := s.SaveSale(ctx, sale, agent.AuditEntry{Action: "sale.refund"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Sale(ctx, sale.OrderNo)
	if got.State != agent.SaleRefunded || got.RefundNo != "RF-1" {
		t.Fatalf("after update: %s %q", got.State, got.RefundNo)
	}
	if n := count(t, s, "sales", ""); n != 1 {
		t.Fatalf("sales rows = %d", n)
	}
	entries, err := s.AuditEntries(ctx, 0, 10)
	if err != nil || len(entries) != 2 || entries[1].Subject != sale.OrderNo || entries[1].Actor != "system" {
		t.Fatalf("audit entries = %+v, %v", entries, err)
	}
	if _, err := s.Sale(ctx, "nope"); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("missing sale: %v", err)
	}
	if _, err := s.SaleByTicket(ctx, "TI-nope"); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("missing ticket: %v", err)
	}

	// Another sale with the same ticket number is refused, whole: the
	// ticket stays with the first sale and the second is not written.
	other := testSale(2, clk.Now())
	other.TradeIn = &agent.TradeIn{TicketNo: "TI2026030100001", Category: agent.CatTV, Condition: "GOOD"}
	if err := s.SaveSale(ctx, other, auditFor(other), commitItem(t, other)); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("second sale with the same ticket: %v", err)
	}
	if n := count(t, s, "trade_ins", "ticket_no = ? AND order_no = ? AND category = ?",
		"TI2026030100001", sale.OrderNo, string(agent.CatFridge)); n != 1 {
		t.Fatal("the ticket was handed to another sale")
	}
	if _, err := s.Sale(ctx, other.OrderNo); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("the refused sale was written: %v", err)
	}
}

func TestSaveSaleRefusesIncompleteSale(t *testing.T) {
	s, clk := openTest(t)
	ctx := context.Background()
	for name, sale := range map[string]agent.Sale{
		"no order": {State: agent.SaleCommitted, CreatedAt: clk.Now()},
		"no state": {OrderNo: "O1", CreatedAt: clk.Now()},
		"no time":  {OrderNo: "O1", State: agent.SaleCommitted},
	} {
		if err := s.SaveSale(ctx, sale, agent.AuditEntry{Action: "sale.commit"}); agent.CodeOf(err) != agent.CodeInvalidRequest {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	sale := testSale(1, clk.Now())
	if err := s.SaveSale(ctx, sale, agent.AuditEntry{}); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Errorf("audit without action: err = %v", err)
	}
	if n := count(t, s, "sales", ""); n != 0 {
		t.Fatalf("%d sales written", n)
	}
}

// TestSaveSaleIsOneTransaction makes the last write of SaveSale (the
// outbox insert) fail and checks that neither the sale nor its audit entry
// was written.
func TestSaveSaleIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	first := testSale(1, clk.Now())
	if err := s.SaveSale(ctx, first, auditFor(first), commitItem(t, first)); err != nil {
		t.Fatal(err)
	}
	second := testSale(2, clk.Now())
	item := commitItem(t, second)
	item.RequestNo = first.RequestNo // duplicate idempotency key: the insert fails
	err := s.SaveSale(ctx, second, auditFor(second), item)
	if err == nil {
		t.Fatal("SaveSale with a duplicate request_no succeeded")
	}
	if _, err := s.Sale(ctx, second.OrderNo); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("the sale was written despite the failed outbox insert: %v", err)
	}
	if n := count(t, s, "audit_log", "subject = ?", second.OrderNo); n != 0 {
		t.Fatalf("%d audit entries written despite the failed outbox insert", n)
	}
	if n := count(t, s, "outbox", ""); n != 1 {
		t.Fatalf("outbox rows = %d, want 1", n)
	}
	if strings.Contains(err.Error(), secretAuthCode) || strings.Contains(err.Error(), secretPhone) {
		t.Fatalf("error text carries personal data: %v", err)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n != 1 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}
	// The chain goes on from the last committed entry.
	if err := s.SaveSale(ctx, second, auditFor(second), commitItem(t, second)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n != 2 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}
}

func TestSalesQueries(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	start := clk.Now()
	var all []agent.Sale
	for i := 0; i < 20; i++ {
		sale := testSale(i, clk.Now())
		if i%4 == 0 {
			sale.State = agent.SaleReview
		}
		if i%5 == 0 {
			sale.Product.Category = agent.CatPhone
		}
		if i == 7 {
			sale.SN = "SN_WITH%WILD"
		}
		if err := s.SaveSale(ctx, sale, auditFor(sale)); err != nil {
			t.Fatal(err)
		}
		all = append(all, sale)
		clk.Advance(time.Hour)
	}
	orders := func(ss []agent.Sale) []string {
		var o []string
		for _, x := range ss {
			o = append(o, x.OrderNo)
		}
		return o
	}
	check := func(name string, got []agent.Sale, err error, want ...int) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var w []string
		for _, i := range want {
			w = append(w, all[i].OrderNo)
		}
		if !reflect.DeepEqual(orders(got), w) {
			t.Fatalf("%s = %v, want %v", name, orders(got), w)
		}
	}

	got, err := s.Sales(ctx, agent.SaleFilter{})
	if err != nil || len(got) != 20 || got[0].OrderNo != all[19].OrderNo {
		t.Fatalf("all sales: %d, %v", len(got), err)
	}
	got, err = s.Sales(ctx, agent.SaleFilter{From: start.Add(2 * time.Hour), To: start.Add(5 * time.Hour)})
	check("time window", got, err, 4, 3, 2)
	got, err = s.Sales(ctx, agent.SaleFilter{States: []agent.SaleState{agent.SaleReview}})
	check("review", got, err, 16, 12, 8, 4, 0)
	got, err = s.Sales(ctx, agent.SaleFilter{Category: agent.CatPhone, States: []agent.SaleState{agent.SaleCommitted, agent.SaleReview}})
	check("phones", got, err, 15, 10, 5, 0)
	got, err = s.Sales(ctx, agent.SaleFilter{Limit: 2})
	check("limit", got, err, 19, 18)
	got, err = s.Sales(ctx, agent.SaleFilter{Query: "-000013"})
	check("query order", got, err, 13)
	got, err = s.Sales(ctx, agent.SaleFilter{Query: "N_WITH%W"})
	check("query wildcards are literal", got, err, 7)
	got, err = s.Sales(ctx, agent.SaleFilter{Query: "%"})
	check("query percent", got, err, 7)

	got, err = s.SalesBySN(ctx, all[3].SN)
	check("by SN", got, err, 3)
	got, err = s.SalesByConsumer(ctx, "CREF-3", start.Add(4*time.Hour))
	check("by consumer", got, err, 17, 10)
	got, err = s.SalesByVoucher(ctx, all[9].Consumer.VoucherID)
	check("by voucher", got, err, 9)
	got, err = s.SalesOfBarcode(ctx, all[2].Product.Barcode, start)
	check("by barcode", got, err, 2)
	for _, empty := range []func() ([]agent.Sale, error){
		func() ([]agent.Sale, error) { return s.SalesBySN(ctx, "") },
		func() ([]agent.Sale, error) { return s.SalesByConsumer(ctx, "", start) },
		func() ([]agent.Sale, error) { return s.SalesByVoucher(ctx, "") },
	} {
		if got, err := empty(); err != nil || len(got) != 0 {
			t.Fatalf("empty key matched %d sales, %v", len(got), err)
		}
	}
}

// TestSealedFieldsNotInFile checks the database file bytes (WAL included)
// never contain the auth code or the phone, while reads return them.
func TestSealedFieldsNotInFile(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	for i := 0; i < 3; i++ {
		sale := testSale(i, clk.Now())
		item := commitItem(t, sale)
		if i == 2 { // a payload that is not the sale is stored on its own
			sale.PaymentRef = "changed after the payload was made"
		}
		if err := s.SaveSale(ctx, sale, auditFor(sale), item); err != nil {
			t.Fatal(err)
		}
	}
	// The records and payloads as stored. Records are compressed, so a
	// value in clear would not show in the file as it is: look inside.
	stored := func(q string) [][]byte {
		t.Helper()
		rows, err := s.r.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out [][]byte
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			js, err := unpackRecord(b)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, js)
		}
		return out
	}
	records := stored(`SELECT data FROM sales`)
	payloads := stored(`SELECT payload FROM outbox WHERE shares_sale = 0`)
	if len(records) != 3 || len(payloads) != 1 {
		t.Fatalf("%d records, %d payloads of their own", len(records), len(payloads))
	}
	for _, js := range append(records, payloads...) {
		var doc struct {
			Consumer struct {
				AuthCode string `json:"auth_code"`
				Phone    string `json:"phone"`
			} `json:"consumer"`
		}
		if err := json.Unmarshal(js, &doc); err != nil {
			t.Fatal(err)
		}
		for field, v := range map[string]string{"auth_code": doc.Consumer.AuthCode, "phone": doc.Consumer.Phone} {
			if !strings.HasPrefix(v, "v1:") {
				t.Fatalf("stored consumer.%s is not sealed", field)
			}
		}
		if bytes.Contains(js, []byte(secretAuthCode)) || bytes.Contains(js, []byte(secretPhone)) {
			t.Fatal("a stored record holds a sensitive value in clear")
		}
	}
	got, err := s.Sale(ctx, testSale(1, clk.Now()).OrderNo)
	if err != nil || got.Consumer.AuthCode != secretAuthCode || got.Consumer.Phone != secretPhone {
		t.Fatalf("sealed fields did not open: %v", err)
	}
	items, err := s.OutboxItems(ctx, 0)
	if err != nil || len(items) != 3 {
		t.Fatalf("outbox: %d, %v", len(items), err)
	}
	if !bytes.Contains(items[0].Payload, []byte(secretAuthCode)) || !bytes.Contains(items[0].Payload, []byte(secretPhone)) {
		t.Fatalf("outbox payload did not open: %s", items[0].Payload)
	}
	assertNotInFiles := func() {
		t.Helper()
		files, _ := filepath.Glob(s.Path() + "*") // db, -wal, -shm
		if len(files) == 0 {
			t.Fatal("no database files")
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{secretAuthCode, secretPhone} {
				if bytes.Contains(b, []byte(secret)) {
					t.Fatalf("%s contains a sensitive value in clear", filepath.Base(f))
				}
			}
		}
	}
	assertNotInFiles()
	// And after a checkpoint moved everything into the main file.
	if _, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	assertNotInFiles()
	backup := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(backup)
	if bytes.Contains(b, []byte(secretPhone)) || bytes.Contains(b, []byte(secretAuthCode)) {
		t.Fatal("backup contains a sensitive value in clear")
	}
}

func TestOpenRequiresCipher(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), Options{Logger: quiet})
	if agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("Open without cipher: %v", err)
	}
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), Options{Logger: quiet, AllowPlaintextForTests: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// TestWrongKeyFailsClearly: a store opened with another key cannot read
// sealed fields, and says so without leaking anything.
func TestWrongKeyFailsClearly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(ctx, path, Options{Logger: quiet, Cipher: testCipher(t)})
	if err != nil {
		t.Fatal(err)
	}
	sale := testSale(1, time.Now())
	if err := s.SaveSale(ctx, sale, auditFor(sale)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	other, _ := agent.NewFieldCipher(bytes.Repeat([]byte{7}, 32))
	s, err = Open(ctx, path, Options{Logger: quiet, Cipher: other})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Sale(ctx, sale.OrderNo)
	if err == nil || !strings.Contains(err.Error(), "wrong key file") {
		t.Fatalf("read with the wrong key: %v", err)
	}
}

// TestConcurrentWritersAndReaders: many goroutines commit sales while
// others read; the single write connection means no SQLITE_BUSY.
func TestConcurrentWritersAndReaders(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	const writers, perWriter = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter+4)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				sale := testSale(w*1000+i, clk.Now())
				if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	stop := make(chan struct{})
	var rg sync.WaitGroup
	for r := 0; r < 4; r++ {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Pending(ctx); err != nil {
					errs <- err
					return
				}
				if _, err := s.Sales(ctx, agent.SaleFilter{Limit: 5}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := count(t, s, "sales", ""); n != writers*perWriter {
		t.Fatalf("sales = %d", n)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n != writers*perWriter {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}
}

// TestSaveSaleRefusesIllegalMove: a save that would move the stored sale
// along no edge of the state machine (a writer that read the sale before
// another one changed it) is refused whole; a save in the same state is an
// update, not a move.
func TestSaveSaleRefusesIllegalMove(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	sale := testSale(1, clk.Now())
	if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
		t.Fatal(err)
	}
	stale := sale // read by the sync drainer while COMMITTED

	refunded := sale
	refunded.State, refunded.RefundNo = agent.SaleRefunded, "RF-1"
	if err := s.SaveSale(ctx, refunded, agent.AuditEntry{Action: "sale.refund"}); err != nil {
		t.Fatal(err)
	}
	stale.State = agent.SaleReview
	item := commitItem(t, stale)
	item.RequestNo = "REQ-LATE"
	err := s.SaveSale(ctx, stale, agent.AuditEntry{Action: "sale.review"}, item)
	if agent.CodeOf(err) != agent.CodeIllegalState {
		t.Fatalf("REFUNDED saved as REVIEW: %v", err)
	}
	got, err := s.Sale(ctx, sale.OrderNo)
	if err != nil || got.State != agent.SaleRefunded || got.RefundNo != "RF-1" {
		t.Fatalf("stored sale after the refused save: %s %q, %v", got.State, got.RefundNo, err)
	}
	if n := count(t, s, "audit_log", "action = 'sale.review'"); n != 0 {
		t.Fatal("the refused save left an audit entry")
	}
	if n := count(t, s, "outbox", "request_no = 'REQ-LATE'"); n != 0 {
		t.Fatal("the refused save left an outbox row")
	}
	// The same state again (a note on a refunded sale) is an update.
	refunded.ReviewNote = "checked"
	if err := s.SaveSale(ctx, refunded, agent.AuditEntry{Action: "review.resolve"}); err != nil {
		t.Fatal(err)
	}
}

// TestSalesBySNIgnoresCase: the SN is looked up in its upper-case form, and
// a sale saved in lower case before SNs were normalised is found too.
func TestSalesBySNIgnoresCase(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	legacy := testSale(1, clk.Now())
	legacy.SN = "sncase000001"
	normal := testSale(2, clk.Now())
	normal.SN = "SNCASE000002"
	for _, sale := range []agent.Sale{legacy, normal} {
		if err := s.SaveSale(ctx, sale, auditFor(sale)); err != nil {
			t.Fatal(err)
		}
	}
	for sn, want := range map[string]string{
		"SNCASE000001": legacy.OrderNo, "sncase000001": legacy.OrderNo,
		"sncase000002": normal.OrderNo, " SNCASE000002 ": normal.OrderNo,
	} {
		got, err := s.SalesBySN(ctx, sn)
		if err != nil || len(got) != 1 || got[0].OrderNo != want {
			t.Errorf("SalesBySN(%q) = %d sales, %v; want %s", sn, len(got), err, want)
		}
	}
}
