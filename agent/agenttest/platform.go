package agenttest

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/store"
)

// Voucher states the Platform keeps; a voucher it has never seen is unused.
const (
	VoucherFrozen = "FROZEN"
	VoucherUsed   = "USED"
)

// Platform is a small but real central platform (sync/api/openapi.yaml) in memory: it
// verifies signed codes, knows opaque codes, freezes each voucher once,
// knows which serial numbers are sellable, computes the discount with its
// own rules and applies the outbox's commit, cancel and refund messages.
// TryVoucher is idempotent by request_no. It is safe for concurrent use.
type Platform struct {
	mu       sync.Mutex
	clock    agent.Clock
	pub      ed25519.PublicKey
	rules    agent.RuleSets
	products map[string]agent.Product
	opaque   map[string]agent.ConsumerClaims // opaque code -> its voucher
	sns      map[string]agent.SNStatus       // absent: NOT_FOUND
	vouchers map[string]string               // voucher id -> VoucherFrozen | VoucherUsed
	frozen   map[string]string               // frozen_no -> voucher id
	tries    map[string]agent.VoucherFrozen  // request_no -> answer
	down     bool                            // every call fails with ErrPlatformDown
	delta    agent.Fen                       // added to the computed discount
	freezes  int
	// entered and gate, when set, hold TryVoucher: see HoldTryVoucher.
	entered chan<- struct{}
	gate    <-chan struct{}
}

// NewPlatform returns a platform that verifies codes with pub and prices
// products with the rule set in force at each try's transaction time.
func NewPlatform(clock agent.Clock, pub ed25519.PublicKey, rules agent.RuleSets, products []agent.Product) *Platform {
	p := &Platform{clock: clock, pub: pub, rules: rules,
		products: map[string]agent.Product{}, opaque: map[string]agent.ConsumerClaims{},
		sns: map[string]agent.SNStatus{}, vouchers: map[string]string{}, frozen: map[string]string{},
		tries: map[string]agent.VoucherFrozen{}}
	for _, pr := range products {
		p.products[pr.Barcode] = pr
	}
	return p
}

// SetDown makes every call fail with agent.ErrPlatformDown (true) or
// answer again (false).
func (p *Platform) SetDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
}

// SetSN records the platform's state of serial number sn and returns sn.
func (p *Platform) SetSN(sn string, st agent.SNStatus) string {
	p.mu.Lock()
	p.sns[sn] = st
	p.mu.Unlock()
	return sn
}

// SetVoucher records voucher vid as VoucherFrozen or VoucherUsed.
func (p *Platform) SetVoucher(vid, state string) {
	p.mu.Lock()
	p.vouchers[vid] = state
	p.mu.Unlock()
}

// AddOpaque registers the voucher c under an opaque (unsigned) code, as a
// platform that issues codes only it can read, and returns that code.
func (p *Platform) AddOpaque(c agent.ConsumerClaims) string {
	code := "OPQ-" + c.VID
	p.mu.Lock()
	p.opaque[code] = c
	p.mu.Unlock()
	return code
}

// SetDiscountDelta makes the platform add d to every computed discount,
// so that it disagrees with the terminal.
func (p *Platform) SetDiscountDelta(d agent.Fen) {
	p.mu.Lock()
	p.delta = d
	p.mu.Unlock()
}

// HoldTryVoucher makes each later TryVoucher send on entered and then wait
// for gate to close, to test a terminal waiting for the platform.
func (p *Platform) HoldTryVoucher(entered chan<- struct{}, gate <-chan struct{}) {
	p.mu.Lock()
	p.entered, p.gate = entered, gate
	p.mu.Unlock()
}

// Freezes reports how many vouchers the platform has frozen.
func (p *Platform) Freezes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.freezes
}

// QuerySN implements agent.Platform.
func (p *Platform) QuerySN(ctx context.Context, sn string) (agent.SNStatus, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return "", agent.ErrPlatformDown
	}
	if st, ok := p.sns[sn]; ok {
		return st, nil
	}
	return agent.SNNotFound, nil
}

// TryVoucher implements agent.Platform: it checks the code, the claims,
// the voucher's state, the product and its serial number, then freezes
// the voucher for 15 minutes.
func (p *Platform) TryVoucher(ctx context.Context, t agent.VoucherTry) (agent.VoucherFrozen, error) {
	p.mu.Lock()
	entered, gate := p.entered, p.gate
	p.mu.Unlock()
	if gate != nil {
		entered <- struct{}{}
		<-gate
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return agent.VoucherFrozen{}, agent.ErrPlatformDown
	}
	if prev, ok := p.tries[t.RequestNo]; ok {
		return prev, nil
	}
	now := p.clock.Now()
	var c agent.ConsumerClaims
	if agent.IsSignedCodeFormat(t.AuthCode) {
		var err error
		if c, err = agent.VerifyConsumerCode(t.AuthCode, p.pub, now); err != nil {
			return agent.VoucherFrozen{}, err
		}
	} else {
		var ok bool
		if c, ok = p.opaque[t.AuthCode]; !ok {
			return agent.VoucherFrozen{}, agent.Errorf(agent.CodeVoucherNotFound, "unknown code")
		}
		if now.Unix() >= c.Exp {
			return agent.VoucherFrozen{}, agent.Errorf(agent.CodeVoucherExpired, "expired")
		}
	}
	if err := agent.CheckClaims(c, t.Category, t.CountyCode); err != nil {
		return agent.VoucherFrozen{}, err
	}
	if p.vouchers[c.VID] != "" {
		return agent.VoucherFrozen{}, agent.Errorf(agent.CodeVoucherUsed, "voucher %s is %s", c.VID, p.vouchers[c.VID])
	}
	pr, ok := p.products[t.Barcode]
	if !ok {
		return agent.VoucherFrozen{}, agent.Errorf(agent.CodeProductNotFound, "barcode %s", t.Barcode)
	}
	at := t.TransTime
	if at.IsZero() {
		at = now
	}
	set, rule, ok := p.rules.ForCategory(pr.Category, t.CountyCode, at)
	if !ok {
		return agent.VoucherFrozen{}, agent.Errorf(agent.CodeNotEligible, "%s is not subsidised at %s", pr.Category, at)
	}
	if t.RuleSetID != "" && t.RuleSetID != set.ID {
		return agent.VoucherFrozen{}, agent.Errorf(agent.CodeNotEligible, "rule set %s is not in force for %s at %s (%s is)", t.RuleSetID, pr.Category, at, set.ID)
	}
	if rule.SNRequired || pr.SNRequired {
		switch p.sns[t.SN] {
		case agent.SNSellable:
		case agent.SNUsed:
			return agent.VoucherFrozen{}, agent.Errorf(agent.CodeSNUsed, "sn used")
		default:
			return agent.VoucherFrozen{}, agent.Errorf(agent.CodeSNNotFound, "sn unknown")
		}
	}
	res, err := agent.ComputeSubsidy(rule, pr, t.AmountFen)
	if err != nil {
		return agent.VoucherFrozen{}, err
	}
	p.freezes++
	disc := res.SubsidyFen + p.delta
	fr := agent.VoucherFrozen{
		FrozenNo:       fmt.Sprintf("FZ%06d", p.freezes),
		VoucherID:      c.VID,
		MaskedConsumer: "王*",
		CRef:           c.CRef,
		DiscountFen:    disc,
		PayFen:         t.AmountFen - disc,
		FrozenUntil:    now.Add(15 * time.Minute),
	}
	p.vouchers[c.VID] = VoucherFrozen
	p.frozen[fr.FrozenNo] = c.VID
	p.tries[t.RequestNo] = fr
	return fr, nil
}

// Deliver plays sync/: it sends every due outbox item of st to the
// platform in order, completes it in the store and returns how many it
// sent.
func (p *Platform) Deliver(t testing.TB, st *store.Store) int {
	t.Helper()
	ctx := context.Background()
	items, err := st.DueOutbox(ctx, p.clock.Now(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		p.apply(t, it)
		if err := st.CompleteOutbox(ctx, it.Seq, nil, agent.AuditEntry{At: p.clock.Now(), Actor: "system", Action: "sync.done", Subject: it.OrderNo}); err != nil {
			t.Fatal(err)
		}
	}
	return len(items)
}

// apply changes voucher and SN states as the outbox item it says.
func (p *Platform) apply(t testing.TB, it agent.OutboxItem) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if it.Kind == agent.OutboxPickup {
		return
	}
	var s agent.Sale
	if err := json.Unmarshal(it.Payload, &s); err != nil {
		t.Fatalf("outbox payload: %v", err)
	}
	switch it.Kind {
	case agent.OutboxSaleCommit:
		p.vouchers[p.frozen[s.FrozenNo]] = VoucherUsed
		if s.SN != "" {
			p.sns[s.SN] = agent.SNUsed
		}
	case agent.OutboxSaleOffline:
		p.vouchers[s.Consumer.VoucherID] = VoucherUsed
		if s.SN != "" {
			p.sns[s.SN] = agent.SNUsed
		}
	case agent.OutboxCancel:
		delete(p.vouchers, p.frozen[s.FrozenNo])
	case agent.OutboxRefund:
		if s.SN != "" {
			p.sns[s.SN] = agent.SNSellable
		}
	}
}
