package agent

import (
	"errors"
	"fmt"
)

// Code is a stable error code. Codes equal the platform's error strings
// (sync/api/openapi.yaml) where one exists; terminal-only codes follow the same style.
// The UI translates codes into words; nothing else shows them to a person.
type Code string

// Platform error codes (sync/api/openapi.yaml). Stored and sent as-is.
const (
	CodeInvalidRequest          Code = "INVALID_REQUEST"
	CodeUnauthorized            Code = "UNAUTHORIZED"
	CodeRateLimited             Code = "RATE_LIMITED"
	CodeVoucherNotFound         Code = "VOUCHER_NOT_FOUND"
	CodeVoucherUsed             Code = "VOUCHER_USED"
	CodeVoucherExpired          Code = "VOUCHER_EXPIRED"
	CodeVoucherRegionMismatch   Code = "VOUCHER_REGION_MISMATCH"
	CodeVoucherCategoryMismatch Code = "VOUCHER_CATEGORY_MISMATCH"
	CodeProductNotFound         Code = "PRODUCT_NOT_FOUND"
	CodePriceAboveCeiling       Code = "PRICE_ABOVE_CEILING"
	CodePriceAboveFiled         Code = "PRICE_ABOVE_FILED"
	CodeSNUsed                  Code = "SN_USED"
	CodeSNNotFound              Code = "SN_NOT_FOUND"
	CodeQuotaExhausted          Code = "QUOTA_EXHAUSTED"
	CodeInternal                Code = "INTERNAL"
	CodeIdempotencyConflict     Code = "IDEMPOTENCY_CONFLICT" // same request_no, different body
)

// Terminal-side codes: validation and local policy.
const (
	CodeInvalidGTIN     Code = "INVALID_GTIN"
	CodeInvalidIMEI     Code = "INVALID_IMEI"
	CodeInvalidSN       Code = "INVALID_SN"
	CodeInvalidRegion   Code = "INVALID_REGION"
	CodeInvalidAmount   Code = "INVALID_AMOUNT"
	CodeInvalidCode     Code = "INVALID_CONSUMER_CODE"
	CodeBadSignature    Code = "BAD_SIGNATURE"
	CodeNotEligible     Code = "NOT_ELIGIBLE"
	CodeIllegalState    Code = "ILLEGAL_TRANSITION"
	CodeOfflineRefused  Code = "OFFLINE_REFUSED"
	CodePlatformDown    Code = "PLATFORM_UNREACHABLE"
	CodePermission      Code = "PERMISSION_DENIED"
	CodeLockedOut       Code = "LOCKED_OUT"
	CodeTampered        Code = "TAMPERED" // a record was edited outside the app (agent/store/tamper.go)
	CodeWrongPIN        Code = "WRONG_PIN"
	CodeNotFound        Code = "NOT_FOUND"
	CodeTradeInRequired Code = "TRADE_IN_REQUIRED"
	CodeCampaignClosed  Code = "CAMPAIGN_CLOSED"
	CodeCategoryPaused  Code = "CATEGORY_PAUSED"  // the platform paused the category (funds used up)
	CodeRulesMissing    Code = "RULES_NOT_SYNCED" // no rules cached yet: selling waits for the first refresh
	CodePrintFailed     Code = "PRINT_FAILED"     // the receipt was not queued; the sale itself is saved
	CodeAlreadyPickedUp Code = "ALREADY_PICKED_UP"
	CodeSubsidyZero     Code = "SUBSIDY_ZERO" // the price gives a ¥0.00 subsidy, which would still spend the consumer's quota
)

// Error is a typed error with a stable code. Detail is for logs and
// support, in English, and never contains personal data.
type Error struct {
	Code   Code
	Detail string
	Err    error // optional cause
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return string(e.Code)
	}
	return string(e.Code) + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrX) match any *Error with the same code.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code && t.Detail == "" && t.Err == nil
}

// Errorf returns an *Error with code c and a formatted detail.
func Errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Detail: fmt.Sprintf(format, args...)}
}

// CodeOf returns the stable code of err, or CodeInternal when err carries none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Sentinels for expected states; compare with errors.Is.
var (
	ErrInvalidAmount  = &Error{Code: CodeInvalidAmount}
	ErrInvalidGTIN    = &Error{Code: CodeInvalidGTIN}
	ErrInvalidIMEI    = &Error{Code: CodeInvalidIMEI}
	ErrInvalidSN      = &Error{Code: CodeInvalidSN}
	ErrInvalidRegion  = &Error{Code: CodeInvalidRegion}
	ErrInvalidCode    = &Error{Code: CodeInvalidCode}
	ErrBadSignature   = &Error{Code: CodeBadSignature}
	ErrVoucherExpired = &Error{Code: CodeVoucherExpired}
	ErrVoucherUsed    = &Error{Code: CodeVoucherUsed}
	ErrSNUsed         = &Error{Code: CodeSNUsed}
	ErrNotEligible    = &Error{Code: CodeNotEligible}
	ErrIllegalState   = &Error{Code: CodeIllegalState}
	ErrNotFound       = &Error{Code: CodeNotFound}
	ErrPlatformDown   = &Error{Code: CodePlatformDown}
	ErrPermission     = &Error{Code: CodePermission}
)
