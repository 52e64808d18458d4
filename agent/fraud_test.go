package agent

import (
	"reflect"
	"testing"
	"time"
)

func fraudSale(order string, st SaleState, cat Category, at time.Time) Sale {
	return Sale{OrderNo: order, State: st, CreatedAt: at, SN: "SN000123",
		Consumer: Consumer{CRef: "C-1"},
		Product:  Product{Barcode: "6901234567892", Category: cat, EnergyGrade: 1}, FinalPriceFen: 3000_00}
}

func warningCodes(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

func TestCheckFraud(t *testing.T) {
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, ChinaTime)
	r := NationalRules2025() // the rules in force on now
	fridge, _ := r.Rule(CatFridge)
	ac, _ := r.Rule(CatAirCond)
	noRestore := fridge
	noRestore.QuotaRestoredOnRefund = false
	cur := fraudSale("NEW", SaleDraft, CatFridge, now)
	curAC := fraudSale("NEW", SaleDraft, CatAirCond, now)
	day := 24 * time.Hour

	burst := func(n int, within time.Duration, st SaleState) []Sale {
		var out []Sale
		for i := 0; i < n; i++ {
			s := fraudSale("B"+string(rune('a'+i)), st, CatFridge, now.Add(-within))
			s.SN = "OTHER" + string(rune('A'+i)) + "1"
			s.Consumer.CRef = "C-other"
			out = append(out, s)
		}
		return out
	}

	tests := []struct {
		name  string
		s     Sale
		rule  CategoryRule
		h     FraudHistory
		block Code
		warns []string
	}{
		{"clean", cur, fridge, FraudHistory{}, "", nil},
		{"own sale in history is ignored", cur, fridge, FraudHistory{
			SNSales: []Sale{fraudSale("NEW", SaleFrozen, CatFridge, now)}, ConsumerSales: []Sale{fraudSale("NEW", SaleFrozen, CatFridge, now)},
		}, "", nil},
		{"SN committed elsewhere", cur, fridge, FraudHistory{SNSales: []Sale{fraudSale("O1", SaleCommitted, CatFridge, now.Add(-day))}}, CodeSNUsed, nil},
		{"SN frozen elsewhere", cur, fridge, FraudHistory{SNSales: []Sale{fraudSale("O1", SaleFrozen, CatFridge, now)}}, CodeSNUsed, nil},
		{"SN in review", cur, fridge, FraudHistory{SNSales: []Sale{fraudSale("O1", SaleReview, CatFridge, now)}}, CodeSNUsed, nil},
		{"SN refunded: released but seen", cur, fridge, FraudHistory{SNSales: []Sale{fraudSale("O1", SaleRefunded, CatFridge, now.Add(-day))}}, "", []string{WarnSNSeenBefore}},
		{"SN cancelled", cur, fridge, FraudHistory{SNSales: []Sale{fraudSale("O1", SaleCancelled, CatFridge, now)}}, "", []string{WarnSNSeenBefore}},
		{"SN in an abandoned draft", cur, fridge, FraudHistory{SNSales: []Sale{fraudSale("O1", SaleDraft, CatFridge, now)}}, "", []string{WarnSNSeenBefore}},
		{"quota used", cur, fridge, FraudHistory{ConsumerSales: []Sale{withSN(fraudSale("O1", SaleCommitted, CatFridge, now.Add(-day)), "X000001")}}, CodeQuotaExhausted, []string{WarnRepeatConsumer}},
		{"quota restored by refund", cur, fridge, FraudHistory{ConsumerSales: []Sale{withSN(fraudSale("O1", SaleRefunded, CatFridge, now.Add(-day)), "X000001")}}, "", []string{WarnRepeatConsumer}},
		{"quota not restored by refund", cur, noRestore, FraudHistory{ConsumerSales: []Sale{withSN(fraudSale("O1", SaleRefunded, CatFridge, now.Add(-day)), "X000001")}}, CodeQuotaExhausted, []string{WarnRepeatConsumer}},
		{"cancelled sale uses no quota", cur, fridge, FraudHistory{ConsumerSales: []Sale{withSN(fraudSale("O1", SaleCancelled, CatFridge, now), "X000001")}}, "", nil},
		{"other category: warning only", cur, fridge, FraudHistory{ConsumerSales: []Sale{withSN(fraudSale("O1", SaleCommitted, CatTV, now.Add(-day)), "X000001")}}, "", []string{WarnRepeatConsumer}},
		{"other consumer", cur, fridge, FraudHistory{ConsumerSales: []Sale{withCRef(fraudSale("O1", SaleCommitted, CatFridge, now), "C-2")}}, "", nil},
		{"air conditioner 3rd allowed", curAC, ac, FraudHistory{ConsumerSales: []Sale{
			withSN(fraudSale("O1", SaleCommitted, CatAirCond, now), "X1xxxx"), withSN(fraudSale("O2", SaleCommitted, CatAirCond, now), "X2xxxx")}}, "", []string{WarnRepeatConsumer}},
		{"air conditioner 4th refused", curAC, ac, FraudHistory{ConsumerSales: []Sale{
			withSN(fraudSale("O1", SaleCommitted, CatAirCond, now), "X1xxxx"), withSN(fraudSale("O2", SaleCommitted, CatAirCond, now), "X2xxxx"),
			withSN(fraudSale("O3", SalePaid, CatAirCond, now), "X3xxxx")}}, CodeQuotaExhausted, []string{WarnRepeatConsumer}},
		{"burst of 5 in the hour", cur, fridge, FraudHistory{BarcodeSales: burst(5, 30*time.Minute, SaleCommitted)}, "", []string{WarnModelBurst}},
		{"4 in the hour is no burst", cur, fridge, FraudHistory{BarcodeSales: burst(4, 30*time.Minute, SaleCommitted)}, "", nil},
		{"5 but older than the window", cur, fridge, FraudHistory{BarcodeSales: burst(5, 2*time.Hour, SaleCommitted)}, "", nil},
		{"5 cancelled ones are no burst", cur, fridge, FraudHistory{BarcodeSales: burst(5, time.Minute, SaleCancelled)}, "", nil},
		{"price raised 20% last week", cur, fridge, FraudHistory{PriceHistory: []PricePoint{{now.Add(-7 * day), 2500_00}, {now.Add(-day), 3000_00}}}, "", []string{WarnPriceRaised}},
		{"price raised exactly 10%", cur, fridge, FraudHistory{PriceHistory: []PricePoint{{now.Add(-7 * day), 2727_28}}}, "", nil},
		{"price raised 10% + 1 fen", cur, fridge, FraudHistory{PriceHistory: []PricePoint{{now.Add(-7 * day), 2727_27}}}, "", []string{WarnPriceRaised}},
		{"low price 40 days ago", cur, fridge, FraudHistory{PriceHistory: []PricePoint{{now.Add(-40 * day), 2000_00}}}, "", nil},
		{"price lowered", cur, fridge, FraudHistory{PriceHistory: []PricePoint{{now.Add(-7 * day), 3500_00}}}, "", nil},
		{"above filed price", withFiled(cur, 2999_99), fridge, FraudHistory{}, "", []string{WarnPriceAboveFiled}},
		{"at filed price", withFiled(cur, 3000_00), fridge, FraudHistory{}, "", nil},
		{"everything at once", withFiled(cur, 2000_00), fridge, FraudHistory{
			SNSales:       []Sale{fraudSale("O1", SaleCommitted, CatFridge, now), fraudSale("O0", SaleRefunded, CatFridge, now)},
			ConsumerSales: []Sale{fraudSale("O1", SaleCommitted, CatFridge, now)},
			BarcodeSales:  burst(6, time.Minute, SaleCommitted),
			PriceHistory:  []PricePoint{{now.Add(-day), 1000_00}},
		}, CodeSNUsed, []string{WarnSNSeenBefore, WarnRepeatConsumer, WarnModelBurst, WarnPriceRaised, WarnPriceAboveFiled}},
	}
	for _, tt := range tests {
		warns, block := CheckFraud(tt.s, tt.rule, tt.h, now)
		if tt.block == "" && block != nil || tt.block != "" && CodeOf(block) != tt.block {
			t.Errorf("%s: block = %v, want %q", tt.name, block, tt.block)
		}
		if got := warningCodes(warns); !reflect.DeepEqual(got, tt.warns) {
			t.Errorf("%s: warnings %v, want %v", tt.name, got, tt.warns)
		}
		for _, w := range warns {
			if w.Detail == "" {
				t.Errorf("%s: warning %s without detail", tt.name, w.Code)
			}
		}
	}
}

func withSN(s Sale, sn string) Sale  { s.SN = sn; return s }
func withCRef(s Sale, c string) Sale { s.Consumer.CRef = c; return s }
func withFiled(s Sale, f Fen) Sale   { s.Product.FiledPriceFen = f; return s }

func TestPercent(t *testing.T) {
	if got := percent(500_00, 2500_00); got != "20.0%" {
		t.Errorf("percent = %s", got)
	}
	if got := percent(1, 3); got != "33.3%" {
		t.Errorf("percent = %s", got)
	}
	if got := percent(1, 0); got != "?%" {
		t.Errorf("percent = %s", got)
	}
}
