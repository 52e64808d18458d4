package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"tradein/agent"
	"tradein/sync/api"
	"tradein/sync/api/apitest"
)

func TestStringToSignAndSign(t *testing.T) {
	body := []byte(`{"sn_list":["SN123456"]}`)
	got := api.StringToSign("post", "/v1/sn/query", "1777600800", "nonce-0123456789ab", body)
	// hex(sha256(body)) computed independently.
	sum := sha256.Sum256(body)
	want := "POST\n/v1/sn/query\n1777600800\nnonce-0123456789ab\n" + hexOf(sum[:])
	if got != want {
		t.Fatalf("StringToSign = %q, want %q", got, want)
	}
	secret := []byte("0123456789abcdef0123456789abcdef")
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(want))
	sig := api.Sign(secret, "POST", "/v1/sn/query", "1777600800", "nonce-0123456789ab", body)
	if sig != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
		t.Fatalf("Sign = %s", sig)
	}
	if !api.VerifySignature(secret, "POST", "/v1/sn/query", "1777600800", "nonce-0123456789ab", body, sig) {
		t.Error("own signature refused")
	}
	for _, bad := range []struct{ method, target, ts, nonce, body, sig string }{
		{"GET", "/v1/sn/query", "1777600800", "nonce-0123456789ab", string(body), sig},
		{"POST", "/v1/sn/query?x=1", "1777600800", "nonce-0123456789ab", string(body), sig},
		{"POST", "/v1/sn/query", "1777600801", "nonce-0123456789ab", string(body), sig},
		{"POST", "/v1/sn/query", "1777600800", "nonce-0123456789ac", string(body), sig},
		{"POST", "/v1/sn/query", "1777600800", "nonce-0123456789ab", string(body) + " ", sig},
		{"POST", "/v1/sn/query", "1777600800", "nonce-0123456789ab", string(body), "not base64!"},
	} {
		if api.VerifySignature(secret, bad.method, bad.target, bad.ts, bad.nonce, []byte(bad.body), bad.sig) {
			t.Errorf("accepted a tampered request %+v", bad)
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestNonceAndTimestamp(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n := api.NewNonce()
		if !api.ValidNonce(n) || seen[n] {
			t.Fatalf("nonce %q invalid or repeated", n)
		}
		seen[n] = true
	}
	for _, bad := range []string{"", "short", "has space 0123456789", "ünïcode-0123456789", string(make([]byte, 65))} {
		if api.ValidNonce(bad) {
			t.Errorf("ValidNonce(%q) = true", bad)
		}
	}
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, agent.ChinaTime)
	if got, ok := api.ParseTimestamp(api.Timestamp(at)); !ok || !got.Equal(at) {
		t.Errorf("timestamp round trip = %v, %v", got, ok)
	}
	for _, bad := range []string{"", "abc", "1.5", "99999999999999999999"} {
		if _, ok := api.ParseTimestamp(bad); ok {
			t.Errorf("ParseTimestamp(%q) ok", bad)
		}
	}
	h := api.SignedHeaders("T1", []byte("secret-secret-secret"), at, "GET", "/v1/rules", nil)
	if h[api.HeaderTerminalNo] != "T1" || h[api.HeaderTimestamp] != api.Timestamp(at) ||
		!api.VerifySignature([]byte("secret-secret-secret"), "GET", "/v1/rules", h[api.HeaderTimestamp], h[api.HeaderNonce], nil, h[api.HeaderSignature]) {
		t.Errorf("SignedHeaders = %v", h)
	}
}

func TestHTTPStatus(t *testing.T) {
	for _, c := range api.ErrorCodes {
		st := api.HTTPStatus(c)
		if (c == agent.CodeInternal) != (st == http.StatusInternalServerError) || st < 400 {
			t.Errorf("HTTPStatus(%s) = %d", c, st)
		}
		if !api.IsErrorCode(c) {
			t.Errorf("IsErrorCode(%s) = false", c)
		}
	}
	if api.IsErrorCode(agent.CodeWrongPIN) {
		t.Error("a terminal-only code is a platform code")
	}
}

func TestMappingFromDomain(t *testing.T) {
	at := time.Date(2026, 5, 1, 10, 30, 0, 0, agent.ChinaTime)
	s := agent.Sale{OrderNo: "O1", FrozenNo: "FZ1", CreatedAt: at.Add(-time.Minute), UpdatedAt: at,
		Consumer: agent.Consumer{AuthCode: "TIQ1.x.y", Region: "110000"},
		Product:  agent.Product{Barcode: "6941487000001", Category: agent.CatPhone, Brand: "Huawei", Model: "CLS-AL00"},
		SN:       "SN123456", FinalPriceFen: 499900, SubsidyFen: 50000, PayFen: 449900, PaymentRef: "PAY1",
		TradeIn:  &agent.TradeIn{TicketNo: "TI1", Category: agent.CatPhone, Condition: "GOOD", PriceFen: 100},
		RefundNo: "RF1", RefundReason: "returned"}
	c := api.CommitRequestFromSale(s, "REQ1")
	if c.RequestNo != "REQ1" || c.FrozenNo != "FZ1" || !c.TransTime.Equal(at) || c.Amounts.PayFen != 449900 ||
		c.Product.Model != "CLS-AL00" || c.TradeIn.TicketNo != "TI1" || c.PaymentRef != "PAY1" {
		t.Errorf("commit = %+v", c)
	}
	tx := api.TransactionFromSale(s, "REQ2")
	if tx.AuthCode != "TIQ1.x.y" || tx.CountyCode != "" || tx.OrderNo != "O1" || tx.Amounts.SubsidyFen != 50000 {
		t.Errorf("transaction = %+v", tx)
	}
	if r := api.RefundRequestFromSale(s, "REQ3"); r.RefundNo != "RF1" || r.Reason != "returned" || r.OrderNo != "O1" {
		t.Errorf("refund = %+v", r)
	}
	if cn := api.CancelRequestFromSale(s, "REQ4"); cn.FrozenNo != "FZ1" || cn.Reason == "" {
		t.Errorf("cancel = %+v", cn)
	}
	p := api.PickupFromDomain(agent.Pickup{ID: "P1", TicketNo: "TI1", OrderNo: "O1", WeightGrams: 5, At: at}, "REQ5")
	if p.RequestNo != "REQ5" || p.ID != "P1" || !p.At.Equal(at) {
		t.Errorf("pickup = %+v", p)
	}
}

// TestValidatorRejectsDrift: the validator the contract tests rely on does
// refuse answers that break the spec.
func TestValidatorRejectsDrift(t *testing.T) {
	v, err := apitest.Load()
	if err != nil {
		t.Fatal(err)
	}
	good := `{"code":"OK","message":"success","data":{"status":"UP","time":"2026-05-01T10:00:00Z","version":"dev"}}`
	if err := v.ValidateResponse("GET", "/v1/health", 200, []byte(good)); err != nil {
		t.Fatalf("valid answer refused: %v", err)
	}
	for _, bad := range []struct {
		status int
		body   string
	}{
		{200, `{"code":"OK","message":"success","data":{"status":"UP","time":"yesterday","version":"dev"}}`},
		{200, `{"code":"OK","message":"success","data":{"status":"UP","version":"dev"}}`},
		{200, `{"code":"OK","message":"success","data":{"status":"UP","time":"2026-05-01T10:00:00Z","version":"dev","extra":1}}`},
		{500, `{"code":"NO_SUCH_CODE","message":"x"}`},
		{418, `{"code":"INTERNAL","message":"x"}`},
	} {
		if err := v.ValidateResponse("GET", "/v1/health", bad.status, []byte(bad.body)); err == nil {
			t.Errorf("accepted %d %s", bad.status, bad.body)
		}
	}
}
