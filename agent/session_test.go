package agent_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"tradein/agent"
	"tradein/agent/store"
)

func TestLoginLockoutAfterFiveWrongPINs(t *testing.T) {
	f := newFixture(t)
	for i := 1; i < agent.MaxPINFailures; i++ {
		_, err := f.term.Login(f.ctx, "C1", "9999")
		wantCode(t, err, agent.CodeWrongPIN)
	}
	st, _ := f.store.Staff(f.ctx, "C1")
	if st.FailedTries != agent.MaxPINFailures-1 {
		t.Fatalf("failed tries counted in the store: %d", st.FailedTries)
	}
	_, err := f.term.Login(f.ctx, "C1", "9999")
	wantCode(t, err, agent.CodeLockedOut)
	// Locked: even the right PIN is refused.
	_, err = f.term.Login(f.ctx, "C1", "1234")
	wantCode(t, err, agent.CodeLockedOut)
	f.clock.Advance(agent.PINLockout - time.Second)
	_, err = f.term.Login(f.ctx, "C1", "1234")
	wantCode(t, err, agent.CodeLockedOut)
	f.clock.Advance(time.Second)
	s, err := f.term.Login(f.ctx, "C1", "1234")
	if err != nil {
		t.Fatal(err)
	}
	if s.Staff().PINHash != "" {
		t.Fatal("session exposes the PIN hash")
	}
	if st, _ := f.store.Staff(f.ctx, "C1"); st.FailedTries != 0 {
		t.Fatalf("failures not reset after a good login: %d", st.FailedTries)
	}

	entries, err := f.store.AuditEntries(f.ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var failed, locked int
	for _, e := range entries {
		if strings.Contains(e.Detail, "1234") || strings.Contains(e.Detail, "9999") {
			t.Fatalf("audit entry %q carries a PIN", e.Detail)
		}
		switch e.Action {
		case "staff.login_failed":
			failed++
		case "staff.locked_out":
			locked++
		}
	}
	if failed < agent.MaxPINFailures-1 || locked != 1 {
		t.Fatalf("audit: %d failures, %d lockouts", failed, locked)
	}
}

func TestLoginUnknownAndInactiveLookLikeWrongPIN(t *testing.T) {
	f := newFixture(t)
	_, err := f.term.Login(f.ctx, "NOBODY", "1234")
	wantCode(t, err, agent.CodeWrongPIN)
	mgr := f.login("M1")
	if err := mgr.SetStaffActive(f.ctx, "C1", false); err != nil {
		t.Fatal(err)
	}
	_, err = f.term.Login(f.ctx, "C1", "1234")
	wantCode(t, err, agent.CodeWrongPIN)
	list, err := f.term.StaffList(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.ID == "C1" || s.PINHash != "" {
			t.Fatalf("staff list shows %s (hash %q)", s.ID, s.PINHash)
		}
	}
	if err := mgr.SetStaffActive(f.ctx, "M1", false); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("deactivating oneself: %v", err)
	}
}

func TestRolesGateEveryAction(t *testing.T) {
	f := newFixture(t)
	clerk, recycler, mgr, support := f.login("C1"), f.login("R1"), f.login("M1"), f.login("F1")
	sale, _ := f.sell(mgr, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})

	denied := []struct {
		name string
		call func() error
	}{
		{"clerk refunds", func() error { _, err := clerk.Refund(f.ctx, sale.OrderNo, "x"); return err }},
		{"clerk reads the review list", func() error { _, err := clerk.ReviewList(f.ctx); return err }},
		{"clerk reads the daily report", func() error { _, err := clerk.DailyReport(f.ctx, f.clock.Now()); return err }},
		{"clerk adds staff", func() error { _, err := clerk.AddStaff(f.ctx, "x", agent.RoleClerk, "1234"); return err }},
		{"clerk records a pickup", func() error { _, err := clerk.RecordPickup(f.ctx, agent.Pickup{}, nil); return err }},
		{"recycler sells", func() error { _, err := recycler.NewSale(f.ctx); return err }},
		{"recycler reprints", func() error { _, err := recycler.Reprint(f.ctx, sale.OrderNo); return err }},
		{"recycler refunds", func() error { _, err := recycler.Refund(f.ctx, sale.OrderNo, "x"); return err }},
		{"support sells", func() error { _, err := support.NewSale(f.ctx); return err }},
		{"support resets a PIN", func() error { return support.ResetPIN(f.ctx, "C1", "5678") }},
		{"manager after logout", func() error {
			m2 := f.login("M1")
			m2.Logout()
			_, err := m2.Sales(f.ctx, agent.SaleFilter{})
			return err
		}},
	}
	for _, d := range denied {
		err := d.call()
		if agent.CodeOf(err) != agent.CodePermission {
			t.Errorf("%s: %v, want PERMISSION_DENIED", d.name, err)
		}
	}
	if !clerk.Can(agent.ActSell) || clerk.Can(agent.ActRefund) || !recycler.Can(agent.ActPickup) || recycler.Can(agent.ActSell) ||
		!mgr.Can(agent.ActRefund) || mgr.Can(agent.ActSupport) || !support.Can(agent.ActSupport) {
		t.Fatal("Can disagrees with the role table")
	}
	// A sale in progress stops when its clerk logs out.
	d, err := clerk.NewSale(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	clerk.Logout()
	_, err = d.SetConsumerCode(f.ctx, f.code(agent.CatFridge))
	wantCode(t, err, agent.CodePermission)

	// A paid sale is still committed after an (idle) logout.
	c2 := f.login("C1")
	paid := f.prepare(c2, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})
	paid.Confirm(f.ctx)
	if _, err := paid.SetPaymentRef(f.ctx, "P-9"); err != nil {
		t.Fatal(err)
	}
	c2.Logout()
	if s, _, err := paid.Commit(f.ctx); err != nil || s.State != agent.SaleCommitted {
		t.Fatalf("commit after logout: %v %v", s.State, err)
	}
}

func TestStaffAdmin(t *testing.T) {
	f := newFixture(t)
	mgr := f.login("M1")
	_, err := mgr.AddStaff(f.ctx, "新员工", agent.RoleClerk, "12")
	wantCode(t, err, agent.CodeOf(agent.ValidatePIN("12")))
	st, err := mgr.AddStaff(f.ctx, "新员工", agent.RoleClerk, "24680")
	if err != nil {
		t.Fatal(err)
	}
	if st.ID == "" || st.PINHash != "" || !st.Active {
		t.Fatalf("added %+v", st)
	}
	if _, err := f.term.Login(f.ctx, st.ID, "24680"); err != nil {
		t.Fatal(err)
	}
	// Lock the new clerk out, then a PIN reset lifts the lock.
	for i := 0; i < agent.MaxPINFailures; i++ {
		f.term.Login(f.ctx, st.ID, "00000")
	}
	_, err = f.term.Login(f.ctx, st.ID, "24680")
	wantCode(t, err, agent.CodeLockedOut)
	if err := mgr.ResetPIN(f.ctx, st.ID, "13579"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.term.Login(f.ctx, st.ID, "13579"); err != nil {
		t.Fatalf("login after reset: %v", err)
	}
	wantCode(t, mgr.ResetPIN(f.ctx, "NOBODY", "13579"), agent.CodeNotFound)

	// A deactivated member drops out of the login picker but stays in the
	// manager's list, so they can be re-enabled later.
	if err := mgr.SetStaffActive(f.ctx, st.ID, false); err != nil {
		t.Fatal(err)
	}
	picker, err := f.term.StaffList(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range picker {
		if p.ID == st.ID {
			t.Fatalf("login picker lists the deactivated %s", st.ID)
		}
	}
	all, err := mgr.AllStaff(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var listed bool
	for _, a := range all {
		if a.PINHash != "" {
			t.Fatalf("AllStaff leaks the PIN hash of %s", a.ID)
		}
		if a.ID == st.ID {
			listed = !a.Active
		}
	}
	if !listed || len(all) != len(picker)+1 {
		t.Fatalf("AllStaff %+v does not list %s as inactive next to the %d active", all, st.ID, len(picker))
	}
	clerk := f.login("C1")
	_, err = clerk.AllStaff(f.ctx)
	wantCode(t, err, agent.CodePermission)

	acts := strings.Join(f.auditActions(), ",")
	if !strings.Contains(acts, "staff.add") || !strings.Contains(acts, "staff.pin_reset") {
		t.Fatalf("audit %s", acts)
	}
}

// TestLoginAnswersUnknownIDsLikeRealOnes: wrong PINs for a real ID and for
// IDs that do not exist (or are disabled) get the same answers in the same
// order, lockout included, so the login screen does not tell who exists.
func TestLoginAnswersUnknownIDsLikeRealOnes(t *testing.T) {
	f := newFixture(t)
	mgr := f.login("M1")
	if err := mgr.SetStaffActive(f.ctx, "R1", false); err != nil {
		t.Fatal(err)
	}
	answers := func(id string) []string {
		var out []string
		for i := 0; i < agent.MaxPINFailures+1; i++ {
			_, err := f.term.Login(f.ctx, id, "9999")
			out = append(out, string(agent.CodeOf(err))+": "+err.Error())
		}
		return out
	}
	real := answers("C1")
	for _, id := range []string{"NOBODY", "R1"} {
		got := answers(id)
		if strings.Join(got, "\n") != strings.Join(real, "\n") {
			t.Fatalf("answers for %s:\n%s\nanswers for a real ID:\n%s", id, strings.Join(got, "\n"), strings.Join(real, "\n"))
		}
	}
	for _, a := range real {
		if strings.Contains(a, "left") {
			t.Fatalf("answer tells how many tries are left: %s", a)
		}
	}
	// The lockout of an unknown ID ends like a real one's.
	f.clock.Advance(agent.PINLockout)
	_, err := f.term.Login(f.ctx, "NOBODY", "9999")
	wantCode(t, err, agent.CodeWrongPIN)
}

// TestLoginRefusesAStaffRecordEditedOutsideTheApp: a clerk promoted to
// manager with a SQLite tool cannot log in at all (and so cannot reset
// the manager's PIN); the untouched manager still can.
func TestLoginRefusesAStaffRecordEditedOutsideTheApp(t *testing.T) {
	ctx := context.Background()
	ci, err := agent.NewFieldCipher(bytes.Repeat([]byte{3}, agent.FieldKeySize))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "terminal.db")
	s, err := store.Open(ctx, path, store.Options{Cipher: ci, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hash, _ := agent.HashPIN("2468")
	for _, st := range []agent.Staff{
		{ID: "C1", Name: "张三", Role: agent.RoleClerk, PINHash: hash, Active: true},
		{ID: "M1", Name: "王五", Role: agent.RoleManager, PINHash: hash, Active: true},
	} {
		if err := s.SaveStaff(ctx, st, agent.AuditEntry{Action: "staff.create"}); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE staff SET role = 'MANAGER' WHERE id = 'C1'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	term, err := agent.NewTerminal(agent.Deps{Store: s, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = term.Login(ctx, "C1", "2468")
	wantCode(t, err, agent.CodeTampered)
	if sess, err := term.Login(ctx, "M1", "2468"); err != nil || sess.Staff().Role != agent.RoleManager {
		t.Fatalf("manager login: %v", err)
	}
}

// TestLoginUpgradesOldPINHash: a PIN hash made with older, cheaper argon2id
// parameters is replaced on the next successful login by one with the
// current parameters, which still verifies the same PIN; a wrong PIN
// leaves it alone.
func TestLoginUpgradesOldPINHash(t *testing.T) {
	f := newFixture(t)
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("1234"), salt, 1, 8*1024, 1, 32)
	old := fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=1$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	st, err := f.store.Staff(f.ctx, "C1")
	if err != nil {
		t.Fatal(err)
	}
	st.PINHash = old
	if err := f.store.SaveStaff(f.ctx, st, agent.AuditEntry{At: f.clock.Now(), Actor: "test", Action: "test.old_hash", Subject: "C1"}); err != nil {
		t.Fatal(err)
	}

	_, err = f.term.Login(f.ctx, "C1", "9999")
	wantCode(t, err, agent.CodeWrongPIN)
	if st, _ := f.store.Staff(f.ctx, "C1"); st.PINHash != old {
		t.Fatal("a wrong PIN changed the stored hash")
	}

	if _, err := f.term.Login(f.ctx, "C1", "1234"); err != nil {
		t.Fatalf("login with an old-parameter hash: %v", err)
	}
	st, err = f.store.Staff(f.ctx, "C1")
	if err != nil {
		t.Fatal(err)
	}
	if st.PINHash == old || agent.PINNeedsRehash(st.PINHash) {
		t.Fatalf("hash not upgraded on login: %q", st.PINHash)
	}
	if !agent.VerifyPIN(st.PINHash, "1234") {
		t.Fatal("upgraded hash does not verify the PIN")
	}
	if _, err := f.term.Login(f.ctx, "C1", "1234"); err != nil {
		t.Fatalf("login after the upgrade: %v", err)
	}
}
