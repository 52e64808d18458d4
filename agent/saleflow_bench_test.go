package agent_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"tradein/agent"
)

// BenchmarkSaleWizardOnline measures one whole online sale through the
// agent, as a clerk drives it: consumer code (Ed25519 verify), product
// lookup, SN check, quote with fraud history, platform freeze (in memory),
// payment and commit — three durable SQLite transactions (FROZEN, PAID,
// COMMITTED with audit and outbox) on the real store in a temp dir. The
// figure is the terminal's own share of a sale; the platform's round trips
// come on top.
//
// The fraud checks read the model's sales of the last 30 days, so the
// figure depends on how many there are. The clock moves saleSpacing per
// sale: the history holds 60 earlier sales of the model whatever b.N is
// (the store sells this phone twice a day), and the campaign is left open
// so that any b.N fits in it.
func BenchmarkSaleWizardOnline(b *testing.B) {
	const saleSpacing = 12 * time.Hour
	f := newFixture(b, func(r *agent.Rules) { r.CampaignEnd = time.Time{} })
	clerk := f.login("C1")
	sns := make([]string, b.N)
	for i := range sns {
		sns[i] = f.sellableSN(imei(fmt.Sprintf("86%012d", i)))
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.clock.Advance(saleSpacing)
		code := f.code(agent.CatPhone) // issued now: valid for 30 days
		start := time.Now()
		d, err := clerk.NewSale(f.ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.SetConsumerCode(f.ctx, code); err != nil {
			b.Fatal(err)
		}
		if _, _, err := d.ScanProduct(f.ctx, phone.Barcode); err != nil {
			b.Fatal(err)
		}
		if _, err := d.SetSN(f.ctx, sns[i]); err != nil {
			b.Fatal(err)
		}
		if _, err := d.Quote(f.ctx, agent.Yuan(2999)); err != nil {
			b.Fatal(err)
		}
		if _, err := d.Confirm(f.ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := d.SetPaymentRef(f.ctx, "P-1"); err != nil {
			b.Fatal(err)
		}
		if _, _, err := d.Commit(f.ctx); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
}
