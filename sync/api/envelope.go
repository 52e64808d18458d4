package api

import (
	"encoding/json"
	"net/http"

	"tradein/agent"
)

// CodeOK is the envelope code of a successful response.
const CodeOK = "OK"

// Envelope wraps every response body: {"code":"OK","message":"…","data":{…}}.
// On failure Code is a stable agent.Code string, Message an English
// explanation for logs and support, and Data is absent.
type Envelope struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// MaxBodyBytes is the largest request body the platform accepts (1 MiB);
// a larger one is refused with 413 and CodeInvalidRequest. A batch of 100
// offline sales is about 60 KiB, so the limit leaves ample room.
const MaxBodyBytes = 1 << 20

// MaxBatchItems bounds the items of one transactions or pickups batch.
const MaxBatchItems = 100

// ErrorCodes lists every error code the platform may put in an envelope,
// in the order openapi.yaml documents them.
var ErrorCodes = []agent.Code{
	agent.CodeInvalidRequest,
	agent.CodeUnauthorized,
	agent.CodeRateLimited,
	agent.CodeIdempotencyConflict,
	agent.CodeNotFound,
	agent.CodeVoucherNotFound,
	agent.CodeVoucherUsed,
	agent.CodeVoucherExpired,
	agent.CodeVoucherRegionMismatch,
	agent.CodeVoucherCategoryMismatch,
	agent.CodeProductNotFound,
	agent.CodePriceAboveCeiling,
	agent.CodePriceAboveFiled,
	agent.CodeNotEligible,
	agent.CodeCampaignClosed,
	agent.CodeCategoryPaused,
	agent.CodeTradeInRequired,
	agent.CodeSNUsed,
	agent.CodeSNNotFound,
	agent.CodeQuotaExhausted,
	agent.CodeInternal,
}

// HTTPStatus is the HTTP status the platform sends with error code c.
// Business-rule refusals are 422 so that a client can tell them from a
// malformed request (400) and from a conflict with earlier state (409).
func HTTPStatus(c agent.Code) int {
	switch c {
	case agent.CodeInvalidRequest:
		return http.StatusBadRequest
	case agent.CodeUnauthorized:
		return http.StatusUnauthorized
	case agent.CodeRateLimited:
		return http.StatusTooManyRequests
	case agent.CodeNotFound, agent.CodeVoucherNotFound, agent.CodeProductNotFound, agent.CodeSNNotFound:
		return http.StatusNotFound
	case agent.CodeIdempotencyConflict, agent.CodeVoucherUsed, agent.CodeSNUsed:
		return http.StatusConflict
	case agent.CodeVoucherExpired, agent.CodeVoucherRegionMismatch, agent.CodeVoucherCategoryMismatch,
		agent.CodePriceAboveCeiling, agent.CodePriceAboveFiled, agent.CodeNotEligible,
		agent.CodeCampaignClosed, agent.CodeCategoryPaused, agent.CodeTradeInRequired, agent.CodeQuotaExhausted:
		return http.StatusUnprocessableEntity
	default:
		return http.StatusInternalServerError
	}
}

// IsErrorCode reports whether c is one of ErrorCodes.
func IsErrorCode(c agent.Code) bool {
	for _, k := range ErrorCodes {
		if k == c {
			return true
		}
	}
	return false
}
