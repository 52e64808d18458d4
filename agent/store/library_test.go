package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"tradein/agent"
)

func product(i int, price agent.Fen) agent.Product {
	return agent.Product{Barcode: fmt.Sprintf("69%011d", i), Name: fmt.Sprintf("空调 %d", i), Brand: "格力",
		Model: fmt.Sprintf("KFR-%d", i), Category: agent.CatAirCond, EnergyGrade: 1 + i%2,
		FiledPriceFen: price, SNRequired: i%2 == 0, Status: agent.ProductActive}
}

func TestLibraryDeltaSync(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if v, err := s.LibraryVersion(ctx); err != nil || v != 0 {
		t.Fatalf("fresh version = %d, %v", v, err)
	}
	if _, ok, err := s.LibraryStaging(ctx); ok || err != nil {
		t.Fatalf("fresh staging: %v %v", ok, err)
	}
	if _, err := s.Product(ctx, product(1, 0).Barcode); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("product before sync: %v", err)
	}

	// Version 0 → 10 in two pages.
	var page1, page2 []agent.Product
	for i := 0; i < 5; i++ {
		page1 = append(page1, product(i, agent.Yuan(3000)))
		page2 = append(page2, product(i+5, agent.Yuan(3000)))
	}
	if err := s.StageLibraryPage(ctx, 0, 10, page1, "tok-2"); err != nil {
		t.Fatal(err)
	}
	st, ok, err := s.LibraryStaging(ctx)
	if err != nil || !ok || st != (agent.LibraryStaging{From: 0, Target: 10, NextToken: "tok-2", Staged: 5}) {
		t.Fatalf("staging = %+v %v %v", st, ok, err)
	}
	// Staged products are not visible yet.
	if _, err := s.Product(ctx, page1[0].Barcode); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("staged product visible before commit: %v", err)
	}
	if err := s.StageLibraryPage(ctx, 0, 11, page2, ""); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("page of another delta: %v", err)
	}
	if err := s.StageLibraryPage(ctx, 0, 10, page2, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitLibrary(ctx, 11); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("commit of the wrong target: %v", err)
	}
	if err := s.CommitLibrary(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.LibraryVersion(ctx); v != 10 {
		t.Fatalf("version = %d", v)
	}
	if _, ok, _ := s.LibraryStaging(ctx); ok {
		t.Fatal("staging not cleared")
	}
	if n := count(t, s, "product_staging", ""); n != 0 {
		t.Fatalf("%d staged rows left", n)
	}
	got, err := s.Product(ctx, page2[2].Barcode)
	if err != nil || !reflect.DeepEqual(got, page2[2]) {
		t.Fatalf("Product = %+v, %v", got, err)
	}

	// Version 10 → 12: a price change, a delisting, a barcode on two pages
	// (the later page wins) and a new product.
	changed := product(1, agent.Yuan(2800))
	delisted := product(2, agent.Yuan(3000))
	delisted.Status = agent.ProductDelisted
	twiceA, twiceB := product(3, agent.Yuan(100)), product(3, agent.Yuan(200))
	if err := s.StageLibraryPage(ctx, 10, 12, []agent.Product{changed, delisted, twiceA}, "t"); err != nil {
		t.Fatal(err)
	}
	if err := s.StageLibraryPage(ctx, 10, 12, []agent.Product{twiceB, product(99, agent.Yuan(1))}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitLibrary(ctx, 12); err != nil {
		t.Fatal(err)
	}
	for _, want := range []agent.Product{changed, delisted, twiceB, product(99, agent.Yuan(1)), page1[0]} {
		got, err := s.Product(ctx, want.Barcode)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Product(%s) = %+v, %v; want %+v", want.Barcode, got, err, want)
		}
	}
	if n, _ := s.LibraryProducts(ctx); n != 11 {
		t.Fatalf("products = %d", n)
	}
	// Nothing staged: committing the current version is a no-op, another is an error.
	if err := s.CommitLibrary(ctx, 12); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitLibrary(ctx, 13); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("commit with nothing staged: %v", err)
	}
	// A delta from a version we do not have is refused at commit.
	if err := s.StageLibraryPage(ctx, 11, 13, []agent.Product{product(7, 1)}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitLibrary(ctx, 13); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("commit of a delta from another base: %v", err)
	}
	if err := s.DiscardLibraryStaging(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.LibraryStaging(ctx); ok {
		t.Fatal("discard left staging")
	}
	if err := s.StageLibraryPage(ctx, 0, 1, []agent.Product{{Name: "no barcode"}}, ""); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("product without barcode: %v", err)
	}
	if _, ok, _ := s.LibraryStaging(ctx); ok {
		t.Fatal("a refused page left staging behind")
	}
	// The two switches, and only they, are in the audit log.
	if got := auditDetails(t, s, "library.commit"); !reflect.DeepEqual(got, []string{
		"version 0 -> 10, 10 products changed", "version 10 -> 12, 5 products changed"}) {
		t.Fatalf("library audit entries: %q", got)
	}
	if _, err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// auditDetails returns the details of the audit entries with the action.
func auditDetails(t *testing.T, s *Store, action string) []string {
	t.Helper()
	entries, err := s.AuditEntries(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Action == action {
			out = append(out, e.Detail)
		}
	}
	return out
}

// TestLibraryCommitIsAtomicForReaders: while a large delta is committed,
// concurrent readers see either the complete old library or the complete
// new one.
func TestLibraryCommitIsAtomicForReaders(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	const n = 3000
	var v1, v2 []agent.Product
	for i := 0; i < n; i++ {
		v1 = append(v1, product(i, agent.Yuan(1000)))
		v2 = append(v2, product(i, agent.Yuan(2000)))
	}
	if err := s.StageLibraryPage(ctx, 0, 1, v1, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitLibrary(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += 500 {
		if err := s.StageLibraryPage(ctx, 1, 2, v2[i:i+500], "more"); err != nil {
			t.Fatal(err)
		}
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	bad := make(chan string, 10)
	sawOld, sawNew := make(chan struct{}), make(chan struct{})
	var oldOnce, newOnce sync.Once
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				// One read transaction: version and prices from one snapshot.
				tx, err := s.r.BeginTx(ctx, nil)
				if err != nil {
					bad <- err.Error()
					return
				}
				var ver, lo, hi, cnt int64
				err = tx.QueryRowContext(ctx, `SELECT version FROM library_meta`).Scan(&ver)
				if err == nil {
					err = tx.QueryRowContext(ctx, `SELECT MIN(filed_price_fen), MAX(filed_price_fen), COUNT(*) FROM products`).Scan(&lo, &hi, &cnt)
				}
				tx.Rollback()
				if err != nil {
					bad <- err.Error()
					return
				}
				want := int64(agent.Yuan(1000))
				if ver == 2 {
					want = int64(agent.Yuan(2000))
				}
				if lo != want || hi != want || cnt != n {
					bad <- fmt.Sprintf("version %d with prices %d..%d over %d products", ver, lo, hi, cnt)
					return
				}
				if ver == 1 {
					oldOnce.Do(func() { close(sawOld) })
				} else {
					newOnce.Do(func() { close(sawNew) })
				}
			}
		}()
	}
	finish := func() {
		close(stop)
		wg.Wait()
		close(bad)
		for msg := range bad {
			t.Fatal(msg)
		}
	}
	select { // readers are running on the old library
	case <-sawOld:
	case msg := <-bad:
		t.Fatal(msg)
	}
	if err := s.CommitLibrary(ctx, 2); err != nil {
		t.Fatal(err)
	}
	select { // and go on to see the new one
	case <-sawNew:
	case msg := <-bad:
		t.Fatal(msg)
	}
	finish()
}

func TestRulesCache(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if _, err := s.Rules(ctx); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("rules before refresh: %v", err)
	}
	r := agent.DefaultRuleSets()
	if err := s.SaveRules(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].CampaignStart.Equal(r[0].CampaignStart) || !got[0].CampaignEnd.Equal(r[0].CampaignEnd) {
		t.Fatal("effective periods changed")
	}
	for i := range got {
		got[i].CampaignStart, got[i].CampaignEnd = r[i].CampaignStart, r[i].CampaignEnd
	}
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("rules round trip:\n got %+v\nwant %+v", got, r)
	}
	// The same rules again (a routine refresh) is not a change.
	if err := s.SaveRules(ctx, r); err != nil {
		t.Fatal(err)
	}
	r[1].Version = "v2"
	if err := s.SaveRules(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Rules(ctx); got[1].Version != "v2" {
		t.Fatalf("version = %q", got[1].Version)
	}
	v1 := "CN-2025@2025-national-1, CN-2026@" + agent.DefaultRulesVersion
	want := []string{"version " + v1, "version " + v1 + " -> CN-2025@2025-national-1, CN-2026@v2"}
	if got := auditDetails(t, s, "rules.update"); !reflect.DeepEqual(got, want) {
		t.Fatalf("rules audit entries: %q, want %q", got, want)
	}
}

// TestSaveRulesKeepsTheLastGoodSets: sets that fail validation are
// refused and the cached ones stay, untouched and without an audit entry.
func TestSaveRulesKeepsTheLastGoodSets(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	good := agent.DefaultRuleSets()
	if err := s.SaveRules(ctx, good); err != nil {
		t.Fatal(err)
	}
	bad := agent.DefaultRuleSets()
	bad[1].Categories[0].GradeRatesBP["1"] = 150000 // 1500 %
	for name, rs := range map[string]agent.RuleSets{"bad rate": bad, "none": nil, "duplicate": append(agent.DefaultRuleSets(), agent.NationalRules2026())} {
		if err := s.SaveRules(ctx, rs); agent.CodeOf(err) != agent.CodeInvalidRequest {
			t.Errorf("%s: SaveRules = %v, want INVALID_REQUEST", name, err)
		}
	}
	got, err := s.Rules(ctx)
	if err != nil || len(got) != 2 || got[1].Categories[0].GradeRatesBP["1"] != 1500 {
		t.Fatalf("cache after refused saves: %+v %v", got, err)
	}
	if n := len(auditDetails(t, s, "rules.update")); n != 1 {
		t.Fatalf("%d rules.update entries, want 1", n)
	}
}

// TestRulesCacheBeforeRuleSets reads a cache written before rule sets
// existed (one agent.Rules object without an ID) as a list of that set.
func TestRulesCacheBeforeRuleSets(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	old := agent.NationalRules2025()
	old.ID = ""
	data, _ := json.Marshal(old)
	if _, err := s.w.ExecContext(ctx, `INSERT INTO rules (id, version, data, saved_at) VALUES (1, ?, ?, 0)`, old.Version, string(data)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Rules(ctx)
	if err != nil || len(got) != 1 || got[0].ID != old.Version || len(got[0].Categories) != len(old.Categories) {
		t.Fatalf("legacy cache: %+v %v", got, err)
	}
}

// TestLibraryKeepsTheWaterGrade: a washer's water-efficiency grade
// survives staging and commit, so "energy or water grade 1" can be
// decided from the cached library.
func TestLibraryKeepsTheWaterGrade(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	w := agent.Product{Barcode: "6902758909960", Name: "滚筒洗衣机", Category: agent.CatWasher, EnergyGrade: 2, WaterGrade: 1,
		FiledPriceFen: 3299_00, Status: agent.ProductActive}
	if err := s.StageLibraryPage(ctx, 0, 1, []agent.Product{w}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitLibrary(ctx, 1); err != nil {
		t.Fatal(err)
	}
	got, err := s.Product(ctx, w.Barcode)
	if err != nil || got != w {
		t.Fatalf("product %+v %v, want %+v", got, err, w)
	}
}
