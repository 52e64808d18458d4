package agent

import (
	"fmt"
	"time"
)

// Local fraud checks (docs/DOMAIN.md). The terminal enforces what it can decide
// from its own records, and the platform enforces everything again: these
// checks stop the obvious cases before a voucher is frozen, keep working
// offline, and put the doubtful ones on the manager's review list.

// Warning codes. Stored with sales and shown on the review list; never
// rename them.
const (
	WarnRepeatConsumer  = "REPEAT_CONSUMER"   // the consumer bought subsidised items before
	WarnSNSeenBefore    = "SN_SEEN_BEFORE"    // the SN appeared in an earlier, released sale
	WarnModelBurst      = "MODEL_BURST"       // many sales of one model in a short time (囤货)
	WarnPriceRaised     = "PRICE_RAISED"      // price raised shortly before the sale (先涨价后补贴)
	WarnPriceAboveFiled = "PRICE_ABOVE_FILED" // final price above the filed price (价格备案)
)

// Thresholds of the warnings. They are deliberately loose: a warning costs
// a manager a glance, a missed pattern costs the programme money.
const (
	// BurstWindow and BurstCount: BurstCount earlier sales of one barcode
	// within BurstWindow make the next one a MODEL_BURST. A busy store sells
	// a popular phone a few times an hour; hoarding buys a dozen at once.
	BurstWindow = time.Hour
	BurstCount  = 5
	// PriceRaiseWindow and PriceRaiseBP: a final price more than
	// PriceRaiseBP basis points above the lowest price of the barcode within
	// PriceRaiseWindow before the sale is a PRICE_RAISED. 10 % over 30 days
	// catches the "raise, then subsidise" pattern and ignores the normal
	// end of a promotion of a few percent.
	PriceRaiseWindow = 30 * 24 * time.Hour
	PriceRaiseBP     = 1000
)

// FraudHistory is what the terminal knows about earlier sales, fetched by
// the caller from the store (SalesBySN, SalesByConsumer, SalesOfBarcode).
// The sale being checked may appear in the lists; it is recognised by its
// OrderNo and ignored.
type FraudHistory struct {
	SNSales       []Sale       // earlier sales of this SN (any state)
	ConsumerSales []Sale       // this consumer's sales in the campaign
	BarcodeSales  []Sale       // recent sales of this barcode (at least BurstWindow back)
	PriceHistory  []PricePoint // earlier prices of this barcode (at least PriceRaiseWindow back)
}

// PricePoint is a price of a barcode at a time: an earlier sale's final price
// or a filed price of the library.
type PricePoint struct {
	At       time.Time
	PriceFen Fen
}

// HoldsSN reports whether a sale in state st keeps its serial number locked:
// every state from the frozen voucher on, except the released ones
// (CANCELLED, REFUNDED). A DRAFT holds nothing, so an abandoned draft never
// blocks a later sale. A sale in REVIEW keeps the SN until a manager resolves
// it.
func HoldsSN(st SaleState) bool {
	switch st {
	case SaleFrozen, SaleOfflineAccepted, SalePaid, SaleCommitted, SaleReview:
		return true
	}
	return false
}

// CountsTowardQuota reports whether an earlier sale in state st uses up the
// consumer's per-category quota under rule: the states that hold the SN,
// plus REFUNDED when the rule does not restore the quota on refund.
func CountsTowardQuota(st SaleState, rule CategoryRule) bool {
	return HoldsSN(st) || st == SaleRefunded && !rule.QuotaRestoredOnRefund
}

// CheckFraud runs the local fraud checks on sale s (its Product, SN,
// Consumer.CRef, FinalPriceFen and OrderNo are used) under the category's
// rule.
//
// block is non-nil when the sale must not proceed:
//   - CodeSNUsed: another sale holds the SN (see HoldsSN);
//   - CodeQuotaExhausted: the consumer reached the rule's per-consumer limit
//     for the category (see CountsTowardQuota).
//
// warnings lists the findings for the manager's review list, with the
// stable codes above, in a fixed order. Both may be returned together.
// Details name order numbers and amounts, never personal data.
func CheckFraud(s Sale, rule CategoryRule, h FraudHistory, now time.Time) (warnings []Warning, block error) {
	warn := func(code, format string, args ...any) {
		warnings = append(warnings, Warning{Code: code, Detail: fmt.Sprintf(format, args...)})
	}

	// One SN, one subsidy.
	if s.SN != "" {
		var released []string
		for _, o := range h.SNSales {
			if o.OrderNo == s.OrderNo || o.SN != s.SN {
				continue
			}
			if HoldsSN(o.State) {
				if block == nil {
					block = Errorf(CodeSNUsed, "serial number already subsidised by order %s (%s)", o.OrderNo, o.State)
				}
				continue
			}
			released = append(released, o.OrderNo)
		}
		if len(released) > 0 {
			warn(WarnSNSeenBefore, "serial number seen before in %d released sale(s), e.g. order %s", len(released), released[0])
		}
	}

	// Per-consumer limits and repeated purchases.
	if s.Consumer.CRef != "" {
		inCategory, earlier := 0, 0
		for _, o := range h.ConsumerSales {
			if o.OrderNo == s.OrderNo || o.Consumer.CRef != s.Consumer.CRef {
				continue
			}
			if o.Product.Category == rule.Category && CountsTowardQuota(o.State, rule) {
				inCategory++
			}
			if HoldsSN(o.State) || o.State == SaleRefunded {
				earlier++
			}
		}
		if rule.PerConsumerLimit > 0 && inCategory >= rule.PerConsumerLimit && block == nil {
			block = Errorf(CodeQuotaExhausted, "consumer already has %d %s item(s), limit %d", inCategory, rule.Category, rule.PerConsumerLimit)
		}
		if earlier > 0 {
			warn(WarnRepeatConsumer, "consumer has %d earlier subsidised purchase(s) in the campaign", earlier)
		}
	}

	// A burst of one model.
	if s.Product.Barcode != "" {
		since := now.Add(-BurstWindow)
		n := 0
		for _, o := range h.BarcodeSales {
			if o.OrderNo == s.OrderNo || o.Product.Barcode != s.Product.Barcode || o.CreatedAt.Before(since) || o.CreatedAt.After(now) {
				continue
			}
			if HoldsSN(o.State) {
				n++
			}
		}
		if n >= BurstCount {
			warn(WarnModelBurst, "%d sales of barcode %s in the last %s", n, s.Product.Barcode, BurstWindow)
		}
	}

	// Price raised shortly before the sale.
	if s.FinalPriceFen > 0 {
		since := now.Add(-PriceRaiseWindow)
		var low PricePoint
		for _, p := range h.PriceHistory {
			if p.PriceFen <= 0 || p.At.Before(since) || !p.At.Before(now) {
				continue
			}
			if low.PriceFen == 0 || p.PriceFen < low.PriceFen {
				low = p
			}
		}
		if low.PriceFen > 0 && s.FinalPriceFen > low.PriceFen+applyRate(low.PriceFen, PriceRaiseBP) {
			warn(WarnPriceRaised, "final price %s is %s above %s on %s", s.FinalPriceFen,
				percent(s.FinalPriceFen-low.PriceFen, low.PriceFen), low.PriceFen, low.At.In(ChinaTime).Format(time.DateOnly))
		}
	}

	// Price above the filed price. ComputeSubsidy refuses such a sale; the
	// warning records it when a sale got this far regardless (a filed price
	// updated by a library refresh after the subsidy was computed).
	if f := s.Product.FiledPriceFen; f > 0 && s.FinalPriceFen > f {
		warn(WarnPriceAboveFiled, "final price %s above the filed price %s", s.FinalPriceFen, f)
	}
	return warnings, block
}

// percent formats part/whole as a percentage with one decimal ("12.5%").
func percent(part, whole Fen) string {
	if whole <= 0 {
		return "?%"
	}
	tenths := int64(part) * 1000 / int64(whole) // prices stay far below 9×10^15 fen
	return fmt.Sprintf("%d.%d%%", tenths/10, tenths%10)
}
