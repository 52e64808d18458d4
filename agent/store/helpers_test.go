package store

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tradein/agent"
)

// quiet drops the store's log lines (migrations), which would otherwise
// interleave with benchmark result lines and confuse cmd/benchtable.
var quiet = slog.New(slog.DiscardHandler)

// testKey is a fixed field-cipher key for tests (and the crash child).
var testKey = []byte("0123456789abcdef0123456789abcdef")

func newTestCipher() (*agent.FieldCipher, error) { return agent.NewFieldCipher(testKey) }

func testCipher(t testing.TB) *agent.FieldCipher {
	t.Helper()
	c, err := newTestCipher()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// stepClock is a clock that moves only when told to.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func newStepClock() *stepClock {
	return &stepClock{now: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// openTest opens a store with the real field cipher in a temp dir.
func openTest(t testing.TB) (*Store, *stepClock) {
	t.Helper()
	clk := newStepClock()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "terminal.db"),
		Options{Logger: quiet, Cipher: testCipher(t), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clk
}

// Sensitive test values: they must never appear in clear in the file.
const (
	secretAuthCode = "TIQ1.eyJ2aWQiOiJWLVNFQ1JFVC0wMDEiLCJjcmVmIjoiQ1JFRi0xIn0.c2lnbmF0dXJlLXNlY3JldA"
	secretPhone    = "13812345678"
)

// testSale returns a realistic committed sale numbered i.
func testSale(i int, at time.Time) agent.Sale {
	s := agent.Sale{
		OrderNo:    fmt.Sprintf("O-T0001-%06d", i),
		TerminalNo: "T0001",
		StaffID:    "clerk-1",
		State:      agent.SaleCommitted,
		CreatedAt:  at,
		UpdatedAt:  at,
		Consumer: agent.Consumer{
			AuthCode:  secretAuthCode,
			VoucherID: fmt.Sprintf("V-%06d", i),
			CRef:      fmt.Sprintf("CREF-%d", i%7),
			Region:    "110105",
			Signed:    true,
			Masked:    "138****5678",
			Phone:     secretPhone,
		},
		Product: agent.Product{
			Barcode: fmt.Sprintf("69%011d", i%50), Name: "海尔冰箱 BCD-500", Brand: "海尔",
			Model: "BCD-500WLHTD", Category: agent.CatFridge, EnergyGrade: 1,
			FiledPriceFen: agent.Yuan(5999), Status: agent.ProductActive,
		},
		SN:            fmt.Sprintf("SN%08d", i),
		FinalPriceFen: agent.Yuan(4999),
		SubsidyFen:    99980,
		PayFen:        agent.Yuan(4999) - 99980,
		RequestNo:     fmt.Sprintf("R-T0001-%06d", i),
		FrozenNo:      fmt.Sprintf("F-%06d", i),
		PaymentRef:    fmt.Sprintf("PAY-%06d", i),
	}
	return s
}

// commitItem is the outbox item of a committed online sale.
func commitItem(t testing.TB, s agent.Sale) agent.OutboxItem {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return agent.OutboxItem{Kind: agent.OutboxSaleCommit, RequestNo: s.RequestNo, OrderNo: s.OrderNo, Payload: b}
}

func auditFor(s agent.Sale) agent.AuditEntry {
	return agent.AuditEntry{Actor: s.StaffID, Action: "sale.commit", Subject: s.OrderNo, Detail: "state=" + string(s.State)}
}

// count returns SELECT COUNT(*) FROM table WHERE cond.
func count(t testing.TB, s *Store, table, cond string, args ...any) int {
	t.Helper()
	q := "SELECT COUNT(*) FROM " + table
	if cond != "" {
		q += " WHERE " + cond
	}
	var n int
	if err := s.r.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
