package agent

import (
	"context"
	"time"
)

// This file holds the small interfaces the domain core depends on.
// agent/store satisfies Store, sync/ satisfies Platform, devices/ satisfies
// the printer side. Tests pass real implementations (SQLite in a temp dir,
// cmd/platform-sim on loopback) or a fake clock.

// Clock tells the time. Pass a fake in tests; never call time.Now in agent.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

// OutboxKind says which platform call delivers an outbox item. Stored on disk.
type OutboxKind string

const (
	OutboxSaleCommit  OutboxKind = "SALE_COMMIT"  // online sale: POST /v1/vouchers/commit
	OutboxSaleOffline OutboxKind = "SALE_OFFLINE" // offline sale: POST /v1/transactions/batch
	OutboxCancel      OutboxKind = "CANCEL"       // POST /v1/vouchers/cancel
	OutboxRefund      OutboxKind = "REFUND"       // POST /v1/vouchers/refund
	OutboxPickup      OutboxKind = "PICKUP"       // POST /v1/pickups/batch
)

// OutboxItem is one message waiting for the platform. Items drain in Seq
// order and are removed only when the platform confirmed them.
type OutboxItem struct {
	Seq       int64      `json:"seq"` // assigned by the store, increasing
	Kind      OutboxKind `json:"kind"`
	RequestNo string     `json:"request_no"` // the idempotency key sent to the platform
	OrderNo   string     `json:"order_no"`
	// Payload is the JSON of the domain object at the time it was queued:
	// a Sale for the sale, cancel and refund kinds, a Pickup for pickups.
	// sync/ maps it to the wire request when it sends it, so the agent never
	// depends on the wire format.
	Payload       []byte    `json:"payload"`
	CreatedAt     time.Time `json:"created_at"`
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastError     string    `json:"last_error,omitempty"`
}

// AuditEntry is one link of the hash-chained audit log. The store fills
// Seq, PrevHash and Hash; callers fill the rest. Detail never contains
// personal data.
type AuditEntry struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`   // staff ID or "system"
	Action   string    `json:"action"`  // e.g. "sale.commit", "sale.refund", "staff.pin_reset"
	Subject  string    `json:"subject"` // e.g. the order number
	Detail   string    `json:"detail"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// PrintJobState is the state of a receipt print job. Stored on disk.
type PrintJobState string

const (
	PrintQueued  PrintJobState = "QUEUED"
	PrintDone    PrintJobState = "PRINTED"
	PrintFailed  PrintJobState = "FAILED"  // waiting for the operator: retry or skip
	PrintSkipped PrintJobState = "SKIPPED" // the operator chose not to print
)

// PrintJob is one receipt to print. A job is separate from the sale: a
// failed print never loses a sale, and a reprint is a new job marked Reprint.
type PrintJob struct {
	ID        string        `json:"id"`
	OrderNo   string        `json:"order_no"`
	Kind      string        `json:"kind"` // "SALE", "REFUND", "TRADE_IN_TICKET", "DAILY", "DIAGNOSTICS"
	Reprint   bool          `json:"reprint"`
	Data      []byte        `json:"data"` // the encoded ESC/POS bytes
	State     PrintJobState `json:"state"`
	Attempts  int           `json:"attempts"`
	LastError string        `json:"last_error,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	PrintedAt time.Time     `json:"printed_at,omitempty"`
}

// SaleFilter selects sales for lists and reports. Zero fields match all.
type SaleFilter struct {
	From, To time.Time // CreatedAt in [From, To)
	States   []SaleState
	Category Category
	Query    string // order number, SN or barcode substring
	Limit    int
}

// PendingSummary describes what still waits for the platform.
type PendingSummary struct {
	Items              int       // outbox items of any kind
	OfflineSales       int       // offline sales not yet accepted by the platform
	OfflineSubsidyFen  Fen       // their subsidy total
	OldestPendingSince time.Time // CreatedAt of the oldest outbox item; zero when empty
}

// Store is the terminal's durable state (agent/store implements it with
// SQLite). Methods that take an AuditEntry and outbox items write all of
// them in ONE transaction: either everything is durable or nothing is.
type Store interface {
	// SaveSale inserts or updates the sale, appends the audit entry and
	// enqueues the outbox items, atomically.
	SaveSale(ctx context.Context, s Sale, a AuditEntry, out ...OutboxItem) error
	// CommitSale is SaveSale for the step that makes a sale COMMITTED: the
	// sale, its audit entry, its outbox item and, when job is non-nil, its
	// receipt's print job, atomically. A crash right after the commit then
	// can never leave a paid sale without its receipt.
	CommitSale(ctx context.Context, s Sale, a AuditEntry, item OutboxItem, job *PrintJob) error
	Sale(ctx context.Context, orderNo string) (Sale, error) // ErrNotFound
	Sales(ctx context.Context, f SaleFilter) ([]Sale, error)
	// SalesBySN returns sales of the serial number in any state, newest first.
	SalesBySN(ctx context.Context, sn string) ([]Sale, error)
	// SalesByConsumer returns the consumer's sales created at or after since.
	SalesByConsumer(ctx context.Context, cref string, since time.Time) ([]Sale, error)
	// SalesByVoucher returns sales that used the voucher, in any state.
	SalesByVoucher(ctx context.Context, voucherID string) ([]Sale, error)
	// SalesOfModel returns sales of the barcode created at or after since.
	SalesOfBarcode(ctx context.Context, barcode string, since time.Time) ([]Sale, error)
	// CommittedWithoutReceipt returns COMMITTED sales updated at or after
	// since that have no print job, oldest first (Recover queues them).
	CommittedWithoutReceipt(ctx context.Context, since time.Time) ([]Sale, error)

	SavePickup(ctx context.Context, p Pickup, a AuditEntry, out ...OutboxItem) error
	PickupByTicket(ctx context.Context, ticketNo string) (Pickup, error) // ErrNotFound

	Product(ctx context.Context, barcode string) (Product, error) // ErrNotFound
	Rules(ctx context.Context) (RuleSets, error)                  // every cached set; ErrNotFound before the first refresh

	Staff(ctx context.Context, id string) (Staff, error)
	ListStaff(ctx context.Context) ([]Staff, error)
	SaveStaff(ctx context.Context, st Staff, a AuditEntry) error

	Pending(ctx context.Context) (PendingSummary, error)
	Audit(ctx context.Context, a AuditEntry) error
}

// SNStatus is the platform's answer to an SN query.
type SNStatus string

const (
	SNSellable    SNStatus = "SELLABLE"
	SNUsed        SNStatus = "USED"      // NOT_SELLABLE(USED)
	SNNotFound    SNStatus = "NOT_FOUND" // NOT_SELLABLE(NOT_FOUND)
	SNUnknownStat SNStatus = "UNKNOWN"
)

// VoucherTry is what the terminal asks the platform to freeze.
type VoucherTry struct {
	RequestNo  string
	AuthCode   string
	Category   Category
	CountyCode string
	Barcode    string
	SN         string
	AmountFen  Fen // final price after all discounts
	// RuleSetID is the set the terminal computed the sale under, in force
	// at TransTime (the moment of the try): the platform judges the freeze
	// and its later commit by that set.
	RuleSetID string
	TransTime time.Time
}

// VoucherFrozen is the platform's answer to a successful try.
type VoucherFrozen struct {
	FrozenNo       string
	VoucherID      string
	MaskedConsumer string
	CRef           string
	DiscountFen    Fen // the subsidy
	PayFen         Fen
	FrozenUntil    time.Time
}

// Platform is the central platform as the sale workflow uses it online.
// Commit, cancel, refund and pickups go through the outbox (sync/ drains it);
// these calls are the ones a clerk waits for. Implementations return
// *Error with platform codes, and ErrPlatformDown when the platform cannot
// be reached.
type Platform interface {
	QuerySN(ctx context.Context, sn string) (SNStatus, error)
	TryVoucher(ctx context.Context, t VoucherTry) (VoucherFrozen, error)
}

// Outbox is the queue that sync/ drains. Items are delivered in Seq order.
type Outbox interface {
	// DueOutbox returns up to limit items whose NextAttemptAt <= now, in Seq order.
	DueOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxItem, error)
	// OutboxItems lists up to limit pending items in Seq order (any due time).
	OutboxItems(ctx context.Context, limit int) ([]OutboxItem, error)
	// CompleteOutbox removes the item the platform confirmed and, in the same
	// transaction, saves the sale's new state (when s is non-nil; e.g. a
	// rejected sale moving to REVIEW) and appends the audit entry.
	CompleteOutbox(ctx context.Context, seq int64, s *Sale, a AuditEntry) error
	// CompleteOutboxBatch is CompleteOutbox for many items in ONE
	// transaction: every item is removed, every non-nil sale saved and every
	// audit entry appended (in slice order), or nothing is. An item that is
	// not queued fails the whole batch with an error matching ErrNotFound.
	CompleteOutboxBatch(ctx context.Context, done []OutboxCompletion) error
	// RetryOutbox records a failed attempt: Attempts+1, NextAttemptAt, LastError.
	RetryOutbox(ctx context.Context, seq int64, next time.Time, lastErr string) error
	// RetryAllNow makes every pending item due now; returns how many.
	RetryAllNow(ctx context.Context) (int, error)
}

// OutboxCompletion is one confirmed item for Outbox.CompleteOutboxBatch:
// the item's Seq, the sale's new state (nil when it does not change) and
// the audit entry recording the outcome.
type OutboxCompletion struct {
	Seq   int64
	Sale  *Sale
	Audit AuditEntry
}

// Library is the local cache of the product library and the rules. A sale
// never sees a half-updated library: pages are staged and switched in one
// transaction.
type Library interface {
	LibraryVersion(ctx context.Context) (int64, error) // 0 before the first sync
	// StageLibraryPage stores one page of the delta from version `from` to
	// `target`, and the page token to resume from (empty after the last page).
	StageLibraryPage(ctx context.Context, from, target int64, items []Product, nextToken string) error
	// LibraryStaging reports an unfinished staged delta, to resume after a crash.
	LibraryStaging(ctx context.Context) (st LibraryStaging, ok bool, err error)
	// CommitLibrary applies the staged delta and sets the version to target,
	// atomically, then clears the staging area.
	CommitLibrary(ctx context.Context, target int64) error
	// DiscardLibraryStaging drops a staged delta (e.g. the platform restarted numbering).
	DiscardLibraryStaging(ctx context.Context) error
	// SaveRules replaces the cached rule sets; it refuses sets that
	// RuleSets.Validate refuses, keeping the last good ones.
	SaveRules(ctx context.Context, rs RuleSets) error
}

// LibraryStaging describes a delta being downloaded.
type LibraryStaging struct {
	From, Target int64
	NextToken    string
	Staged       int // products staged so far
}

// PrintJobs stores receipt print jobs for the spooler (devices/).
type PrintJobs interface {
	EnqueuePrintJob(ctx context.Context, j PrintJob) error
	PrintJob(ctx context.Context, id string) (PrintJob, error) // ErrNotFound
	// PrintJobsIn lists jobs in the given states, oldest first.
	PrintJobsIn(ctx context.Context, states ...PrintJobState) ([]PrintJob, error)
	UpdatePrintJob(ctx context.Context, j PrintJob) error
}

// StoreInfo is the enrolled store and terminal, printed on every receipt.
type StoreInfo struct {
	MerchantNo string `json:"merchant_no"`
	TerminalNo string `json:"terminal_no"`
	StoreName  string `json:"store_name"`
	UniSCID    string `json:"uniscid"`     // 统一社会信用代码
	CountyCode string `json:"county_code"` // 6-digit region code of the store
}

// ReceiptKind names a receipt template. Stored on disk with print jobs.
type ReceiptKind string

const (
	ReceiptSale        ReceiptKind = "SALE"
	ReceiptRefund      ReceiptKind = "REFUND"
	ReceiptTradeIn     ReceiptKind = "TRADE_IN_TICKET"
	ReceiptPickup      ReceiptKind = "PICKUP"
	ReceiptDaily       ReceiptKind = "DAILY"
	ReceiptDiagnostics ReceiptKind = "DIAGNOSTICS"
)

// Receipt is everything a receipt template needs. Only the fields of its
// Kind are set. Personal data arrives already masked.
type Receipt struct {
	Kind      ReceiptKind
	Store     StoreInfo
	Reprint   bool // printed again: the receipt says 重打印
	Sale      *Sale
	Pickup    *Pickup
	Daily     *DailyReport
	Lines     []string  // free lines (diagnostics ticket)
	VerifyURL string    // encoded as the verification QR code
	PrintedAt time.Time // when the receipt was asked for
	// CategoryNames are the Chinese names, from the cached rule sets, of
	// the categories the receipt mentions (RuleSets.CategoryNames); a
	// category without one prints as its code.
	CategoryNames map[Category]string
}

// DailyReport is the day's totals for the manager and the reconciliation
// with GET /v1/summary/day.
type DailyReport struct {
	Day           time.Time       `json:"day"` // local midnight
	Sales         int             `json:"sales"`
	Refunds       int             `json:"refunds"`
	FinalPriceFen Fen             `json:"final_price_fen"`
	SubsidyFen    Fen             `json:"subsidy_fen"`
	PayFen        Fen             `json:"pay_fen"`
	TradeIns      int             `json:"trade_ins"`
	PendingSync   int             `json:"pending_sync"`
	InReview      int             `json:"in_review"`
	ByCategory    []CategoryTotal `json:"by_category"`
}

// CategoryTotal is one category's line of the daily report.
type CategoryTotal struct {
	Category   Category `json:"category"`
	Sales      int      `json:"sales"`
	SubsidyFen Fen      `json:"subsidy_fen"`
	FinalFen   Fen      `json:"final_fen"`
}

// ReceiptPrinter renders receipts and queues them on the spooler
// (devices/ implements it). PrintReceipt returns once the job is stored;
// printing happens in the background and a failure never affects the sale.
type ReceiptPrinter interface {
	PrintReceipt(ctx context.Context, r Receipt) (jobID string, err error)
	// PrepareReceipt renders r into a QUEUED job with its ID without
	// storing it: the sale's commit stores it in its own transaction
	// (Store.CommitSale), then calls Wake.
	PrepareReceipt(ctx context.Context, r Receipt) (PrintJob, error)
	// Wake tells the spooler that a job was stored by someone else.
	Wake()
	// FailedJobs lists jobs waiting for the operator (printer problem).
	FailedJobs(ctx context.Context) ([]PrintJob, error)
	RetryJob(ctx context.Context, jobID string) error
	SkipJob(ctx context.Context, jobID string) error
}

// ScanKind is what a scanned string was recognised as (see Classify).
type ScanKind string

const (
	ScanProduct  ScanKind = "PRODUCT"  // valid GTIN-8/12/13/14
	ScanIMEI     ScanKind = "IMEI"     // 15 digits, Luhn
	ScanSN       ScanKind = "SN"       // printable [A-Za-z0-9-], 6–32
	ScanConsumer ScanKind = "CONSUMER" // TIQ1.… qualification code
	ScanTicket   ScanKind = "TICKET"   // trade-in ticket number (TI…)
	ScanUnknown  ScanKind = "UNKNOWN"
)

// ScanEvent is one scan delivered to the agent by a scanner driver.
type ScanEvent struct {
	Kind      ScanKind
	Value     string
	Source    string // device name, e.g. "serial:/dev/ttyUSB0", "wedge", "image"
	Symbology string // AIM identifier when the scanner sent one, e.g. "]E0"
	At        time.Time
}

// DeviceState follows UnifiedPOS: closed, idle, busy, error.
type DeviceState string

const (
	DeviceClosed DeviceState = "CLOSED"
	DeviceIdle   DeviceState = "IDLE"
	DeviceBusy   DeviceState = "BUSY"
	DeviceError  DeviceState = "ERROR"
)

// DeviceStatus is what the status bar shows of a scanner or printer.
type DeviceStatus struct {
	Name     string // "scanner", "printer"
	Port     string // e.g. "/dev/ttyUSB0"
	State    DeviceState
	Detail   string // e.g. "paper out", "cover open" (English; UI translates codes)
	Code     string // stable detail code: "PAPER_OUT", "COVER_OPEN", "OFFLINE", "PAPER_NEAR_END", "DISCONNECTED"
	Counters map[string]int64
	At       time.Time
}
