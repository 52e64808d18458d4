package store

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"tradein/agent"
)

// Benchmarks of the store. Heavy fixtures (a 1,000,000-product library,
// 100,000 sales) are built once and cached as files in os.TempDir, keyed by
// size and format, so that `make bench` reruns are quick.

// benchFile returns the cache path of a fixture, building it with build
// (into a temporary name, renamed when complete) when it does not exist.
// The name carries a hash of the schema, the record dictionary and key,
// so a changed format never reuses an old file; older fixtures of the same
// name are removed.
func benchFile(b *testing.B, name string, key []byte, build func(path string) error) string {
	b.Helper()
	migs, err := embeddedMigrations()
	if err != nil {
		b.Fatal(err)
	}
	h := sha256.New()
	for _, m := range migs {
		h.Write([]byte(m.sql))
	}
	h.Write(saleDictV1)
	h.Write(key)
	prefix := filepath.Join(os.TempDir(), "tradein-store-bench-"+name+"-")
	path := fmt.Sprintf("%s%x.db", prefix, h.Sum(nil)[:6])
	if _, err := os.Stat(path); err == nil {
		return path
	}
	stale, _ := filepath.Glob(prefix + "*.db")
	for _, f := range stale {
		os.Remove(f)
	}
	tmp := path + ".building"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	start := time.Now()
	if err := build(tmp); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s in %v", filepath.Base(path), time.Since(start).Round(time.Millisecond))
	return path
}

// benchBarcode is the i-th product's GTIN-13: "69" + 10 digits + check digit.
func benchBarcode(i int) string {
	body := fmt.Sprintf("69%010d", i)
	return body + string(agent.GTINCheckDigit(body))
}

const libraryProducts = 1_000_000

func buildLibrary(path string) error {
	ctx := context.Background()
	s, err := Open(ctx, path, Options{Logger: quiet, AllowPlaintextForTests: true, BackupDir: os.TempDir()})
	if err != nil {
		return err
	}
	defer s.Close()
	cats := []agent.Category{agent.CatFridge, agent.CatWasher, agent.CatTV, agent.CatAirCond, agent.CatPhone, agent.CatTablet}
	const page = 10_000
	items := make([]agent.Product, 0, page)
	for i := 0; i < libraryProducts; i++ {
		items = append(items, agent.Product{
			Barcode: benchBarcode(i), Name: fmt.Sprintf("节能家电 %d 型", i), Brand: "品牌" + fmt.Sprint(i%300),
			Model: fmt.Sprintf("MDL-%07d", i), Category: cats[i%len(cats)], EnergyGrade: 1 + i%3,
			FiledPriceFen: agent.Fen(100_000 + i%900_000), SNRequired: i%2 == 0, Status: agent.ProductActive,
		})
		if len(items) == page {
			if err := s.StageLibraryPage(ctx, 0, 1, items, fmt.Sprint(i+1)); err != nil {
				return err
			}
			items = items[:0]
		}
	}
	if err := s.CommitLibrary(ctx, 1); err != nil {
		return err
	}
	if n, err := s.LibraryProducts(ctx); err != nil || n != libraryProducts {
		return fmt.Errorf("library has %d products, %v", n, err)
	}
	return nil
}

// BenchmarkProductLookup times Product(barcode) on a 1,000,000-product
// library with random barcodes. Target: p99 <= 1 ms.
func BenchmarkProductLookup(b *testing.B) {
	// The products table's layout is all schema: no key beyond it.
	path := benchFile(b, fmt.Sprintf("products-%d", libraryProducts), nil, buildLibrary)
	ctx := context.Background()
	s, err := Open(ctx, path, Options{Logger: quiet, AllowPlaintextForTests: true, BackupDir: os.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	codes := make([]string, 4096)
	for i := range codes {
		codes[i] = benchBarcode(rng.IntN(libraryProducts))
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		p, err := s.Product(ctx, codes[i%len(codes)])
		lat = append(lat, time.Since(t0))
		if err != nil || p.Barcode != codes[i%len(codes)] {
			b.Fatalf("lookup: %v", err)
		}
	}
	b.StopTimer()
	reportPercentiles(b, lat, "")
}

// reportPercentiles reports p50 and p99 of lat in milliseconds.
func reportPercentiles(b *testing.B, lat []time.Duration, prefix string) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	ms := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), prefix+"p50-ms")
	b.ReportMetric(ms(0.99), prefix+"p99-ms")
}

func median(d []time.Duration) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[len(s)/2]) / float64(time.Millisecond)
}

// benchSales builds realistic sales: a signed consumer code, a phone on a
// third of them, a trade-in on half, a warning now and then.
type benchSales struct {
	priv ed25519.PrivateKey
	rng  *rand.Rand
	now  time.Time
}

func newBenchSales() *benchSales {
	return &benchSales{
		priv: ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)),
		rng:  rand.New(rand.NewPCG(3, 4)),
		now:  time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
	}
}

func (g *benchSales) next(i int) (agent.Sale, agent.AuditEntry, agent.OutboxItem, error) {
	g.now = g.now.Add(time.Duration(30+g.rng.IntN(300)) * time.Second)
	cats := []agent.Category{agent.CatFridge, agent.CatWasher, agent.CatTV, agent.CatAirCond, agent.CatPhone}
	cat := cats[g.rng.IntN(len(cats))]
	vid := fmt.Sprintf("V110105%010d", i)
	code, err := agent.SignConsumerCode(agent.ConsumerClaims{VID: vid, Cat: cat, Reg: "110105",
		Iat: g.now.Unix(), Exp: g.now.Add(30 * 24 * time.Hour).Unix(), CRef: fmt.Sprintf("C%012d", g.rng.IntN(60000))}, g.priv)
	if err != nil {
		return agent.Sale{}, agent.AuditEntry{}, agent.OutboxItem{}, err
	}
	price := agent.Fen(199_900 + g.rng.IntN(800_000))
	subsidy := price * 15 / 100
	s := agent.Sale{
		OrderNo: fmt.Sprintf("OT0001%s%04x", g.now.Format("20060102150405000"), i&0xffff), TerminalNo: "T0001",
		StaffID: fmt.Sprintf("clerk-%d", g.rng.IntN(6)), State: agent.SaleCommitted, CreatedAt: g.now, UpdatedAt: g.now,
		Consumer: agent.Consumer{AuthCode: code, VoucherID: vid, CRef: fmt.Sprintf("C%012d", g.rng.IntN(60000)),
			Region: "110105", Signed: true, Masked: "王*"},
		Product: agent.Product{Barcode: benchBarcode(g.rng.IntN(20000)), Name: "海尔 BCD-510WGHTD 冰箱",
			Brand: "海尔", Model: "BCD-510WGHTD", Category: cat, EnergyGrade: 1, FiledPriceFen: price + 50_000,
			SNRequired: cat == agent.CatPhone, Status: agent.ProductActive},
		SN:            fmt.Sprintf("HR%014d", i),
		FinalPriceFen: price, SubsidyFen: subsidy, PayFen: price - subsidy,
		RequestNo:  fmt.Sprintf("RT0001%s%04x", g.now.Format("20060102150405000"), i&0xffff),
		FrozenNo:   fmt.Sprintf("FZ%016d", i),
		PaymentRef: fmt.Sprintf("WX4200%018d", g.rng.Int64N(1e18)),
	}
	if i%3 == 0 {
		s.Consumer.Phone = fmt.Sprintf("1%010d", g.rng.Int64N(1e10))
	}
	if i%2 == 0 {
		s.TradeIn = &agent.TradeIn{TicketNo: fmt.Sprintf("TI%s%04d", g.now.Format("20060102150405"), i%10000),
			Category: cat, Brand: "美的", Model: "OLD-MODEL-1", Condition: "WORN", PriceFen: agent.Yuan(100)}
	}
	if i%10 == 0 {
		s.Warnings = []agent.Warning{{Code: "REPEAT_CONSUMER", Detail: "2 sales of this category in the campaign"}}
	}
	payload, err := json.Marshal(s)
	if err != nil {
		return s, agent.AuditEntry{}, agent.OutboxItem{}, err
	}
	a := agent.AuditEntry{At: g.now, Actor: s.StaffID, Action: "sale.commit", Subject: s.OrderNo,
		Detail: fmt.Sprintf("category=%s subsidy=%d online", cat, subsidy)}
	return s, a, agent.OutboxItem{Kind: agent.OutboxSaleCommit, RequestNo: s.RequestNo, OrderNo: s.OrderNo,
		Payload: payload, CreatedAt: g.now}, nil
}

// openBare opens a database with exactly the store's write-path settings
// (same DSN: pragmas, one connection, BEGIN IMMEDIATE) and a one-row table.
func openBare(b *testing.B, path string) *sql.DB {
	db, err := sql.Open("sqlite", dsn(path, roleWriter))
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS bare (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	return db
}

func bareInsert(b *testing.B, db *sql.DB, i int) {
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO bare (v) VALUES (?)`, fmt.Sprintf("row %d", i)); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSaleCommit measures a durable sale commit (sale + audit entry +
// outbox row, one transaction, synchronous=FULL) against a bare one-row
// insert+commit with the same pragmas, on the same disk, in the same run:
// each iteration does one of each, alternating which goes first, so that
// disk and CPU noise hit both alike. Target: commit/bare-ratio <= 2 on the
// medians.
func BenchmarkSaleCommit(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "commit.db"), Options{Logger: quiet, Cipher: testCipher(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	bare := openBare(b, filepath.Join(dir, "bare.db"))
	defer bare.Close()
	gen := newBenchSales()
	type input struct {
		s agent.Sale
		a agent.AuditEntry
		o agent.OutboxItem
	}
	in := make([]input, b.N)
	for i := range in {
		var err error
		if in[i].s, in[i].a, in[i].o, err = gen.next(i); err != nil {
			b.Fatal(err)
		}
	}
	commit := make([]time.Duration, 0, b.N)
	plain := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		doCommit := func() {
			t0 := time.Now()
			if err := s.SaveSale(ctx, in[i].s, in[i].a, in[i].o); err != nil {
				b.Fatal(err)
			}
			commit = append(commit, time.Since(t0))
		}
		doBare := func() {
			t0 := time.Now()
			bareInsert(b, bare, i)
			plain = append(plain, time.Since(t0))
		}
		if i%2 == 0 {
			doCommit()
			doBare()
		} else {
			doBare()
			doCommit()
		}
	}
	b.StopTimer()
	c, p := median(commit), median(plain)
	b.ReportMetric(c, "commit-median-ms")
	b.ReportMetric(p, "bare-median-ms")
	b.ReportMetric(c/p, "commit/bare-ratio")
}

// BenchmarkBareInsert is the reference alone: one-row insert+commit with
// the store's pragmas (BenchmarkSaleCommit reports the ratio).
func BenchmarkBareInsert(b *testing.B) {
	db := openBare(b, filepath.Join(b.TempDir(), "bare.db"))
	defer db.Close()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		bareInsert(b, db, i)
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(median(lat), "median-ms")
}

const sizeSales = 100_000

// buildSales writes sizeSales realistic sales, each with its audit entry
// and outbox row, through the same code as SaveSale (saveSaleAllTx). 1,000 sales share a transaction so the
// build takes seconds instead of minutes of fsyncs; rows and pages are the
// same as with one transaction per sale.
func buildSales(path string) error {
	ctx := context.Background()
	c, err := agent.NewFieldCipher(testKey)
	if err != nil {
		return err
	}
	s, err := Open(ctx, path, Options{Logger: quiet, Cipher: c, BackupDir: os.TempDir()})
	if err != nil {
		return err
	}
	defer s.Close()
	gen := newBenchSales()
	for i := 0; i < sizeSales; {
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			for j := 0; j < 1000 && i < sizeSales; j, i = j+1, i+1 {
				sale, a, o, err := gen.next(i)
				if err != nil {
					return err
				}
				if err := s.saveSaleAllTx(ctx, tx, sale, a, []agent.OutboxItem{o}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n != sizeSales {
		return fmt.Errorf("built %d audit entries, %v", n, err)
	}
	return nil
}

// BenchmarkDBSizePer100kSales reports the size of the database files
// after 100,000 realistic sales with their audit entries and (worst case:
// none synced yet) outbox rows. Target: <= 200 MB. The timed loop measures
// the files: the main file plus any WAL left (the builder's close folds the
// WAL in, so normally there is none).
//
// How a sale is stored is code (sealing, compression, shared payloads), not
// only schema, so the cached fixture is keyed by this test binary: any
// change to the package or its dependencies builds it afresh.
func BenchmarkDBSizePer100kSales(b *testing.B) {
	path := benchFile(b, fmt.Sprintf("sales-%d", sizeSales), executableHash(b), buildSales)
	b.ResetTimer()
	var size int64
	for i := 0; i < b.N; i++ {
		size = 0
		for _, f := range []string{path, path + "-wal"} {
			fi, err := os.Stat(f)
			if errors.Is(err, os.ErrNotExist) && f != path {
				continue
			}
			if err != nil {
				b.Fatal(err)
			}
			size += fi.Size()
		}
	}
	b.ReportMetric(float64(size)/1e6*100_000/sizeSales, "MB/100k-sales")
	b.ReportMetric(float64(size)/sizeSales, "B/sale")
}

// executableHash returns the SHA-256 of the running test binary.
func executableHash(b *testing.B) []byte {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(exe)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		b.Fatal(err)
	}
	return h.Sum(nil)
}
