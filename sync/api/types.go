package api

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"time"

	"tradein/agent"
)

// EnrollRequest is the body of POST /v1/terminals/enroll. Each
// (enrollment_code, device_fingerprint) enrolls once. EnrollmentProof is
// EnrollmentProofSize random bytes (base64, standard) the enrolling
// process draws and keeps to itself: a retry with the same proof (the
// answer was lost) gets the same terminal and secret again; any other
// request for that pair is refused, so knowing the code and the
// fingerprint is not enough to obtain the signing secret.
type EnrollRequest struct {
	EnrollmentCode    string `json:"enrollment_code"`
	DeviceFingerprint string `json:"device_fingerprint"`
	EnrollmentProof   string `json:"enrollment_proof"`
}

// EnrollmentProofSize is the length of an enrollment proof in bytes.
const EnrollmentProofSize = 32

// StoreWire is the enrolled store.
type StoreWire struct {
	Name       string `json:"name"`
	UniSCID    string `json:"uniscid"`
	CountyCode string `json:"county_code"`
}

// EnrollResponse is the data of a successful enrollment.
type EnrollResponse struct {
	TerminalNo string    `json:"terminal_no"`
	MerchantNo string    `json:"merchant_no"`
	Store      StoreWire `json:"store"`
	// HMACSecret is the base64 (std) request-signing secret, 32 bytes.
	HMACSecret string `json:"hmac_secret"`
	// PlatformPublicKey is the base64 (std) Ed25519 key that signs TIQ1
	// consumer codes, for offline verification.
	PlatformPublicKey string `json:"platform_public_key"`
}

// Secret decodes HMACSecret.
func (e EnrollResponse) Secret() ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(e.HMACSecret)
	if err != nil || len(b) < 16 {
		return nil, fmt.Errorf("enroll response: bad hmac_secret")
	}
	return b, nil
}

// PublicKey decodes PlatformPublicKey.
func (e EnrollResponse) PublicKey() (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(e.PlatformPublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("enroll response: bad platform_public_key")
	}
	return ed25519.PublicKey(b), nil
}

// StoreInfo is the enrolled identity as the receipts print it.
func (e EnrollResponse) StoreInfo() agent.StoreInfo {
	return agent.StoreInfo{
		MerchantNo: e.MerchantNo,
		TerminalNo: e.TerminalNo,
		StoreName:  e.Store.Name,
		UniSCID:    e.Store.UniSCID,
		CountyCode: e.Store.CountyCode,
	}
}

// HealthResponse is the data of GET /v1/health.
type HealthResponse struct {
	Status  string    `json:"status"` // "UP"
	Time    time.Time `json:"time"`
	Version string    `json:"version"`
}

// ProductPage is one page of GET /v1/products. Items are the products that
// changed after since_version up to Version (the target version of the
// whole delta); NextPageToken is empty on the last page. Total counts the
// items of the whole delta when its first page was served; a row changed
// while paging moves to the next delta, so fewer may arrive. A delisted
// product arrives with status DELISTED.
type ProductPage struct {
	Items         []agent.Product `json:"items"`
	Version       int64           `json:"version"`
	NextPageToken string          `json:"next_page_token"`
	Total         int             `json:"total"`
}

// Product paging limits.
const (
	DefaultPageLimit = 500
	MaxPageLimit     = 5000
)

// SNQueryRequest is the body of POST /v1/sn/query.
type SNQueryRequest struct {
	SNList []string `json:"sn_list"`
}

// MaxSNQuery bounds sn_list.
const MaxSNQuery = 50

// SN query statuses on the wire.
const (
	SNSellable    = "SELLABLE"
	SNNotSellable = "NOT_SELLABLE"
	SNUnknown     = "UNKNOWN"
	SNReasonUsed  = "USED"
	SNReasonNone  = "NOT_FOUND"
)

// SNResult is the status of one serial number. Reason is set when Status
// is NOT_SELLABLE.
type SNResult struct {
	SN     string `json:"sn"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// SNQueryResponse is the data of POST /v1/sn/query, one result per SN in
// request order.
type SNQueryResponse struct {
	Items []SNResult `json:"items"`
}

// DomainStatus maps a wire SN result to the agent's SNStatus.
func (r SNResult) DomainStatus() agent.SNStatus {
	switch {
	case r.Status == SNSellable:
		return agent.SNSellable
	case r.Status == SNNotSellable && r.Reason == SNReasonUsed:
		return agent.SNUsed
	case r.Status == SNNotSellable && r.Reason == SNReasonNone:
		return agent.SNNotFound
	default:
		return agent.SNUnknownStat
	}
}

// RulesResponse is the data of GET /v1/rules: every rule set that covers
// the enrolled store's county, each with its effective period, in no
// particular order (agent.RuleSets chooses the set in force).
type RulesResponse struct {
	RuleSets agent.RuleSets `json:"rule_sets"`
}

// TryRequest is the body of POST /v1/vouchers/try: freeze the consumer's
// voucher for this product and price.
type TryRequest struct {
	RequestNo  string         `json:"request_no"`
	AuthCode   string         `json:"auth_code"`
	Category   agent.Category `json:"category"`
	CountyCode string         `json:"county_code"`
	Barcode    string         `json:"barcode"`
	SN         string         `json:"sn,omitempty"`
	AmountFen  agent.Fen      `json:"amount_fen"`
	// RuleSetID is the rule set the terminal computed the sale under
	// (optional): the platform computes it under the same set when that
	// set is in force at TransTime, and judges the commit by it.
	RuleSetID string `json:"rule_set_id,omitempty"`
	// TransTime is the moment of the try (optional; the platform's clock
	// when absent).
	TransTime time.Time `json:"trans_time,omitzero"`
}

// TryRequestFrom maps the agent's VoucherTry to the wire.
func TryRequestFrom(t agent.VoucherTry) TryRequest {
	return TryRequest{
		RequestNo:  t.RequestNo,
		AuthCode:   t.AuthCode,
		Category:   t.Category,
		CountyCode: t.CountyCode,
		Barcode:    t.Barcode,
		SN:         t.SN,
		AmountFen:  t.AmountFen,
		RuleSetID:  t.RuleSetID,
		TransTime:  t.TransTime.UTC(),
	}
}

// TryResponse is the data of a successful try: the voucher is frozen for
// this terminal until FrozenUntil.
type TryResponse struct {
	FrozenNo       string    `json:"frozen_no"`
	VoucherID      string    `json:"voucher_id"`
	MaskedConsumer string    `json:"masked_consumer"`
	CRef           string    `json:"cref"`
	DiscountFen    agent.Fen `json:"discount_fen"`
	PayFen         agent.Fen `json:"pay_fen"`
	FrozenUntil    time.Time `json:"frozen_until"`
}

// Frozen maps the wire answer to the agent's VoucherFrozen.
func (r TryResponse) Frozen() agent.VoucherFrozen {
	return agent.VoucherFrozen{
		FrozenNo:       r.FrozenNo,
		VoucherID:      r.VoucherID,
		MaskedConsumer: r.MaskedConsumer,
		CRef:           r.CRef,
		DiscountFen:    r.DiscountFen,
		PayFen:         r.PayFen,
		FrozenUntil:    r.FrozenUntil,
	}
}

// Amounts are the money of a sale. PayFen + SubsidyFen must equal
// FinalPriceFen (the invoice amount).
type Amounts struct {
	FinalPriceFen agent.Fen `json:"final_price_fen"`
	SubsidyFen    agent.Fen `json:"subsidy_fen"`
	PayFen        agent.Fen `json:"pay_fen"`
}

// ProductRef identifies the product sold; the platform checks it against
// its library (barcode, model and energy grade must match).
type ProductRef struct {
	Barcode     string         `json:"barcode"`
	Category    agent.Category `json:"category"`
	Brand       string         `json:"brand"`
	Model       string         `json:"model"`
	EnergyGrade int            `json:"energy_grade"`
}

// TradeInWire is the old appliance handed in.
type TradeInWire struct {
	TicketNo  string         `json:"ticket_no"`
	Category  agent.Category `json:"category"`
	Brand     string         `json:"brand"`
	Model     string         `json:"model"`
	Condition string         `json:"condition"`
	PriceFen  agent.Fen      `json:"price_fen"`
}

// CommitRequest is the body of POST /v1/vouchers/commit: redeem the frozen
// voucher and lock the SN.
type CommitRequest struct {
	RequestNo  string       `json:"request_no"`
	FrozenNo   string       `json:"frozen_no"`
	OrderNo    string       `json:"order_no"`
	TransTime  time.Time    `json:"trans_time"`
	Amounts    Amounts      `json:"amounts"`
	Product    ProductRef   `json:"product"`
	SN         string       `json:"sn,omitempty"`
	TradeIn    *TradeInWire `json:"trade_in,omitempty"`
	PaymentRef string       `json:"payment_ref"`
	// RuleSetID is the rule set the sale was computed under, the one in
	// force at TransTime (optional for terminals that predate rule sets).
	RuleSetID string `json:"rule_set_id,omitempty"`
}

// Sale statuses on the wire.
const (
	StatusCommitted = "COMMITTED"
	StatusCancelled = "CANCELLED"
	StatusRefunded  = "REFUNDED"
)

// CommitResponse is the data of a successful commit, and the original
// result of an ACCEPTED or DUPLICATE offline transaction.
type CommitResponse struct {
	OrderNo     string    `json:"order_no"`
	VoucherID   string    `json:"voucher_id"`
	Status      string    `json:"status"` // COMMITTED
	SubsidyFen  agent.Fen `json:"subsidy_fen"`
	SN          string    `json:"sn,omitempty"`
	CommittedAt time.Time `json:"committed_at"`
}

// CancelRequest is the body of POST /v1/vouchers/cancel: release a frozen
// voucher of an abandoned sale. Cancelling an already cancelled or expired
// freeze succeeds (the effect is the same).
type CancelRequest struct {
	RequestNo string `json:"request_no"`
	FrozenNo  string `json:"frozen_no"`
	OrderNo   string `json:"order_no,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// CancelResponse is the data of a successful cancel.
type CancelResponse struct {
	FrozenNo string `json:"frozen_no"`
	Status   string `json:"status"` // CANCELLED
}

// RefundRequest is the body of POST /v1/vouchers/refund.
type RefundRequest struct {
	RequestNo string `json:"request_no"`
	OrderNo   string `json:"order_no"`
	RefundNo  string `json:"refund_no"`
	Reason    string `json:"reason"`
}

// RefundResponse is the data of a successful refund: the SN is unlocked;
// the consumer's quota is restored when the category rule says so.
type RefundResponse struct {
	OrderNo       string    `json:"order_no"`
	RefundNo      string    `json:"refund_no"`
	Status        string    `json:"status"` // REFUNDED
	SubsidyFen    agent.Fen `json:"subsidy_fen"`
	SNUnlocked    bool      `json:"sn_unlocked"`
	QuotaRestored bool      `json:"quota_restored"`
	RefundedAt    time.Time `json:"refunded_at"`
}

// Transaction is one offline-captured sale reported in a batch. The platform
// checks it as a try and a commit in one step. RequestNo is the item's
// idempotency key (the outbox item's); OrderNo is unique per terminal.
type Transaction struct {
	RequestNo string `json:"request_no"`
	OrderNo   string `json:"order_no"`
	AuthCode  string `json:"auth_code"`
	// CountyCode is optional: the platform checks the voucher's region
	// against the enrolled store's county; when set it must equal it.
	CountyCode string       `json:"county_code,omitempty"`
	TransTime  time.Time    `json:"trans_time"`
	Amounts    Amounts      `json:"amounts"`
	Product    ProductRef   `json:"product"`
	SN         string       `json:"sn,omitempty"`
	TradeIn    *TradeInWire `json:"trade_in,omitempty"`
	PaymentRef string       `json:"payment_ref"`
	// RuleSetID is the rule set the sale was computed under, the one in
	// force at TransTime (optional for terminals that predate rule sets).
	RuleSetID string `json:"rule_set_id,omitempty"`
}

// TransactionBatch is the body of POST /v1/transactions/batch. RequestNo
// identifies this exact batch (a replay returns the original BatchResult);
// each item is also idempotent on its own request_no, so an item sent again
// in a different batch comes back DUPLICATE with its original result.
type TransactionBatch struct {
	RequestNo string        `json:"request_no"`
	Items     []Transaction `json:"items"`
}

// PickupItem is one recycler pickup reported in a batch; ID is unique.
type PickupItem struct {
	RequestNo     string    `json:"request_no"`
	ID            string    `json:"id"`
	TicketNo      string    `json:"ticket_no"`
	OrderNo       string    `json:"order_no"`
	RecyclerID    string    `json:"recycler_id"`
	Condition     string    `json:"condition"`
	WeightGrams   int       `json:"weight_grams"`
	CertificateNo string    `json:"certificate_no"`
	PhotoSHA256   string    `json:"photo_sha256,omitempty"`
	At            time.Time `json:"at"`
}

// PickupBatch is the body of POST /v1/pickups/batch; idempotency as for
// TransactionBatch.
type PickupBatch struct {
	RequestNo string       `json:"request_no"`
	Items     []PickupItem `json:"items"`
}

// PickupResponse is the original result of an accepted pickup.
type PickupResponse struct {
	ID         string    `json:"id"`
	TicketNo   string    `json:"ticket_no"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Batch item statuses.
const (
	ItemAccepted  = "ACCEPTED"
	ItemDuplicate = "DUPLICATE"
	ItemRejected  = "REJECTED"
)

// BatchItemResult is the platform's verdict on one batch item, in request
// order. ACCEPTED and DUPLICATE carry the original result (Commit for
// transactions, Pickup for pickups); REJECTED carries Code and Message.
// A DUPLICATE of an item that was rejected first is REJECTED again with
// the original code.
type BatchItemResult struct {
	RequestNo string          `json:"request_no"`
	Key       string          `json:"key"` // order_no or pickup id
	Status    string          `json:"status"`
	Code      string          `json:"code,omitempty"`
	Message   string          `json:"message,omitempty"`
	Commit    *CommitResponse `json:"commit,omitempty"`
	Pickup    *PickupResponse `json:"pickup,omitempty"`
}

// Err returns the item's rejection as an *agent.Error, or nil when the
// item was accepted or a duplicate.
func (r BatchItemResult) Err() error {
	if r.Status != ItemRejected {
		return nil
	}
	return &agent.Error{Code: agent.Code(r.Code), Detail: r.Message}
}

// BatchResult is the data of both batch endpoints.
type BatchResult struct {
	Items []BatchItemResult `json:"items"`
}

// DaySummary is the data of GET /v1/summary/day: the calling terminal's
// totals of one China-time calendar day, for reconciliation with the
// terminal's daily report. Sales counts the sales whose trans_time falls
// on the day (online and offline, refunded later or not) and the amounts
// are theirs; Refunds and RefundedFen count refunds made on the day;
// Pickups the pickups made on the day.
type DaySummary struct {
	Date          string                `json:"date"` // YYYY-MM-DD
	TerminalNo    string                `json:"terminal_no"`
	Sales         int                   `json:"sales"`
	Refunds       int                   `json:"refunds"`
	FinalPriceFen agent.Fen             `json:"final_price_fen"`
	SubsidyFen    agent.Fen             `json:"subsidy_fen"`
	PayFen        agent.Fen             `json:"pay_fen"`
	RefundedFen   agent.Fen             `json:"refunded_subsidy_fen"`
	TradeIns      int                   `json:"trade_ins"`
	Pickups       int                   `json:"pickups"`
	ByCategory    []agent.CategoryTotal `json:"by_category"`
}

// DateLayout is the format of DaySummary.Date and the date query parameter.
const DateLayout = "2006-01-02"

// AuditHeadRequest is the body of POST /v1/terminals/audit-head: the head
// of the terminal's hash-chained audit log (agent/store/audit.go), sent
// after every delivery so that the platform keeps a copy nobody at the
// shop can edit. SinceSeq/SinceHash are the terminal's own entry at the
// seq the platform anchored last (its answer's AnchoredSeq): they prove the
// new head extends the anchored one. A terminal that does not know that seq
// yet sends 0 and GenesisHash, and is answered PROOF_NEEDED with it.
//
// CheckOnly asks for the verdict without anchoring the head or flagging
// the terminal (terminalctl doctor, which changes nothing anywhere).
type AuditHeadRequest struct {
	AuditSeq  int64  `json:"audit_seq"`
	AuditHash string `json:"audit_hash"`
	SinceSeq  int64  `json:"since_seq"`
	SinceHash string `json:"since_hash"`
	CheckOnly bool   `json:"check_only,omitempty"`
}

// AuditHeadResponse is the platform's verdict on a reported head.
type AuditHeadResponse struct {
	// Verdict is AnchorOK, AnchorShorter, AnchorDifferent or
	// AnchorProofNeeded.
	Verdict string `json:"verdict"`
	// AnchoredSeq is the seq of the head the platform holds after this
	// request (the one to prove against next time).
	AnchoredSeq int64 `json:"anchored_seq"`
	// Flagged is empty, or the platform's sticky record of the first time
	// this terminal reported a chain shorter than or different from what
	// it reported before; it stays until the platform operator clears it.
	Flagged string `json:"flagged"`
}

// Verdicts of POST /v1/terminals/audit-head.
const (
	AnchorOK          = "OK"           // the head extends (or equals) the anchored one
	AnchorShorter     = "SHORTER"      // the chain ends before the anchored head: entries were removed
	AnchorDifferent   = "DIFFERENT"    // the chain does not contain the anchored head: it was rewritten
	AnchorProofNeeded = "PROOF_NEEDED" // resend with SinceSeq = AnchoredSeq and the terminal's hash there
)

// GenesisHash is the hash "before" the first audit entry (64 zeros).
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"
