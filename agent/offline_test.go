package agent

import (
	"errors"
	"testing"
	"time"
)

func TestCheckOffline(t *testing.T) {
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, ChinaTime)
	pol := DefaultRules().Offline
	signed := Sale{Consumer: Consumer{Signed: true}, SubsidyFen: 999_80}
	opaque := Sale{Consumer: Consumer{Signed: false}, SubsidyFen: 999_80}
	withSubsidy := func(f Fen) Sale { s := signed; s.SubsidyFen = f; return s }
	open := pol
	open.SignedCodesOnly = false

	tests := []struct {
		name string
		s    Sale
		c    OfflineCheck
		want OfflineReason // "" = accepted
	}{
		{"signed, nothing pending", signed, OfflineCheck{Policy: pol, Now: now}, ""},
		{"opaque code", opaque, OfflineCheck{Policy: pol, Now: now}, OfflineSignedOnly},
		{"opaque code, policy allows", opaque, OfflineCheck{Policy: open, Now: now}, ""},
		{"voucher used locally", signed, OfflineCheck{Policy: pol, VoucherUsedLocally: true, Now: now}, OfflineVoucherUsed},
		{"SN used locally", signed, OfflineCheck{Policy: pol, SNUsedLocally: true, Now: now}, OfflineSNUsed},
		{"per-sale cap exactly", withSubsidy(2000_00), OfflineCheck{Policy: pol, Now: now}, ""},
		{"per-sale cap + 1 fen", withSubsidy(2000_01), OfflineCheck{Policy: pol, Now: now}, OfflineSaleCap},
		{"pending reaches the cap exactly", withSubsidy(2000_00), OfflineCheck{Policy: pol, Now: now,
			Pending: PendingSummary{OfflineSubsidyFen: 18000_00, OldestPendingSince: now.Add(-time.Hour)}}, ""},
		{"pending over the cap", withSubsidy(2000_00), OfflineCheck{Policy: pol, Now: now,
			Pending: PendingSummary{OfflineSubsidyFen: 18000_01, OldestPendingSince: now.Add(-time.Hour)}}, OfflinePendingCap},
		{"oldest exactly 72 h", signed, OfflineCheck{Policy: pol, Now: now,
			Pending: PendingSummary{OldestPendingSince: now.Add(-72 * time.Hour)}}, ""},
		{"oldest 72 h + 1 s", signed, OfflineCheck{Policy: pol, Now: now,
			Pending: PendingSummary{OldestPendingSince: now.Add(-72*time.Hour - time.Second)}}, OfflineTooOld},
		{"no policy", signed, OfflineCheck{Now: now}, OfflineNoPolicyLimit},
		{"order: signed before caps", withSubsidy(99999_00), OfflineCheck{Policy: pol, Now: now}, OfflineSaleCap},
		{"order: opaque first", Sale{SubsidyFen: 99999_00}, OfflineCheck{Policy: pol, SNUsedLocally: true, Now: now}, OfflineSignedOnly},
	}
	for _, tt := range tests {
		err := CheckOffline(tt.s, tt.c)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if CodeOf(err) != CodeOfflineRefused || OfflineReasonOf(err) != tt.want {
			t.Errorf("%s: err = %v (reason %q), want %s", tt.name, err, OfflineReasonOf(err), tt.want)
		}
		var ae *Error
		if !errors.As(err, &ae) || ae.Detail == "" {
			t.Errorf("%s: no detail for the clerk", tt.name)
		}
	}
	if OfflineReasonOf(errors.New("x")) != "" || OfflineReasonOf(nil) != "" {
		t.Error("OfflineReasonOf of a foreign error")
	}
}

func TestOfflineDeadline(t *testing.T) {
	pol := DefaultRules().Offline
	since := time.Date(2025, 6, 1, 10, 0, 0, 0, ChinaTime)
	d, ok := OfflineDeadline(pol, PendingSummary{OldestPendingSince: since})
	if !ok || !d.Equal(since.Add(72*time.Hour)) {
		t.Errorf("deadline %s %v", d, ok)
	}
	if _, ok := OfflineDeadline(pol, PendingSummary{}); ok {
		t.Error("deadline with nothing pending")
	}
}
