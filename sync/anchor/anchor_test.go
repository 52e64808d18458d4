package anchor_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/cmd/platform-sim/sim"
	"tradein/cmd/platform-sim/sim/simtest"
	"tradein/sync/anchor"
	"tradein/sync/api"
	"tradein/sync/client"

	_ "modernc.org/sqlite"
)

var ctx = context.Background()

// env is a terminal's store and an enrolled client of a platform-sim on
// loopback.
type env struct {
	store    *store.Store
	path     string
	platform *client.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := simtest.Open(t, sim.Config{})
	base := simtest.Serve(t, srv.Handler())
	quiet := slog.New(slog.DiscardHandler)
	c, err := client.New(client.Config{BaseURL: base, Logger: quiet, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	enr, err := c.Enroll(ctx, sim.DemoEnrollmentCode, "anchor-"+t.Name())
	if err != nil {
		t.Fatal(err)
	}
	secret, err := enr.Secret()
	if err != nil {
		t.Fatal(err)
	}
	ci, err := agent.NewFieldCipher(bytes.Repeat([]byte{7}, agent.FieldKeySize))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "terminal.db")
	s, err := store.Open(ctx, path, store.Options{Cipher: ci, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &env{store: s, path: path, platform: c.WithCredentials(enr.TerminalNo, secret)}
}

func (e *env) audit(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := e.store.Audit(ctx, agent.AuditEntry{Action: "test.event", Detail: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// exec edits the database as an outsider with a SQLite tool would.
func (e *env) exec(t *testing.T, q string) {
	t.Helper()
	db, err := sql.Open("sqlite", e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

func (e *env) anchor(t *testing.T, a *anchor.Anchorer, want string) store.AnchorResult {
	t.Helper()
	r, err := a.Anchor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != want {
		t.Fatalf("verdict %+v, want %s", r, want)
	}
	saved, ok, err := e.store.LastAnchorResult(ctx)
	if err != nil || !ok || saved.Verdict != r.Verdict || saved.Flagged != r.Flagged || saved.AuditSeq != r.AuditSeq {
		t.Fatalf("saved result %+v %v %v, answered %+v", saved, ok, err, r)
	}
	return r
}

// TestAnchorFollowsTheChain: heads that extend the anchored one are OK,
// also from a new process that does not know the anchored seq yet.
func TestAnchorFollowsTheChain(t *testing.T) {
	e := newEnv(t)
	a := anchor.New(e.store, e.platform, nil, nil)
	e.anchor(t, a, api.AnchorOK) // empty log
	e.audit(t, 5)
	e.anchor(t, a, api.AnchorOK)
	e.audit(t, 2)
	e.anchor(t, a, api.AnchorOK)
	e.audit(t, 1)
	fresh := anchor.New(e.store, e.platform, nil, nil) // the app restarted
	if r := e.anchor(t, fresh, api.AnchorOK); r.Flagged != "" || r.AuditSeq != 8 {
		t.Fatalf("after a restart: %+v", r)
	}
}

// TestAnchorFlagsACutChain: the newest entries deleted outside the app;
// the platform answers SHORTER and keeps the flag on later answers.
func TestAnchorFlagsACutChain(t *testing.T) {
	e := newEnv(t)
	a := anchor.New(e.store, e.platform, nil, nil)
	e.audit(t, 6)
	e.anchor(t, a, api.AnchorOK)
	e.exec(t, `DELETE FROM audit_log WHERE seq > 3`)
	// A check (doctor) sees it and changes nothing at the platform.
	if r, err := a.Check(ctx); err != nil || r.Verdict != api.AnchorShorter || r.Flagged != "" {
		t.Fatalf("check: %+v %v", r, err)
	}
	r := e.anchor(t, a, api.AnchorShorter)
	if r.Flagged == "" {
		t.Fatalf("no flag: %+v", r)
	}
	e.audit(t, 1)
	if r := e.anchor(t, a, api.AnchorOK); r.Flagged == "" {
		t.Fatalf("the flag did not stay: %+v", r)
	}
}

// TestAnchorFlagsARewrittenChain: the whole log deleted and rebuilt (every
// link valid) to a longer chain; the anchored entry is not in it.
func TestAnchorFlagsARewrittenChain(t *testing.T) {
	e := newEnv(t)
	a := anchor.New(e.store, e.platform, nil, nil)
	e.audit(t, 4)
	e.anchor(t, a, api.AnchorOK)
	e.exec(t, `DELETE FROM audit_log`)
	for i := 0; i < 6; i++ {
		if err := e.store.Audit(ctx, agent.AuditEntry{Action: "test.rewritten", Detail: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := e.store.VerifyAudit(ctx); err != nil || n != 6 {
		t.Fatalf("the rewritten chain does not verify on its own: %d %v", n, err)
	}
	r := e.anchor(t, anchor.New(e.store, e.platform, nil, nil), api.AnchorDifferent)
	if r.Flagged == "" {
		t.Fatalf("no flag: %+v", r)
	}
}
