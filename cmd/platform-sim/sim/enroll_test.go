package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/sync/api"
)

// enrollBody is an enrollment request whose proof is derived from seed,
// so a test can send the same proof twice or a different one.
func enrollBody(code, fingerprint string, seed byte) []byte {
	proof := bytes.Repeat([]byte{seed}, api.EnrollmentProofSize)
	b, _ := json.Marshal(api.EnrollRequest{EnrollmentCode: code, DeviceFingerprint: fingerprint,
		EnrollmentProof: base64.StdEncoding.EncodeToString(proof)})
	return b
}

// TestEnrollmentHandsTheSecretOutOnce: the same code and fingerprint give
// the terminal's secret only to a retry with the enrolling process's own
// proof (a lost answer); anyone else who knows the code and can rebuild
// the fingerprint is refused and gets no secret.
func TestEnrollmentHandsTheSecretOutOnce(t *testing.T) {
	e := startRaw(t)
	status, env := e.do(t, "POST", "/v1/terminals/enroll", enrollBody(DemoEnrollmentCode, "pc-7", 7), nil)
	if status != 200 {
		t.Fatalf("enroll: %d %+v", status, env)
	}
	var first api.EnrollResponse
	json.Unmarshal(env.Data, &first)

	// The answer was lost: the enrolling process retries with its proof.
	status, env = e.do(t, "POST", "/v1/terminals/enroll", enrollBody(DemoEnrollmentCode, "pc-7", 7), nil)
	var again api.EnrollResponse
	json.Unmarshal(env.Data, &again)
	if status != 200 || again != first {
		t.Fatalf("retry with the same proof: %d %+v", status, env)
	}

	// Someone else with the code and the fingerprint.
	status, env = e.do(t, "POST", "/v1/terminals/enroll", enrollBody(DemoEnrollmentCode, "pc-7", 8), nil)
	if status != http.StatusUnauthorized || env.Code != string(agent.CodeUnauthorized) || len(env.Data) > 0 && string(env.Data) != "null" {
		t.Fatalf("re-enroll with another proof: %d %+v", status, env)
	}
	if !strings.Contains(env.Message, "new code") || strings.Contains(string(env.Data)+env.Message, first.HMACSecret) {
		t.Fatalf("refusal: %+v", env)
	}

	// Without a proof at all.
	status, env = e.do(t, "POST", "/v1/terminals/enroll", []byte(`{"enrollment_code":"DEMO-ENROLL-0001","device_fingerprint":"pc-7"}`), nil)
	if status != http.StatusBadRequest {
		t.Fatalf("enroll without a proof: %d %+v", status, env)
	}
}

// TestEnrollmentNewCode: the operator's new code enrolls the device again,
// once; a second device cannot use it.
func TestEnrollmentNewCode(t *testing.T) {
	e := startRaw(t)
	status, env := e.do(t, "POST", "/admin/enrollment-codes", nil, nil)
	if status != 200 {
		t.Fatalf("issue code: %d %+v", status, env)
	}
	var code EnrollmentCode
	json.Unmarshal(env.Data, &code)
	if code.MaxUses != 1 || code.Code == "" {
		t.Fatalf("code %+v", code)
	}
	if status, env := e.do(t, "POST", "/v1/terminals/enroll", enrollBody(code.Code, "raw", 9), nil); status != 200 {
		t.Fatalf("enroll with the new code: %d %+v", status, env)
	}
	if status, env := e.do(t, "POST", "/v1/terminals/enroll", enrollBody(code.Code, "another-pc", 9), nil); status != http.StatusUnauthorized {
		t.Fatalf("second device on a single-use code: %d %+v", status, env)
	}
}

// TestEnrollmentRateLimited: ten refused attempts from one address in ten
// minutes, and the next attempt (even a good one) is 429 with Retry-After
// until the first refusal leaves the window.
func TestEnrollmentRateLimited(t *testing.T) {
	e := startRaw(t)
	for i := range EnrollFailuresPer10Min {
		status, _ := e.do(t, "POST", "/v1/terminals/enroll", enrollBody(fmt.Sprintf("GUESS-%04d", i), "x", 1), nil)
		if status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, status)
		}
		e.clock.Advance(time.Second)
	}
	req, _ := http.NewRequest("POST", e.base+"/v1/terminals/enroll", bytes.NewReader(enrollBody(DemoEnrollmentCode, "good-pc", 1)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "590" {
		t.Fatalf("after %d refusals: %d, Retry-After %q", EnrollFailuresPer10Min, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	e.clock.Advance(590 * time.Second)
	if status, env := e.do(t, "POST", "/v1/terminals/enroll", enrollBody(DemoEnrollmentCode, "good-pc", 1), nil); status != 200 {
		t.Fatalf("after the window: %d %+v", status, env)
	}
}

// Advance moves the clock forward.
func (c *fixedClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
