// Package agent is the domain core of the trade-in store terminal: money,
// code validation, consumer qualification codes, subsidy rules, the sale
// state machine, fraud checks and personal-data protection.
//
// It imports no UI, serial or HTTP code. It depends on small interfaces
// (see ports.go) that agent/store, sync/ and devices/ satisfy, so every rule
// here can be tested with a fake clock and no I/O.
//
// Every string constant in this file is stored on disk or sent on the wire:
// never renumber or rename them.
package agent

import "time"

// Category is the stable code of a subsidy category ("fridge", "phone", …).
type Category string

// Subsidy categories of the national rule sets seeded by the reference
// platform. Categories are data: a code not listed here works as well, with
// its names, group and conditions taken from the rule set that carries it.
const (
	CatFridge        Category = "fridge"
	CatWasher        Category = "washer"
	CatTV            Category = "tv"
	CatAirCond       Category = "air_conditioner"
	CatComputer      Category = "computer"
	CatWaterHeater   Category = "water_heater"
	CatHob           Category = "hob"
	CatRangeHood     Category = "range_hood"
	CatWaterPurifier Category = "water_purifier"
	CatDishwasher    Category = "dishwasher"
	CatRiceCooker    Category = "rice_cooker"
	CatMicrowave     Category = "microwave"
	CatPhone         Category = "phone"
	CatTablet        Category = "tablet"
	CatSmartwatch    Category = "smartwatch"
	CatSmartGlasses  Category = "smart_glasses" // national from 2026
	CatHomeReno      Category = "home_renovation"
	CatEBike         Category = "ebike"
)

// Group is the programme group a category belongs to.
type Group string

const (
	GroupAppliance Group = "appliance"
	GroupDigital   Group = "digital"
	GroupHome      Group = "home"
	GroupEBike     Group = "ebike"
)

// Product is one entry of the national product library as cached locally.
type Product struct {
	Barcode     string   `json:"barcode"` // GTIN, usually 13 digits starting 69
	Name        string   `json:"name"`
	Brand       string   `json:"brand"`
	Model       string   `json:"model"`
	Category    Category `json:"category"`
	EnergyGrade int      `json:"energy_grade"` // 1..5; 0 when the category has no grade
	// WaterGrade is the water-efficiency grade (1..5; 0 when the product
	// has none). Rules that subsidise "energy or water efficiency grade N"
	// take the better of the two (see ComputeSubsidy): a washer with
	// energy grade 2 and water grade 1 qualifies as grade 1.
	WaterGrade    int    `json:"water_grade,omitempty"`
	FiledPriceFen Fen    `json:"filed_price_fen"`
	SNRequired    bool   `json:"sn_required"`
	Status        string `json:"status"` // ProductActive or ProductDelisted
}

const (
	ProductActive   = "ACTIVE"
	ProductDelisted = "DELISTED"
)

// Rules is one rule set of the programme: served by GET /v1/rules among
// the other sets that cover the store (see RuleSets) and cached by the
// terminal. A rule set is in force during its effective period
// [CampaignStart, CampaignEnd) for the stores its RegionPrefix covers.
// Rates are in basis points (1/10000) so that all arithmetic stays in
// integers.
type Rules struct {
	// ID names the rule set for good ("CN-2026"): it is stored with every
	// sale computed under the set, printed on the receipt and sent to the
	// platform, which judges the sale by the same set.
	ID string `json:"id"`
	// Version changes whenever the platform republishes the set.
	Version string `json:"version"`
	// CampaignStart and CampaignEnd bound the effective period, China
	// time; the end is exclusive and a zero bound is open.
	CampaignStart time.Time      `json:"campaign_start"`
	CampaignEnd   time.Time      `json:"campaign_end"`
	RegionPrefix  string         `json:"region_prefix"` // "" national, or a province/city/county code prefix, e.g. "11" or "1101"
	Categories    []CategoryRule `json:"categories"`
	Offline       OfflinePolicy  `json:"offline"`
	// Paused, when set, suspends the whole set (campaign closed for the
	// region: funds used up, audit); sales under it are refused with
	// CodeCampaignClosed until the platform resumes it.
	Paused *Pause `json:"paused,omitempty"`
}

// Pause is the platform's suspension of a rule set or of one category.
type Pause struct {
	Message  string    `json:"message"`             // why, for the status bar and the product step
	ResumeAt time.Time `json:"resume_at,omitempty"` // announced resumption; zero when unknown
}

// CategoryRule is the subsidy rule of one category.
type CategoryRule struct {
	Category Category `json:"category"`
	Group    Group    `json:"group"`
	NameZH   string   `json:"name_zh"`
	NameEN   string   `json:"name_en"`
	// GradeRatesBP maps an energy/water grade ("1", "2") to a rate in basis
	// points. When non-empty, a product whose grade is absent is not eligible.
	GradeRatesBP map[string]int `json:"grade_rates_bp,omitempty"`
	// RateBP applies when GradeRatesBP is empty (digital products).
	RateBP int `json:"rate_bp,omitempty"`
	// ElderlyRateBP, when set, replaces the rate for elderly-friendly products.
	ElderlyRateBP int `json:"elderly_rate_bp,omitempty"`
	// FixedFen, when set, is the subsidy regardless of price (e-bikes).
	FixedFen Fen `json:"fixed_fen,omitempty"`
	CapFen   Fen `json:"cap_fen"`
	// PriceCeilingFen, when set, is the highest final price that is eligible.
	PriceCeilingFen       Fen  `json:"price_ceiling_fen,omitempty"`
	PerConsumerLimit      int  `json:"per_consumer_limit"` // items per consumer in the campaign
	TradeInRequired       bool `json:"trade_in_required"`
	SNRequired            bool `json:"sn_required"`
	QuotaRestoredOnRefund bool `json:"quota_restored_on_refund"`
	// Paused, when set, suspends the category (its funds are used up):
	// sales are refused with CodeCategoryPaused, offline too.
	Paused *Pause `json:"paused,omitempty"`
}

// OfflinePolicy bounds what the terminal may sell while the platform is
// unreachable (docs/DOMAIN.md).
type OfflinePolicy struct {
	SignedCodesOnly      bool          `json:"signed_codes_only"`
	MaxSubsidyPerSaleFen Fen           `json:"max_subsidy_per_sale_fen"`
	MaxPendingSubsidyFen Fen           `json:"max_pending_subsidy_fen"`
	MaxOldestPending     time.Duration `json:"max_oldest_pending_ns"`
}

// SaleState is a state of the sale state machine (see salestate.go).
type SaleState string

const (
	SaleDraft           SaleState = "DRAFT"
	SaleFrozen          SaleState = "FROZEN"           // online: voucher frozen by the platform
	SaleOfflineAccepted SaleState = "OFFLINE_ACCEPTED" // offline: passed the local checks
	SalePaid            SaleState = "PAID"             // remainder paid, payment reference recorded
	SaleCommitted       SaleState = "COMMITTED"        // durable locally; outbox row written
	SaleCancelled       SaleState = "CANCELLED"
	SaleRefunded        SaleState = "REFUNDED"
	SaleReview          SaleState = "REVIEW" // rejected by the platform after sync
)

// Consumer identifies the subsidy holder of a sale. Sensitive fields are
// never logged; Masked is what screens and receipts show.
type Consumer struct {
	AuthCode  string `json:"auth_code"`  // the scanned qualification code
	VoucherID string `json:"voucher_id"` // from signed claims or from the platform
	CRef      string `json:"cref"`       // stable consumer reference (not personal data)
	Region    string `json:"region"`     // 6-digit region code of the voucher
	Signed    bool   `json:"signed"`     // true when AuthCode is a verified TIQ1 code
	Masked    string `json:"masked"`     // e.g. "王*", "138****5678"
	// Phone is the consumer's contact for the old-appliance pickup, typed by
	// the clerk when a trade-in needs collecting. Sensitive personal data:
	// agent/store encrypts it (and AuthCode) at rest; screens show MaskPhone.
	Phone string `json:"phone,omitempty"`
}

// TradeIn is the old appliance handed in with a sale.
type TradeIn struct {
	TicketNo  string   `json:"ticket_no"`
	Category  Category `json:"category"`
	Brand     string   `json:"brand"`
	Model     string   `json:"model"`
	Condition string   `json:"condition"` // "GOOD", "WORN", "BROKEN"
	PriceFen  Fen      `json:"price_fen"` // what the shop pays for the old appliance
}

// Sale is one subsidised sale. OrderNo is the terminal-unique key.
type Sale struct {
	OrderNo    string    `json:"order_no"`
	TerminalNo string    `json:"terminal_no"`
	StaffID    string    `json:"staff_id"`
	State      SaleState `json:"state"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	Consumer Consumer `json:"consumer"`
	Product  Product  `json:"product"`
	SN       string   `json:"sn"`
	TradeIn  *TradeIn `json:"trade_in,omitempty"`

	FinalPriceFen Fen `json:"final_price_fen"` // after all discounts
	SubsidyFen    Fen `json:"subsidy_fen"`
	PayFen        Fen `json:"pay_fen"` // FinalPriceFen - SubsidyFen, paid on the store's terminal

	Offline bool `json:"offline"` // captured without the platform
	// RuleSetID is the Rules.ID of the set in force when the clerk
	// confirmed the sale (its transaction time): the subsidy, the refund's
	// quota flag and the platform's checks all follow that set.
	RuleSetID string `json:"rule_set_id,omitempty"`
	// ConfirmedAt is the sale's transaction time: when the clerk
	// confirmed it (Confirm). The platform computes the sale under the set
	// in force then, however late the sale is delivered.
	ConfirmedAt time.Time `json:"confirmed_at,omitempty"`
	RequestNo   string    `json:"request_no"`
	FrozenNo    string    `json:"frozen_no,omitempty"`
	FrozenUntil time.Time `json:"frozen_until,omitempty"`
	PaymentRef  string    `json:"payment_ref,omitempty"`

	Warnings     []Warning `json:"warnings,omitempty"`
	RejectCode   string    `json:"reject_code,omitempty"`
	RejectReason string    `json:"reject_reason,omitempty"`
	RefundNo     string    `json:"refund_no,omitempty"`
	RefundReason string    `json:"refund_reason,omitempty"`

	// Review resolution by a manager (see Session.ResolveReview): a sale in
	// REVIEW or with warnings leaves the review list once resolved.
	ReviewedBy string    `json:"reviewed_by,omitempty"`
	ReviewedAt time.Time `json:"reviewed_at,omitempty"`
	ReviewNote string    `json:"review_note,omitempty"`
}

// Warning is a fraud-check finding that goes to the manager's review list.
type Warning struct {
	Code   string `json:"code"` // stable, e.g. "SN_SEEN_BEFORE", "MODEL_BURST"
	Detail string `json:"detail"`
}

// Pickup is a recycler's record of collecting an old appliance.
type Pickup struct {
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

// Role gates screens and actions.
type Role string

const (
	RoleClerk    Role = "CLERK"
	RoleRecycler Role = "RECYCLER"
	RoleManager  Role = "MANAGER"
	RoleSupport  Role = "SUPPORT"
)

// Staff is a person who can log in. The PIN is stored only as an argon2id hash.
type Staff struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Role        Role      `json:"role"`
	PINHash     string    `json:"-"`
	FailedTries int       `json:"failed_tries"`
	LockedUntil time.Time `json:"locked_until"`
	Active      bool      `json:"active"`
}

// Version is the program version, stamped by the build
// (-ldflags "-X tradein/agent.Version=…"); every binary's --version prints it.
var Version = "dev"
