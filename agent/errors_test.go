package agent

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorsIsMatchesCode(t *testing.T) {
	err := ValidateGTIN("123")
	if !errors.Is(err, ErrInvalidGTIN) {
		t.Errorf("errors.Is(%v, ErrInvalidGTIN) = false", err)
	}
	if errors.Is(err, ErrInvalidIMEI) {
		t.Error("an INVALID_GTIN error matches ErrInvalidIMEI")
	}
	wrapped := fmt.Errorf("scan product: %w", err)
	if !errors.Is(wrapped, ErrInvalidGTIN) || CodeOf(wrapped) != CodeInvalidGTIN {
		t.Errorf("wrapped error lost its code: %v", wrapped)
	}
	// A detailed error is not a sentinel: matching goes one way only.
	detailed := Errorf(CodeSNUsed, "order %s", "O1")
	if !errors.Is(detailed, ErrSNUsed) {
		t.Error("detailed error does not match its sentinel")
	}
	if errors.Is(ErrSNUsed, detailed) {
		t.Error("sentinel matches a detailed error")
	}
}

func TestErrorFormattingAndUnwrap(t *testing.T) {
	if got := (&Error{Code: CodeNotFound}).Error(); got != "NOT_FOUND" {
		t.Errorf("Error() = %q", got)
	}
	if got := Errorf(CodeSNUsed, "order %s", "O1").Error(); got != "SN_USED: order O1" {
		t.Errorf("Error() = %q", got)
	}
	cause := errors.New("disk full")
	e := &Error{Code: CodeInternal, Detail: "save sale", Err: cause}
	if !errors.Is(e, cause) || errors.Unwrap(e) != cause {
		t.Error("cause not reachable through Unwrap")
	}
	var ae *Error
	if !errors.As(fmt.Errorf("x: %w", e), &ae) || ae.Code != CodeInternal {
		t.Error("errors.As through wrapping failed")
	}
}

func TestCodeOf(t *testing.T) {
	tests := []struct {
		err  error
		want Code
	}{
		{nil, CodeInternal},
		{errors.New("plain"), CodeInternal},
		{ErrNotFound, CodeNotFound},
		{fmt.Errorf("a: %w", fmt.Errorf("b: %w", ErrPlatformDown)), CodePlatformDown},
		{CheckClaims(ConsumerClaims{Cat: CatTV}, CatFridge, "110105"), CodeVoucherCategoryMismatch},
		{errors.Join(errors.New("x"), ErrVoucherUsed), CodeVoucherUsed},
	}
	for _, tt := range tests {
		if got := CodeOf(tt.err); got != tt.want {
			t.Errorf("CodeOf(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}

// TestSentinelsHaveDistinctCodes guards against a copy-paste sentinel that
// would make errors.Is match the wrong state.
func TestSentinelsHaveDistinctCodes(t *testing.T) {
	seen := map[Code]bool{}
	for _, s := range []*Error{ErrInvalidAmount, ErrInvalidGTIN, ErrInvalidIMEI, ErrInvalidSN, ErrInvalidRegion,
		ErrInvalidCode, ErrBadSignature, ErrVoucherExpired, ErrVoucherUsed, ErrSNUsed, ErrNotEligible,
		ErrIllegalState, ErrNotFound, ErrPlatformDown, ErrPermission} {
		if seen[s.Code] {
			t.Errorf("two sentinels with code %s", s.Code)
		}
		seen[s.Code] = true
		if s.Detail != "" || s.Err != nil {
			t.Errorf("sentinel %s carries detail or cause", s.Code)
		}
	}
}
