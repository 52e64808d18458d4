package agenttest

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/store"
)

// PIN is the PIN of every seeded staff member.
const PIN = "1234"

// pinHash is hashed once per test binary: argon2id is slow on purpose.
var pinHash = sync.OnceValues(func() (string, error) { return agent.HashPIN(PIN) })

// StoreOptions says what OpenStore seeds.
type StoreOptions struct {
	Clock  agent.Clock  // nil: the store's own wall clock
	Logger *slog.Logger // nil: the store's default logger
	// Rules, when set, are saved as the terminal's cached rule sets; nil
	// leaves the store as before its first rules refresh.
	Rules agent.RuleSets
	// Products are committed as library version LibraryVersion (1 when 0);
	// none leaves the library empty.
	Products       []agent.Product
	LibraryVersion int64
	// Staff are saved active with PIN.
	Staff []agent.Staff
}

// OpenStore opens a real SQLite store in t.TempDir(), seeds it as o says
// and closes it when the test ends.
func OpenStore(t testing.TB, o StoreOptions) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "terminal.db"),
		store.Options{AllowPlaintextForTests: true, Clock: o.Clock, Logger: o.Logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if o.Rules != nil {
		if err := st.SaveRules(ctx, o.Rules); err != nil {
			t.Fatal(err)
		}
	}
	if len(o.Products) > 0 {
		v := o.LibraryVersion
		if v == 0 {
			v = 1
		}
		if err := st.StageLibraryPage(ctx, 0, v, o.Products, ""); err != nil {
			t.Fatal(err)
		}
		if err := st.CommitLibrary(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	SeedStaff(t, st, o.Clock, o.Staff...)
	return st
}

// SeedStaff saves staff active with PIN; the audit entries are dated by
// clk (the wall clock when nil).
func SeedStaff(t testing.TB, st *store.Store, clk agent.Clock, staff ...agent.Staff) {
	t.Helper()
	h, err := pinHash()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now
	if clk != nil {
		now = clk.Now
	}
	for _, s := range staff {
		s.PINHash, s.Active = h, true
		if err := st.SaveStaff(context.Background(), s, agent.AuditEntry{At: now(), Actor: "system", Action: "staff.seed", Subject: s.ID}); err != nil {
			t.Fatal(err)
		}
	}
}
