package agent

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Deps are the ports the Terminal needs; cmd/tradein-terminal wires them
// (agent/store for Store, Outbox and Library, sync/ for Platform and Online,
// devices/ for Printer).
type Deps struct {
	Store  Store  // required
	Outbox Outbox // optional: queue inspection for the daily report's pending count
	// Library is optional: Status reports its version when set.
	Library Library
	// Platform is the central platform for the calls a clerk waits for.
	// nil, Online() == false or ErrPlatformDown from a call => offline path.
	Platform Platform
	// Printer is the receipt spooler; nil means no receipts (tests, or a
	// terminal without a printer).
	Printer ReceiptPrinter
	Clock   Clock // nil => SystemClock
	Info    StoreInfo
	// PlatformKey verifies TIQ1 consumer codes without the platform.
	PlatformKey ed25519.PublicKey
	// Online is sync/'s view of connectivity; nil => the value last given
	// to SetOnline (true until told otherwise).
	Online func() bool
	// VerifyURLBase is prefixed to the order number for the receipt's
	// verification QR code, e.g. "https://verify.example/r/".
	VerifyURLBase string
	// PhotosDir receives pickup photos, named by their SHA-256. Required
	// only for pickups with a photo.
	PhotosDir string
	Logger    *slog.Logger // nil => slog.Default()
	// Disk, when set, reports whether the data directory can take writes:
	// nil, a *DiskFullError (naming how much to free) or a CodeReadOnly
	// error. Status calls it, so the status bar shows disk trouble before
	// a sale fails on it.
	Disk func() error
}

// Status is what the status bar shows.
type Status struct {
	Online                bool
	QueueDepth            int       // outbox items of any kind
	OldestPending         time.Time // CreatedAt of the oldest outbox item; zero when empty
	OfflineDeadline       time.Time // oldest pending item + offline policy max age; zero when nothing waits
	PendingOfflineSubsidy Fen
	OfflineSales          int // offline sales not yet accepted by the platform
	LibraryVersion        int64
	RulesVersion          string // "ID@version" of the sets in force, most specific first; "" before the first rules refresh
	// Rules is the outlook of the cached sets at the time of the status:
	// the sets in force, the change coming within a week, the pauses.
	Rules           RulesOutlook
	Devices         []DeviceStatus
	FailedPrintJobs int
	// Disk is why the data directory cannot take a write now (a
	// *DiskFullError or a CodeReadOnly error, from Deps.Disk), else nil.
	Disk error
	// Problems lists what Status could not read, and disk trouble
	// (English, for support); empty when everything answered.
	Problems []string
}

// scanBuffer is how many scans wait for the UI before the oldest is dropped.
// A person scans at most a few codes a second; 32 covers a UI that is busy
// for several seconds without letting stale scans pile up.
const scanBuffer = 32

// Terminal is the agent the UI talks to: it logs staff in, runs the sale,
// pickup and manager workflows against the ports in Deps, fans scanner
// events out to the UI and collects device status. It is safe for
// concurrent use.
type Terminal struct {
	store    Store
	outbox   Outbox
	library  Library
	platform Platform
	printer  ReceiptPrinter
	clock    Clock
	info     StoreInfo
	key      ed25519.PublicKey
	onlineFn func() bool
	verify   string
	photos   string
	log      *slog.Logger
	disk     func() error

	ids       *idGen
	ticketSeq atomic.Int64
	online    atomic.Bool
	loginMu   sync.Mutex // serialises Login so failure counts are never lost
	dummyOnce sync.Once  // makes dummyHash for burnPINCheck
	dummyHash string
	phantoms  phantomLogins // failure counts of unknown and inactive staff IDs (loginphantom.go); loginMu held
	// mutMu serialises the read-modify-write of stored sales, staff and
	// pickups by managers and recyclers (refund, review, staff admin,
	// pickups), so two screens cannot both act on the same record.
	mutMu sync.Mutex
	scans chan ScanEvent
	// live holds the order numbers of wizards between NewSale and
	// Commit/Cancel (string -> struct{}), so Recover never touches a sale a
	// clerk is still working on.
	live sync.Map

	devMu   sync.Mutex
	devices map[string]DeviceStatus // guarded by devMu, keyed by Name

	recMu       sync.Mutex
	interrupted []InterruptedSale // guarded by recMu; what Recover finished, until dismissed
}

// NewTerminal checks the deps and returns a Terminal.
func NewTerminal(d Deps) (*Terminal, error) {
	if d.Store == nil {
		return nil, errors.New("agent: NewTerminal: Deps.Store is required")
	}
	if d.Clock == nil {
		d.Clock = SystemClock{}
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.PlatformKey != nil && len(d.PlatformKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("agent: NewTerminal: platform key has %d bytes, want %d", len(d.PlatformKey), ed25519.PublicKeySize)
	}
	t := &Terminal{
		store:    d.Store,
		outbox:   d.Outbox,
		library:  d.Library,
		platform: d.Platform,
		printer:  d.Printer,
		clock:    d.Clock,
		info:     d.Info,
		key:      d.PlatformKey,
		onlineFn: d.Online,
		verify:   d.VerifyURLBase,
		photos:   d.PhotosDir,
		log:      d.Logger,
		disk:     d.Disk,
		ids:      newIDGen(d.Info.TerminalNo),
		scans:    make(chan ScanEvent, scanBuffer),
		devices:  map[string]DeviceStatus{},
	}
	t.online.Store(true)
	// Ticket numbers carry seq mod 10000 next to the second they were
	// issued in; a random start keeps a restart within the same second
	// from repeating the previous process's numbers.
	t.ticketSeq.Store(rand.Int64N(10000))
	return t, nil
}

// Info returns the enrolled store and terminal.
func (t *Terminal) Info() StoreInfo { return t.info }

// Rules returns the cached rule sets (category names for screens and
// reports: RuleSets.CategoryNames; the sets of old sales by ID);
// CodeRulesMissing before the first rules refresh.
func (t *Terminal) Rules(ctx context.Context) (RuleSets, error) {
	r, err := t.store.Rules(ctx)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodeRulesMissing, "subsidy rules have not been downloaded from the platform yet")
	}
	if err != nil {
		return nil, internal("read rules", err)
	}
	return r, nil
}

// SetOnline records sync/'s latest view of connectivity. It is used when
// Deps.Online is nil.
func (t *Terminal) SetOnline(online bool) { t.online.Store(online) }

// isOnline reports whether the platform should be tried: a platform is
// configured and the connectivity view says it is reachable.
func (t *Terminal) isOnline() bool {
	if t.platform == nil {
		return false
	}
	if t.onlineFn != nil {
		return t.onlineFn()
	}
	return t.online.Load()
}

// Now is the time on the terminal's clock (injected in tests). The UI
// times the keys of a keyboard-wedge scanner with it (Wedge) and chooses
// the rule set in force by it, so tests drive everything with one fake
// clock.
func (t *Terminal) Now() time.Time { return t.clock.Now() }

// HandleScan delivers a scan to the UI. Devices call it from their own
// goroutines. An event without a Kind is classified here. When the UI has
// not kept up and the buffer is full, the oldest waiting scan is dropped:
// the newest scan is what the person in front of the counter expects to see.
func (t *Terminal) HandleScan(ev ScanEvent) {
	if ev.Kind == "" {
		ev.Kind, ev.Value = Classify(ev.Value)
	}
	if ev.At.IsZero() {
		ev.At = t.clock.Now()
	}
	for {
		select {
		case t.scans <- ev:
			return
		default:
		}
		select {
		case <-t.scans: // drop the oldest and try again
			t.log.Warn("scan buffer full; dropped the oldest scan")
		default:
		}
	}
}

// Scans is the stream of scans for the UI. There is one stream: the UI
// subscribes once and dispatches to the screen on top.
func (t *Terminal) Scans() <-chan ScanEvent { return t.scans }

// ReportDevice records a scanner's or printer's state; devices call it on
// every change. Status returns the latest report per device name.
func (t *Terminal) ReportDevice(ds DeviceStatus) {
	if ds.At.IsZero() {
		ds.At = t.clock.Now()
	}
	t.devMu.Lock()
	prev, seen := t.devices[ds.Name]
	t.devices[ds.Name] = ds
	t.devMu.Unlock()
	if !seen || prev.State != ds.State || prev.Code != ds.Code {
		t.log.Info("device state", "device", ds.Name, "port", ds.Port, "state", ds.State, "code", ds.Code)
	}
}

// Status gathers what the status bar shows. It never fails: parts that
// cannot be read are left zero and named in Problems.
func (t *Terminal) Status(ctx context.Context) Status {
	st := Status{Online: t.isOnline()}
	if t.disk != nil {
		if err := t.disk(); err != nil {
			st.Disk = err
			st.Problems = append(st.Problems, "disk: "+err.Error())
		}
	}
	if p, err := t.store.Pending(ctx); err != nil {
		st.Problems = append(st.Problems, "pending: "+err.Error())
	} else {
		st.QueueDepth = p.Items
		st.OldestPending = p.OldestPendingSince
		st.OfflineSales = p.OfflineSales
		st.PendingOfflineSubsidy = p.OfflineSubsidyFen
	}
	if rs, err := t.store.Rules(ctx); err == nil {
		now := t.clock.Now()
		st.Rules = rs.Outlook(t.info.CountyCode, now)
		var vs []string
		for _, r := range rs.InForce(t.info.CountyCode, now) {
			vs = append(vs, r.ID+"@"+r.Version)
		}
		st.RulesVersion = strings.Join(vs, ", ")
		// Offline selling stops when the oldest unsynced item of any kind
		// is too old (CheckOffline), so the deadline runs whenever
		// anything waits, not only offline sales.
		if dl, ok := OfflineDeadline(st.Rules.Offline, PendingSummary{OldestPendingSince: st.OldestPending}); ok {
			st.OfflineDeadline = dl
		}
	} else if !errors.Is(err, ErrNotFound) {
		st.Problems = append(st.Problems, "rules: "+err.Error())
	}
	if t.library != nil {
		if v, err := t.library.LibraryVersion(ctx); err != nil {
			st.Problems = append(st.Problems, "library: "+err.Error())
		} else {
			st.LibraryVersion = v
		}
	}
	if t.printer != nil {
		if jobs, err := t.printer.FailedJobs(ctx); err != nil {
			st.Problems = append(st.Problems, "print jobs: "+err.Error())
		} else {
			st.FailedPrintJobs = len(jobs)
		}
	}
	t.devMu.Lock()
	for _, d := range t.devices {
		st.Devices = append(st.Devices, d)
	}
	t.devMu.Unlock()
	sort.Slice(st.Devices, func(i, j int) bool { return st.Devices[i].Name < st.Devices[j].Name })
	return st
}

// audit appends one audit entry at the clock's time.
func (t *Terminal) audit(ctx context.Context, actor, action, subject, detail string) error {
	return t.store.Audit(ctx, AuditEntry{At: t.clock.Now(), Actor: actor, Action: action, Subject: subject, Detail: detail})
}

// auditOrLog appends an audit entry for an event whose own outcome does not
// depend on it (a refused login); a store failure is logged instead.
func (t *Terminal) auditOrLog(ctx context.Context, actor, action, subject, detail string) {
	if err := t.audit(ctx, actor, action, subject, detail); err != nil {
		t.log.Error("audit", "action", action, "err", err)
	}
}

// nextTicketNo returns a new trade-in ticket number.
func (t *Terminal) nextTicketNo(now time.Time) string {
	return NewTicketNo(now, t.info.TerminalNo, int(t.ticketSeq.Add(1)))
}

// internal wraps an unexpected store failure as CodeInternal.
func internal(what string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Code: CodeInternal, Detail: what, Err: err}
}

// categoryNamesZH returns the Chinese names of cats from the cached rule
// sets as of `at` (RuleSets.CategoryNames): receipts print the names the
// rules give, never a fixed table. A category no set names is left out.
func (t *Terminal) categoryNamesZH(ctx context.Context, at time.Time, cats ...Category) map[Category]string {
	rs, err := t.store.Rules(ctx)
	if err != nil {
		return nil
	}
	out := map[Category]string{}
	for _, c := range cats {
		if zh, _, ok := rs.CategoryNames(c, t.info.CountyCode, at); ok && zh != "" {
			out[c] = zh
		}
	}
	return out
}
