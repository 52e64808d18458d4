package agent

import (
	"fmt"
	"time"
)

// The offline policy (docs/DOMAIN.md, "Offline"). While the platform is
// unreachable the terminal sells only within limits the platform set in the
// rules; each sale it accepts is the store's risk until the platform has
// confirmed it.

// OfflineReason names the limit that refused an offline sale. Stable: the UI
// turns it into words for the clerk.
type OfflineReason string

const (
	OfflineSignedOnly    OfflineReason = "SIGNED_CODES_ONLY"      // the consumer code needs the platform
	OfflineVoucherUsed   OfflineReason = "VOUCHER_USED_LOCALLY"   // this terminal already used the voucher
	OfflineSNUsed        OfflineReason = "SN_USED_LOCALLY"        // this terminal already sold the SN
	OfflineSaleCap       OfflineReason = "PER_SALE_CAP"           // the subsidy exceeds the per-sale limit
	OfflinePendingCap    OfflineReason = "PENDING_CAP"            // unsynced offline subsidy would exceed the limit
	OfflineTooOld        OfflineReason = "OLDEST_PENDING_TOO_OLD" // a sale has waited too long for the platform
	OfflineNoPolicyLimit OfflineReason = "NO_POLICY"              // the rules set no offline limits
)

// OfflineCheck is everything CheckOffline needs besides the sale.
type OfflineCheck struct {
	Policy  OfflinePolicy
	Pending PendingSummary // what still waits for the platform, this sale excluded
	// VoucherUsedLocally and SNUsedLocally report whether another sale of
	// this terminal that holds its SN (see HoldsSN) used the voucher or the
	// serial number: the local one-voucher-once and one-SN-once checks.
	VoucherUsedLocally bool
	SNUsedLocally      bool
	Now                time.Time
}

// offlineRefusal is the cause carried by a CodeOfflineRefused error.
type offlineRefusal struct{ reason OfflineReason }

func (r offlineRefusal) Error() string { return string(r.reason) }

func refuseOffline(reason OfflineReason, format string, args ...any) error {
	return &Error{Code: CodeOfflineRefused, Detail: string(reason) + ": " + fmt.Sprintf(format, args...), Err: offlineRefusal{reason}}
}

// CheckOffline decides whether sale s (with its subsidy computed) may be
// accepted while the platform is unreachable. It returns nil or an error
// coded CodeOfflineRefused whose OfflineReasonOf names the limit, checked in
// this order: signed codes only; local one-voucher-once and one-SN-once;
// per-sale subsidy; total pending offline subsidy including this sale; age of
// the oldest unsynced item (refused once it is older than the maximum).
//
// A zero limit in the policy means "nothing allowed", not "unlimited": a rule
// set that forgot its offline policy must not open the door to unbounded
// offline subsidy. DefaultRules sets every limit.
func CheckOffline(s Sale, c OfflineCheck) error {
	p := c.Policy
	if p.MaxSubsidyPerSaleFen <= 0 || p.MaxPendingSubsidyFen <= 0 || p.MaxOldestPending <= 0 {
		return refuseOffline(OfflineNoPolicyLimit, "the rules set no offline limits; offline selling is disabled")
	}
	if p.SignedCodesOnly && !s.Consumer.Signed {
		return refuseOffline(OfflineSignedOnly, "the consumer code is not a verified signed code; it needs the platform")
	}
	if c.VoucherUsedLocally {
		return refuseOffline(OfflineVoucherUsed, "the voucher was already used on this terminal")
	}
	if c.SNUsedLocally {
		return refuseOffline(OfflineSNUsed, "the serial number was already sold on this terminal")
	}
	if s.SubsidyFen > p.MaxSubsidyPerSaleFen {
		return refuseOffline(OfflineSaleCap, "subsidy %s above the offline per-sale limit %s", s.SubsidyFen, p.MaxSubsidyPerSaleFen)
	}
	if total := c.Pending.OfflineSubsidyFen + s.SubsidyFen; total > p.MaxPendingSubsidyFen {
		return refuseOffline(OfflinePendingCap, "pending offline subsidy would be %s, limit %s (already pending %s)",
			total, p.MaxPendingSubsidyFen, c.Pending.OfflineSubsidyFen)
	}
	if since := c.Pending.OldestPendingSince; !since.IsZero() {
		if age := c.Now.Sub(since); age > p.MaxOldestPending {
			return refuseOffline(OfflineTooOld, "the oldest unsynced item is %s old, limit %s",
				age.Truncate(time.Minute), p.MaxOldestPending)
		}
	}
	return nil
}

// OfflineDeadline returns when offline selling stops because the oldest
// unsynced item becomes too old (the status bar's countdown), and false when
// nothing is pending.
func OfflineDeadline(p OfflinePolicy, pending PendingSummary) (time.Time, bool) {
	if pending.OldestPendingSince.IsZero() {
		return time.Time{}, false
	}
	return pending.OldestPendingSince.Add(p.MaxOldestPending), true
}
