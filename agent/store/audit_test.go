package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tradein/agent"
)

func fillAudit(t *testing.T, s *Store, clk *stepClock, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := s.Audit(context.Background(), agent.AuditEntry{Actor: "mgr-1", Action: "staff.pin_reset",
			Subject: "staff:clerk-" + string(rune('a'+i)), Detail: "by manager"}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
}

func TestAuditChain(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	if n, err := s.VerifyAudit(ctx); err != nil || n != 0 {
		t.Fatalf("empty chain: %d, %v", n, err)
	}
	fillAudit(t, s, clk, 5)
	entries, err := s.AuditEntries(ctx, 0, 0)
	if err != nil || len(entries) != 5 {
		t.Fatalf("entries: %d, %v", len(entries), err)
	}
	if entries[0].PrevHash != GenesisHash || entries[0].Seq != 1 {
		t.Fatalf("first entry: %+v", entries[0])
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].PrevHash != entries[i-1].Hash || entries[i].Seq != int64(i+1) {
			t.Fatalf("entry %d not chained", i)
		}
	}
	if !entries[2].At.Equal(newStepClock().Now().Add(2 * time.Second)) {
		t.Fatalf("At defaulted to %v", entries[2].At)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n != 5 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}
	if got, _ := s.AuditEntries(ctx, 3, 10); len(got) != 2 || got[0].Seq != 4 {
		t.Fatalf("AuditEntries after 3: %+v", got)
	}
}

func TestAuditHashCanonical(t *testing.T) {
	a := auditHash(GenesisHash, 1, 5, "ab", "c", "", "")
	b := auditHash(GenesisHash, 1, 5, "a", "bc", "", "")
	if a == b {
		t.Fatal("moving text between fields kept the hash")
	}
	if len(a) != 64 {
		t.Fatalf("hash %q", a)
	}
}

func TestVerifyAuditDetectsTampering(t *testing.T) {
	cases := []struct {
		name    string
		tamper  string
		wantSeq string
	}{
		{"edited detail", `UPDATE audit_log SET detail = 'by clerk' WHERE seq = 3`, "seq 3"},
		{"edited time", `UPDATE audit_log SET at = at + 1 WHERE seq = 2`, "seq 2"},
		{"deleted entry", `DELETE FROM audit_log WHERE seq = 4`, "seq 4"},
		{"deleted first entry", `DELETE FROM audit_log WHERE seq = 1`, "seq 1"},
		{"rehashed entry", `UPDATE audit_log SET detail = 'x', hash = '` + strings.Repeat("a", 64) + `' WHERE seq = 2`, "seq 2"},
	}
	// A forger who edits an entry and recomputes its hash breaks the link
	// to the next entry.
	rehash := func(s *Store) string {
		e, _ := s.AuditEntries(context.Background(), 1, 1)
		h := auditHash(e[0].PrevHash, e[0].Seq, e[0].At.UnixNano(), e[0].Actor, e[0].Action, e[0].Subject, "forged")
		return `UPDATE audit_log SET detail = 'forged', hash = '` + h + `' WHERE seq = 2`
	}
	cases = append(cases, struct {
		name    string
		tamper  string
		wantSeq string
	}{"edited and rehashed", "", "seq 3"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s, clk := openTest(t)
			fillAudit(t, s, clk, 5)
			if c.tamper == "" {
				c.tamper = rehash(s)
			}
			if _, err := s.w.ExecContext(ctx, c.tamper); err != nil {
				t.Fatal(err)
			}
			n, err := s.VerifyAudit(ctx)
			if !errors.Is(err, ErrAuditBroken) || !strings.Contains(err.Error(), c.wantSeq) {
				t.Fatalf("VerifyAudit = %d, %v; want broken at %s", n, err, c.wantSeq)
			}
		})
	}
}
