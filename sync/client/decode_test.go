package client

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"tradein/agent"
	"tradein/sync/api"
)

func TestDecodeResponse(t *testing.T) {
	h := http.Header{}
	var out api.HealthResponse
	cases := []struct {
		status int
		body   string
		retry  bool
		check  func(error) bool
	}{
		{200, `{"code":"OK","message":"success","data":{"status":"UP","time":"2026-05-01T00:00:00Z","version":"v"}}`, false, func(e error) bool { return e == nil }},
		{409, `{"code":"VOUCHER_USED","message":"used"}`, false, func(e error) bool { return errors.Is(e, agent.ErrVoucherUsed) }},
		{500, `{"code":"INTERNAL","message":"x"}`, true, func(e error) bool { return errors.Is(e, agent.ErrPlatformDown) }},
		{502, `<html>bad gateway</html>`, true, func(e error) bool { return errors.Is(e, agent.ErrPlatformDown) }},
		{200, `<html>captive portal</html>`, true, func(e error) bool { return errors.Is(e, agent.ErrPlatformDown) }},
		{200, `{"code":"OK","message":"success"}`, true, func(e error) bool { return errors.Is(e, agent.ErrPlatformDown) }},
		{200, `{"code":"OK","message":"success","data":{"status":5}}`, true, func(e error) bool { return errors.Is(e, agent.ErrPlatformDown) }},
		{400, `{"code":"OK"}`, false, func(e error) bool { return agent.CodeOf(e) == agent.CodeInternal }},
	}
	for _, c := range cases {
		retry, err := decodeResponse("GET /v1/health", c.status, h, []byte(c.body), &out)
		if retry != c.retry || !c.check(err) {
			t.Errorf("%d %s: retry=%v err=%v", c.status, c.body, retry, err)
		}
	}
	h.Set("Retry-After", "12")
	_, err := decodeResponse("GET /v1/rules", 429, h, []byte(`{"code":"RATE_LIMITED","message":"slow down"}`), nil)
	var rl *RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 12*time.Second || !errors.Is(err, &agent.Error{Code: agent.CodeRateLimited}) {
		t.Errorf("429: %v", err)
	}
	for in, want := range map[string]time.Duration{"": time.Second, "x": time.Second, "0": time.Second, "99999": time.Hour, " 3 ": 3 * time.Second} {
		if got := retryAfter(in); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

// FuzzDecodeResponse: whatever the platform (or a proxy) answers, decoding
// never panics and every failure is a typed error.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(200, []byte(`{"code":"OK","message":"success","data":{"frozen_no":"F","discount_fen":50000}}`), "")
	f.Add(409, []byte(`{"code":"SN_USED","message":"x"}`), "")
	f.Add(429, []byte(``), "5")
	f.Add(500, []byte(`{"code":`), "")
	f.Add(200, []byte(`{"code":"OK","data":null}`), "")
	f.Add(302, []byte(`{"code":"OK","data":{}}`), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, ra string) {
		h := http.Header{}
		h.Set("Retry-After", ra)
		var out api.TryResponse
		_, err := decodeResponse("POST /v1/vouchers/try", status, h, body, &out)
		if err == nil {
			return
		}
		var ae *agent.Error
		if !errors.As(err, &ae) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
	})
}
