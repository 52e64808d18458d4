package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Signing headers (sync/api/openapi.yaml). Every request except enrollment and health
// carries all four.
const (
	HeaderTerminalNo = "X-Terminal-No"
	HeaderTimestamp  = "X-Timestamp" // Unix seconds, decimal
	HeaderNonce      = "X-Nonce"     // 16..64 characters, never reused by a terminal
	HeaderSignature  = "X-Signature" // base64 (std, padded) HMAC-SHA256
)

// MaxSkew is the largest difference between a request's X-Timestamp and the
// platform's clock; beyond it the request is refused as UNAUTHORIZED. The
// platform remembers nonces for at least twice this long, so a captured
// request cannot be replayed at all.
const MaxSkew = 300 * time.Second

// StringToSign is the text that X-Signature authenticates:
//
//	method \n target \n timestamp \n nonce \n hex(sha256(body))
//
// target is the request target as sent: the path, plus "?" and the raw
// query when there is one (so query parameters are signed too). method is
// upper case. An empty body hashes as sha256 of zero bytes.
func StringToSign(method, target, timestamp, nonce string, body []byte) string {
	sum := sha256.Sum256(body)
	return strings.Join([]string{strings.ToUpper(method), target, timestamp, nonce, hex.EncodeToString(sum[:])}, "\n")
}

// Sign returns the X-Signature value: base64 HMAC-SHA256(secret, StringToSign).
func Sign(secret []byte, method, target, timestamp, nonce string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(StringToSign(method, target, timestamp, nonce, body)))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifySignature reports whether sig is the valid signature of the request,
// comparing in constant time.
func VerifySignature(secret []byte, method, target, timestamp, nonce string, body []byte, sig string) bool {
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(StringToSign(method, target, timestamp, nonce, body)))
	return hmac.Equal(got, m.Sum(nil))
}

// Timestamp formats t as the X-Timestamp value (Unix seconds).
func Timestamp(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// ParseTimestamp parses an X-Timestamp value.
func ParseTimestamp(s string) (time.Time, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || len(s) > 12 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// NewNonce returns a fresh random X-Nonce value (26 base32 characters,
// 130 random bits).
func NewNonce() string { return rand.Text() }

// ValidNonce reports whether s is an acceptable X-Nonce: 16..64 characters
// of [A-Za-z0-9_-].
func ValidNonce(s string) bool {
	if len(s) < 16 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// SignedHeaders returns the four signing headers of a request made now with
// a fresh nonce. Both the client and tests that craft raw requests use it.
func SignedHeaders(terminalNo string, secret []byte, now time.Time, method, target string, body []byte) map[string]string {
	ts := Timestamp(now)
	nonce := NewNonce()
	return map[string]string{
		HeaderTerminalNo: terminalNo,
		HeaderTimestamp:  ts,
		HeaderNonce:      nonce,
		HeaderSignature:  Sign(secret, method, target, ts, nonce, body),
	}
}
