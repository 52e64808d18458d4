package agent

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Consumer qualification codes (sync/api/openapi.yaml). A signed code is
//
//	TIQ1.<base64url(JSON claims)>.<base64url(Ed25519 signature)>
//
// without base64 padding. The signature covers the exact ASCII bytes
// "TIQ1.<claims part>", so verification never re-encodes the claims. Signed
// codes can be checked offline with the platform's public key (received at
// enrollment); any other string is an opaque code only the platform can check.

// ConsumerCodePrefix starts every signed consumer code.
const ConsumerCodePrefix = "TIQ1."

// MaxConsumerCodeLen bounds the length of a code the terminal will parse. A
// real code is about 250 bytes; the bound keeps a garbage scan from making the
// terminal decode megabytes.
const MaxConsumerCodeLen = 2048

// ConsumerClaims are the claims of a signed consumer code.
type ConsumerClaims struct {
	VID  string   `json:"vid"`  // voucher ID
	Cat  Category `json:"cat"`  // the category the voucher may be spent on
	Reg  string   `json:"reg"`  // region the voucher is valid in ("" national; see RegionCovers)
	Iat  int64    `json:"iat"`  // issued at, Unix seconds
	Exp  int64    `json:"exp"`  // expires at, Unix seconds; invalid from this second on
	CRef string   `json:"cref"` // stable consumer reference (not personal data)
}

// IsSignedCodeFormat reports whether code claims to be a signed consumer code
// (it starts with "TIQ1."). It says nothing about whether it is well formed.
func IsSignedCodeFormat(code string) bool {
	return strings.HasPrefix(code, ConsumerCodePrefix)
}

// VerifyConsumerCode checks a signed code completely: structure, the Ed25519
// signature under the platform key, and expiry (the code is expired when
// now >= exp). It returns the claims, or an error coded CodeInvalidCode
// (malformed, or key unusable), CodeBadSignature or CodeVoucherExpired.
//
// The issue time is not compared with now: a terminal whose clock runs behind
// the platform's must still accept a code the platform has just issued.
func VerifyConsumerCode(code string, key ed25519.PublicKey, now time.Time) (ConsumerClaims, error) {
	c, signed, sig, err := splitConsumerCode(code)
	if err != nil {
		return ConsumerClaims{}, err
	}
	if len(key) != ed25519.PublicKeySize {
		return ConsumerClaims{}, &Error{Code: CodeInvalidCode, Detail: fmt.Sprintf("platform key has %d bytes, want %d (terminal not enrolled?)", len(key), ed25519.PublicKeySize)}
	}
	if !ed25519.Verify(key, signed, sig) {
		return ConsumerClaims{}, &Error{Code: CodeBadSignature, Detail: "consumer code signature does not verify under the platform key"}
	}
	if now.Unix() >= c.Exp {
		return ConsumerClaims{}, &Error{Code: CodeVoucherExpired, Detail: fmt.Sprintf("consumer code expired at %s", time.Unix(c.Exp, 0).In(ChinaTime).Format(time.RFC3339))}
	}
	return c, nil
}

// SignConsumerCode returns the signed code for c. The platform (and the
// reference platform-sim) issue codes with it; tests use it to make codes.
func SignConsumerCode(c ConsumerClaims, priv ed25519.PrivateKey) (string, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return "", &Error{Code: CodeInvalidCode, Detail: fmt.Sprintf("signing key has %d bytes, want %d", len(priv), ed25519.PrivateKeySize)}
	}
	if err := checkClaimsShape(c); err != nil {
		return "", err
	}
	js, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encode consumer claims: %w", err)
	}
	signed := ConsumerCodePrefix + base64.RawURLEncoding.EncodeToString(js)
	sig := ed25519.Sign(priv, []byte(signed))
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// CheckClaims checks that verified claims may pay for a product of category
// cat sold by the store in storeCounty: the category must match exactly
// (CodeVoucherCategoryMismatch) and the voucher's region must cover the
// store's county (CodeVoucherRegionMismatch; see RegionCovers).
func CheckClaims(c ConsumerClaims, cat Category, storeCounty string) error {
	if c.Cat != cat {
		return &Error{Code: CodeVoucherCategoryMismatch, Detail: fmt.Sprintf("voucher is for %s, product is %s", c.Cat, cat)}
	}
	if !RegionCovers(c.Reg, storeCounty) {
		return &Error{Code: CodeVoucherRegionMismatch, Detail: fmt.Sprintf("voucher region %s does not cover store county %s", c.Reg, storeCounty)}
	}
	return nil
}

// splitConsumerCode parses code into its claims, the signed bytes and the
// signature.
func splitConsumerCode(code string) (c ConsumerClaims, signed, sig []byte, err error) {
	code = strings.TrimSpace(code)
	if len(code) > MaxConsumerCodeLen {
		return c, nil, nil, &Error{Code: CodeInvalidCode, Detail: fmt.Sprintf("code has %d bytes, limit %d", len(code), MaxConsumerCodeLen)}
	}
	if !IsSignedCodeFormat(code) {
		return c, nil, nil, &Error{Code: CodeInvalidCode, Detail: "missing TIQ1. prefix"}
	}
	rest := code[len(ConsumerCodePrefix):]
	claimsPart, sigPart, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sigPart, ".") {
		return c, nil, nil, &Error{Code: CodeInvalidCode, Detail: "want exactly three dot-separated parts"}
	}
	js, err := base64.RawURLEncoding.Strict().DecodeString(claimsPart)
	if err != nil {
		return c, nil, nil, &Error{Code: CodeInvalidCode, Detail: "claims are not unpadded base64url", Err: err}
	}
	sig, err = base64.RawURLEncoding.Strict().DecodeString(sigPart)
	if err != nil {
		return c, nil, nil, &Error{Code: CodeInvalidCode, Detail: "signature is not unpadded base64url", Err: err}
	}
	if len(sig) != ed25519.SignatureSize {
		return c, nil, nil, &Error{Code: CodeInvalidCode, Detail: fmt.Sprintf("signature has %d bytes, want %d", len(sig), ed25519.SignatureSize)}
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	if err := dec.Decode(&c); err != nil {
		return ConsumerClaims{}, nil, nil, &Error{Code: CodeInvalidCode, Detail: "claims are not a JSON object", Err: err}
	}
	if dec.More() {
		return ConsumerClaims{}, nil, nil, &Error{Code: CodeInvalidCode, Detail: "trailing data after the claims"}
	}
	if err := checkClaimsShape(c); err != nil {
		return ConsumerClaims{}, nil, nil, err
	}
	return c, []byte(code[:len(ConsumerCodePrefix)+len(claimsPart)]), sig, nil
}

// checkClaimsShape checks the claims a code must carry, independent of time.
func checkClaimsShape(c ConsumerClaims) error {
	switch {
	case c.VID == "":
		return &Error{Code: CodeInvalidCode, Detail: "claim vid is empty"}
	case c.Cat == "":
		return &Error{Code: CodeInvalidCode, Detail: "claim cat is empty"}
	case c.Reg != "" && ValidateRegion(c.Reg) != nil:
		return &Error{Code: CodeInvalidCode, Detail: "claim reg is not a 6-digit region code"}
	case c.Exp <= 0:
		return &Error{Code: CodeInvalidCode, Detail: "claim exp is missing"}
	case c.Iat > c.Exp:
		return &Error{Code: CodeInvalidCode, Detail: "claim iat is after exp"}
	}
	return nil
}
