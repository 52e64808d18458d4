package store

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"tradein/agent"
)

// tamperFixture fills a store the way a day at the till does: two staff,
// three committed sales with their outbox items, one of them delivered.
func tamperFixture(t *testing.T) (*Store, *stepClock) {
	t.Helper()
	ctx := context.Background()
	s, clk := openTest(t)
	hash, err := agent.HashPIN("135790")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []agent.Staff{
		{ID: "mgr-1", Name: "李店长", Role: agent.RoleManager, PINHash: hash, Active: true},
		{ID: "clerk-1", Name: "王店员", Role: agent.RoleClerk, PINHash: hash, Active: true},
	} {
		if err := s.SaveStaff(ctx, st, agent.AuditEntry{Actor: "support", Action: "staff.create"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 3; i++ {
		sale := testSale(i, clk.Now())
		if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
			t.Fatal(err)
		}
	}
	items, err := s.OutboxItems(ctx, 1)
	if err != nil || len(items) != 1 {
		t.Fatalf("outbox: %v %v", items, err)
	}
	if err := s.CompleteOutbox(ctx, items[0].Seq, nil, agent.AuditEntry{Action: "outbox.delivered"}); err != nil {
		t.Fatal(err)
	}
	return s, clk
}

func kinds(fs []TamperFinding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Kind)
	}
	return out
}

func checkTamper(t *testing.T, s *Store) []TamperFinding {
	t.Helper()
	fs, err := s.CheckTamper(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// TestTamperUntouched: the app's own writes (inserts, updates, deliveries,
// staff changes, reopening) never look like tampering.
func TestTamperUntouched(t *testing.T) {
	ctx := context.Background()
	s, clk := tamperFixture(t)
	if fs := checkTamper(t, s); len(fs) != 0 {
		t.Fatalf("findings on an untouched database: %+v", fs)
	}
	// A sale refunded while its commit is queued: the queued item gets
	// its own copy of the sale (detachPayloads) and a new tag.
	clk.Advance(time.Hour)
	refunded := testSale(3, clk.Now())
	refunded.State, refunded.RefundNo, refunded.UpdatedAt = agent.SaleRefunded, "RF-3", clk.Now()
	refundItem := commitItem(t, refunded)
	refundItem.Kind, refundItem.RequestNo = agent.OutboxRefund, "REQ-REFUND-3"
	if err := s.SaveSale(ctx, refunded, agent.AuditEntry{Action: "sale.refund"}, refundItem); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "outbox", "shares_sale = 0"); n != 1 {
		t.Fatalf("detached items: %d", n)
	}
	if fs := checkTamper(t, s); len(fs) != 0 {
		t.Fatalf("findings after a refund of a queued sale: %+v", fs)
	}
	path := s.Path()
	s.Close()
	s2, err := Open(ctx, path, Options{Logger: quiet, Cipher: testCipher(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	sale := testSale(8, time.Now())
	if err := s2.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
		t.Fatal(err)
	}
	if fs := checkTamper(t, s2); len(fs) != 0 {
		t.Fatalf("findings after reopening and writing: %+v", fs)
	}
}

// TestTamperEditsAreNamed makes each edit an outsider made with a SQLite
// tool and checks that CheckTamper names it.
func TestTamperEditsAreNamed(t *testing.T) {
	cases := []struct {
		name string
		sql  string
		want string
	}{
		{"clerk promoted", `UPDATE staff SET role = 'MANAGER' WHERE id = 'clerk-1'`, TamperStaffEdited},
		{"PIN hash replaced", `UPDATE staff SET pin_hash = (SELECT pin_hash FROM staff WHERE id = 'mgr-1') || '' , failed_tries = 1 WHERE id = 'clerk-1'`, TamperStaffEdited},
		{"staff deleted", `DELETE FROM staff WHERE id = 'mgr-1'`, TamperStaffDeleted},
		{"audit tail deleted", `DELETE FROM audit_log WHERE seq > 3`, TamperAuditTailDeleted},
		{"audit log emptied", `DELETE FROM audit_log`, TamperAuditTailDeleted},
		{"sale deleted", `DELETE FROM sales WHERE order_no = 'O-T0001-000003'`, TamperSalesDeleted},
		{"outbox emptied", `DELETE FROM outbox`, TamperOutboxDeleted},
		{"outbox payload replaced", `UPDATE outbox SET payload = CAST('{"final_price_fen":1}' AS BLOB), shares_sale = 0
			WHERE seq = (SELECT MIN(seq) FROM outbox)`, TamperOutboxEdited},
		{"outbox item re-keyed", `UPDATE outbox SET request_no = 'R-OTHER' WHERE seq = (SELECT MAX(seq) FROM outbox)`, TamperOutboxEdited},
		{"seal deleted", `DELETE FROM tamper_seal`, TamperSealMissing},
		{"seal counts edited", `UPDATE tamper_seal SET outbox_rows = 0`, TamperSealEdited},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := tamperFixture(t)
			if _, err := s.w.ExecContext(context.Background(), c.sql); err != nil {
				t.Fatal(err)
			}
			fs := checkTamper(t, s)
			if !slices.Contains(kinds(fs), c.want) {
				t.Fatalf("after %s: findings %+v, want %s", c.sql, fs, c.want)
			}
		})
	}
}

// TestTamperedStaffCannotLogIn: a role set by hand is refused where the
// login reads it, and the row is left out of the staff list.
func TestTamperedStaffCannotLogIn(t *testing.T) {
	ctx := context.Background()
	s, _ := tamperFixture(t)
	if _, err := s.w.ExecContext(ctx, `UPDATE staff SET role = 'MANAGER' WHERE id = 'clerk-1'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Staff(ctx, "clerk-1"); agent.CodeOf(err) != CodeTampered {
		t.Fatalf("Staff of a promoted clerk: %v", err)
	}
	list, err := s.ListStaff(ctx)
	if err != nil || len(list) != 1 || list[0].ID != "mgr-1" {
		t.Fatalf("ListStaff = %+v, %v", list, err)
	}
	if _, err := s.Staff(ctx, "mgr-1"); err != nil {
		t.Fatalf("untouched manager: %v", err)
	}
}

// TestTamperSeenWhileWriting: a tail cut from the chain while the app runs
// is recorded in the seal by the next write, which never seals over it.
func TestTamperSeenWhileWriting(t *testing.T) {
	ctx := context.Background()
	s, clk := tamperFixture(t)
	if _, err := s.w.ExecContext(ctx, `DELETE FROM audit_log WHERE seq > 4`); err != nil {
		t.Fatal(err)
	}
	sale := testSale(9, clk.Now())
	if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
		t.Fatal(err)
	}
	fs := checkTamper(t, s)
	if !slices.Contains(kinds(fs), TamperSealBroken) {
		t.Fatalf("findings %+v, want %s", fs, TamperSealBroken)
	}
}

// TestTamperDatabaseSwappedForOlderCopy: an older copy carries its own
// consistent seal; the head file beside the database gives it away.
func TestTamperDatabaseSwappedForOlderCopy(t *testing.T) {
	ctx := context.Background()
	s, clk := tamperFixture(t)
	old := filepath.Join(t.TempDir(), "old.db")
	if err := s.Backup(ctx, old); err != nil {
		t.Fatal(err)
	}
	sale := testSale(7, clk.Now())
	if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	s.Close()
	b, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	for _, sfx := range []string{"-wal", "-shm"} {
		os.Remove(path + sfx)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, path, Options{Logger: quiet, Cipher: testCipher(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	fs := checkTamper(t, s2)
	if !slices.Contains(kinds(fs), TamperRolledBack) {
		t.Fatalf("findings %+v, want %s", fs, TamperRolledBack)
	}

	// A head file edited by hand is named as such.
	if err := os.WriteFile(HeadFilePath(path), []byte(`{"audit_seq":1,"audit_hash":"x","tag":"y"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if fs := checkTamper(t, s2); !slices.Contains(kinds(fs), TamperHeadFileEdited) {
		t.Fatalf("findings %+v, want %s", fs, TamperHeadFileEdited)
	}
}

// TestRestoreRewritesHeadFile: a restore is not a rollback by an outsider.
func TestRestoreRewritesHeadFile(t *testing.T) {
	ctx := context.Background()
	s, clk := tamperFixture(t)
	old := filepath.Join(t.TempDir(), "old.db")
	if err := s.Backup(ctx, old); err != nil {
		t.Fatal(err)
	}
	sale := testSale(7, clk.Now())
	if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	s.Close()
	if err := Restore(ctx, old, path, Options{Cipher: testCipher(t)}); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, path, Options{Logger: quiet, Cipher: testCipher(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if fs := checkTamper(t, s2); len(fs) != 0 {
		t.Fatalf("findings after a restore: %+v", fs)
	}
}

// TestSealOnUpgrade: a database written before the seal existed is sealed
// as it is when it is upgraded, and edits after that are seen.
func TestSealOnUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "terminal.db")
	migs, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Logger: quiet, Cipher: testCipher(t), Clock: newStepClock()}
	v1, err := openWith(ctx, path, opt, migs[:sealVersion-1])
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := agent.HashPIN("135790")
	// Written as the old program did: no tag column yet.
	if _, err := v1.w.ExecContext(ctx, `INSERT INTO staff (`+staffColumns+`) VALUES ('clerk-1', '王', 'CLERK', ?, 0, 0, 1)`, hash); err != nil {
		t.Fatal(err)
	}
	sale := testSale(1, opt.Clock.Now())
	if err := v1.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
		t.Fatal(err)
	}
	v1.Close()
	s, err := Open(ctx, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if fs := checkTamper(t, s); len(fs) != 0 {
		t.Fatalf("findings right after the upgrade: %+v", fs)
	}
	if st, err := s.Staff(ctx, "clerk-1"); err != nil || st.Role != agent.RoleClerk {
		t.Fatalf("staff after upgrade: %+v %v", st, err)
	}
	if _, err := s.w.ExecContext(ctx, `DELETE FROM outbox`); err != nil {
		t.Fatal(err)
	}
	if fs := checkTamper(t, s); !slices.Contains(kinds(fs), TamperOutboxDeleted) {
		t.Fatalf("findings %+v", fs)
	}
}
