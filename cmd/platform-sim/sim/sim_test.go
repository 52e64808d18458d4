package sim

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"tradein/agent"
	"tradein/sync/api"
	"tradein/sync/api/apitest"
)

type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// rawEnv is a platform on loopback and an enrolled terminal's credentials,
// for tests that craft requests by hand.
type rawEnv struct {
	srv      *Server
	base     string
	clock    *fixedClock
	terminal string
	secret   []byte
	val      *apitest.Validator
	faulty   bool // fault injection on: 5xx answers are expected
}

func startRaw(t testing.TB) *rawEnv {
	t.Helper()
	clock := &fixedClock{t: time.Date(2026, 5, 1, 10, 0, 0, 0, agent.ChinaTime)}
	srv, err := Open(context.Background(), Config{DBPath: filepath.Join(t.TempDir(), "p.db"), Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l, nil) }()
	t.Cleanup(func() {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	})
	val, err := apitest.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := &rawEnv{srv: srv, base: "http://" + l.Addr().String(), clock: clock, val: val}
	status, env := e.do(t, "POST", "/v1/terminals/enroll", enrollBody(DemoEnrollmentCode, "raw", 1), nil)
	if status != 200 {
		t.Fatalf("enroll: %d %+v", status, env)
	}
	var enr api.EnrollResponse
	json.Unmarshal(env.Data, &enr)
	e.terminal = enr.TerminalNo
	e.secret, _ = enr.Secret()
	return e
}

// signed returns valid signing headers for a request made now.
func (e *rawEnv) signed(method, target string, body []byte) map[string]string {
	return api.SignedHeaders(e.terminal, e.secret, e.clock.Now(), method, target, body)
}

// do sends one request and returns the status and the decoded envelope.
// Every answer must be an envelope with a code.
func (e *rawEnv) do(t testing.TB, method, target string, body []byte, headers map[string]string) (int, api.Envelope) {
	t.Helper()
	req, err := http.NewRequest(method, e.base+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json") // headers may replace or blank it
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env api.Envelope
	if err := json.Unmarshal(raw, &env); err != nil || env.Code == "" {
		t.Fatalf("%s %s → %d: not an envelope: %q", method, target, resp.StatusCode, raw)
	}
	if resp.StatusCode >= 500 && !e.faulty {
		t.Errorf("%s %s → %d %s: bad input must never be a 5xx", method, target, resp.StatusCode, raw)
	}
	path, _, _ := strings.Cut(target, "?")
	// Unknown paths and wrong methods have no operation to check against.
	if path != "/v1/nothing" && resp.StatusCode != http.StatusMethodNotAllowed {
		if err := e.val.ValidateResponse(method, path, resp.StatusCode, raw); err != nil {
			t.Error(err)
		}
	}
	return resp.StatusCode, env
}

func TestBadInput(t *testing.T) {
	e := startRaw(t)
	post := func(path string, body []byte, h map[string]string) (int, api.Envelope) {
		if h == nil {
			h = e.signed("POST", path, body)
		}
		return e.do(t, "POST", path, body, h)
	}
	// postAs posts a correctly signed body with the Content-Type ct
	// ("": none).
	postAs := func(path, ct string, body []byte) (int, api.Envelope) {
		h := e.signed("POST", path, body)
		h["Content-Type"] = ct
		return e.do(t, "POST", path, body, h)
	}
	big := bytes.Repeat([]byte("x"), api.MaxBodyBytes+1)
	cases := []struct {
		name   string
		status int
		code   agent.Code
		run    func() (int, api.Envelope)
	}{
		{"malformed JSON", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) { return post("/v1/vouchers/try", []byte(`{"request_no":`), nil) }},
		{"not an object", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) { return post("/v1/vouchers/try", []byte(`[1,2]`), nil) }},
		{"empty body", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) { return post("/v1/vouchers/commit", nil, nil) }},
		{"wrong type", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/vouchers/try", []byte(`{"request_no":"R1","amount_fen":"12.5"}`), nil)
		}},
		{"unknown field", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/sn/query", []byte(`{"sn_list":["SN123456"],"extra":1}`), nil)
		}},
		{"trailing data", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/sn/query", []byte(`{"sn_list":["SN123456"]} {}`), nil)
		}},
		{"too many SNs", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/sn/query", []byte(`{"sn_list":[`+strings.Repeat(`"SN123456",`, 50)+`"SN123456"]}`), nil)
		}},
		{"body over 1 MiB", 413, agent.CodeInvalidRequest, func() (int, api.Envelope) { return post("/v1/transactions/batch", big, nil) }},
		{"body over 1 MiB unsigned", 413, agent.CodeInvalidRequest, func() (int, api.Envelope) { return post("/v1/terminals/enroll", big, map[string]string{}) }},
		{"no signature", 401, agent.CodeUnauthorized, func() (int, api.Envelope) {
			return post("/v1/sn/query", []byte(`{"sn_list":["SN123456"]}`), map[string]string{})
		}},
		{"bad signature", 401, agent.CodeUnauthorized, func() (int, api.Envelope) {
			h := e.signed("POST", "/v1/sn/query", []byte(`{"sn_list":["SN123456"]}`))
			h[api.HeaderSignature] = base64.StdEncoding.EncodeToString(make([]byte, 32))
			return post("/v1/sn/query", []byte(`{"sn_list":["SN123456"]}`), h)
		}},
		{"signature of another body", 401, agent.CodeUnauthorized, func() (int, api.Envelope) {
			h := e.signed("POST", "/v1/sn/query", []byte(`{"sn_list":["SN123456"]}`))
			return post("/v1/sn/query", []byte(`{"sn_list":["SN654321"]}`), h)
		}},
		{"signed query tampered", 401, agent.CodeUnauthorized, func() (int, api.Envelope) {
			h := e.signed("GET", "/v1/products?limit=5", nil)
			return e.do(t, "GET", "/v1/products?limit=6", nil, h)
		}},
		{"stale timestamp", 401, agent.CodeUnauthorized, func() (int, api.Envelope) {
			body := []byte(`{"sn_list":["SN123456"]}`)
			h := api.SignedHeaders(e.terminal, e.secret, e.clock.Now().Add(-301*time.Second), "POST", "/v1/sn/query", body)
			return post("/v1/sn/query", body, h)
		}},
		{"future timestamp", 401, agent.CodeUnauthorized, func() (int, api.Envelope) {
			body := []byte(`{"sn_list":["SN123456"]}`)
			h := api.SignedHeaders(e.terminal, e.secret, e.clock.Now().Add(301*time.Second), "POST", "/v1/sn/query", body)
			return post("/v1/sn/query", body, h)
		}},
		{"reused nonce", 401, agent.CodeUnauthorized, func() (int, api.Envelope) {
			body := []byte(`{"sn_list":["SN123456"]}`)
			h := e.signed("POST", "/v1/sn/query", body)
			if status, env := post("/v1/sn/query", body, h); status != 200 {
				t.Fatalf("first use of the nonce: %d %+v", status, env)
			}
			return post("/v1/sn/query", body, h)
		}},
		{"unknown terminal", 401, agent.CodeUnauthorized, func() (int, api.Envelope) {
			body := []byte(`{"sn_list":["SN123456"]}`)
			h := api.SignedHeaders("T999", e.secret, e.clock.Now(), "POST", "/v1/sn/query", body)
			return post("/v1/sn/query", body, h)
		}},
		{"short nonce", 401, agent.CodeUnauthorized, func() (int, api.Envelope) {
			body := []byte(`{"sn_list":["SN123456"]}`)
			ts := api.Timestamp(e.clock.Now())
			h := map[string]string{api.HeaderTerminalNo: e.terminal, api.HeaderTimestamp: ts, api.HeaderNonce: "abc",
				api.HeaderSignature: api.Sign(e.secret, "POST", "/v1/sn/query", ts, "abc", body)}
			return post("/v1/sn/query", body, h)
		}},
		{"bad request_no", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/vouchers/cancel", []byte(`{"request_no":"has space","frozen_no":"F1"}`), nil)
		}},
		{"bad barcode check digit", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/vouchers/try", []byte(`{"request_no":"R1","auth_code":"X","category":"phone","county_code":"110105","barcode":"6941487000001","amount_fen":100}`), nil)
		}},
		{"negative amount", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/vouchers/try", []byte(`{"request_no":"R1","auth_code":"X","category":"phone","county_code":"110105","barcode":"6900000000007","amount_fen":-1}`), nil)
		}},
		{"garbage consumer code", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/vouchers/try", []byte(`{"request_no":"R2","auth_code":"TIQ1.!!!.???","category":"phone","county_code":"110105","barcode":"6900000000007","amount_fen":100}`), nil)
		}},
		{"bad date", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return e.do(t, "GET", "/v1/summary/day?date=2026-13-01", nil, e.signed("GET", "/v1/summary/day?date=2026-13-01", nil))
		}},
		{"no Content-Type", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return postAs("/v1/sn/query", "", []byte(`{"sn_list":["SN123456"]}`))
		}},
		{"text/plain body", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return postAs("/v1/sn/query", "text/plain", []byte(`{"sn_list":["SN123456"]}`))
		}},
		{"form body", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return postAs("/v1/sn/query", "application/x-www-form-urlencoded", []byte(`{"sn_list":["SN123456"]}`))
		}},
		{"JSON in another charset", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return postAs("/v1/sn/query", "application/json; charset=iso-8859-1", []byte(`{"sn_list":["SN123456"]}`))
		}},
		{"unsigned enrollment as text/plain", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return e.do(t, "POST", "/v1/terminals/enroll", []byte(`{"enrollment_code":"DEMO-ENROLL-0001","device_fingerprint":"raw"}`),
				map[string]string{"Content-Type": "text/plain"})
		}},
		{"body not UTF-8", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/vouchers/cancel", []byte("{\"request_no\":\"R8\",\"frozen_no\":\"F1\",\"reason\":\"\xff\xfe\"}"), nil)
		}},
		{"duplicate key", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/sn/query", []byte(`{"sn_list":["SN123456"],"sn_list":["SN654321"]}`), nil)
		}},
		{"case-variant key", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/sn/query", []byte(`{"SN_List":["SN123456"]}`), nil)
		}},
		{"case-variant twin of a key", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/vouchers/cancel", []byte(`{"request_no":"R9","frozen_no":"F1","Frozen_No":"F2"}`), nil)
		}},
		{"duplicate key in a batch item", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/transactions/batch", []byte(`{"request_no":"B9","items":[{"request_no":"I1","order_no":"O1","order_no":"O2",`+
				`"auth_code":"X","trans_time":"2026-05-01T10:00:00Z","amounts":{"final_price_fen":100,"subsidy_fen":15,"pay_fen":85},`+
				`"product":{"barcode":"6900000000007","category":"phone","brand":"b","model":"m","energy_grade":0},"payment_ref":"P"}]}`), nil)
		}},
		{"case-variant key in nested amounts", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return post("/v1/vouchers/commit", []byte(`{"request_no":"R9","frozen_no":"F","order_no":"O","trans_time":"2026-05-01T10:00:00Z",`+
				`"amounts":{"final_price_fen":100,"subsidy_fen":15,"PAY_FEN":85},"product":{"barcode":"6900000000007","category":"phone",`+
				`"brand":"b","model":"m","energy_grade":0},"payment_ref":"p"}`), nil)
		}},
		{"query parameter on a path that takes none", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return e.do(t, "GET", "/v1/rules?version=2", nil, e.signed("GET", "/v1/rules?version=2", nil))
		}},
		{"query parameter on a POST", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			body := []byte(`{"sn_list":["SN123456"]}`)
			return e.do(t, "POST", "/v1/sn/query?debug=1", body, e.signed("POST", "/v1/sn/query?debug=1", body))
		}},
		{"query parameter on unsigned health", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return e.do(t, "GET", "/v1/health?verbose=1", nil, nil)
		}},
		{"query parameter given twice", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return e.do(t, "GET", "/v1/products?limit=5&limit=6", nil, e.signed("GET", "/v1/products?limit=5&limit=6", nil))
		}},
		{"date given twice", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			target := "/v1/summary/day?date=2026-05-01&date=2026-05-02"
			return e.do(t, "GET", target, nil, e.signed("GET", target, nil))
		}},
		{"unknown path", 404, agent.CodeNotFound, func() (int, api.Envelope) { return e.do(t, "GET", "/v1/nothing", nil, nil) }},
		{"wrong method", 405, agent.CodeInvalidRequest, func() (int, api.Envelope) { return e.do(t, "DELETE", "/v1/rules", nil, nil) }},
		// Last: were either accepted, it would turn faults on for the rest.
		{"admin faults as text/plain", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return e.do(t, "POST", "/admin/faults", []byte(`{}`), map[string]string{"Content-Type": "text/plain"})
		}},
		{"admin faults with a case-variant key", 400, agent.CodeInvalidRequest, func() (int, api.Envelope) {
			return e.do(t, "POST", "/admin/faults", []byte(`{"Error_Rate":1}`), nil)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, env := c.run()
			if status != c.status || env.Code != string(c.code) || env.Message == "" {
				t.Errorf("got %d %s %q, want %d %s", status, env.Code, env.Message, c.status, c.code)
			}
		})
	}
}

// TestJSONMediaTypes: application/json is accepted with a utf-8 charset
// and in any letter case (media types are case-insensitive), and a GET
// without a body needs no Content-Type.
func TestJSONMediaTypes(t *testing.T) {
	e := startRaw(t)
	body := []byte(`{"sn_list":["SN123456"]}`)
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8"} {
		h := e.signed("POST", "/v1/sn/query", body)
		h["Content-Type"] = ct
		if status, env := e.do(t, "POST", "/v1/sn/query", body, h); status != 200 {
			t.Errorf("Content-Type %q: %d %+v", ct, status, env)
		}
	}
	if status, env := e.do(t, "GET", "/v1/rules", nil, e.signed("GET", "/v1/rules", nil)); status != 200 {
		t.Errorf("GET without Content-Type: %d %+v", status, env)
	}
}

// TestRoutesMatchSpec: the server serves exactly the operations
// openapi.yaml documents.
func TestRoutesMatchSpec(t *testing.T) {
	doc, err := apitest.SpecDocument()
	if err != nil {
		t.Fatal(err)
	}
	var spec, served []string
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			spec = append(spec, strings.ToUpper(method)+" "+path)
		}
	}
	s := &Server{}
	for _, e := range s.endpoints() {
		served = append(served, e.method+" "+e.path)
	}
	served = append(served, "GET /admin/faults", "POST /admin/faults", "POST /admin/rules", "POST /admin/products",
		"POST /admin/pause", "POST /admin/resume", "POST /admin/enrollment-codes")
	sort.Strings(spec)
	sort.Strings(served)
	if fmt.Sprint(spec) != fmt.Sprint(served) {
		t.Errorf("spec operations %v\nserved %v", spec, served)
	}
}

// TestQueryParamsMatchSpec: the query parameters the server takes on each
// path (queryParams) are exactly those openapi.yaml lists.
func TestQueryParamsMatchSpec(t *testing.T) {
	doc, err := apitest.SpecDocument()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc["paths"].(map[string]any) {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for method, op := range item.(map[string]any) {
			var inSpec []string
			params, _ := op.(map[string]any)["parameters"].([]any)
			for _, p := range params {
				if p := p.(map[string]any); p["in"] == "query" {
					inSpec = append(inSpec, p["name"].(string))
				}
			}
			served := slices.Clone(queryParams[path])
			sort.Strings(inSpec)
			sort.Strings(served)
			if !slices.Equal(inSpec, served) {
				t.Errorf("%s %s: spec query parameters %v, server takes %v", strings.ToUpper(method), path, inSpec, served)
			}
		}
	}
}

func TestAdminFaults(t *testing.T) {
	e := startRaw(t)
	status, env := e.do(t, "POST", "/admin/faults", []byte(`{"error_rate":2}`), nil)
	if status != 400 || env.Code != string(agent.CodeInvalidRequest) {
		t.Errorf("bad rate: %d %+v", status, env)
	}
	status, env = e.do(t, "POST", "/admin/faults", []byte(`{"error_rate":1,"path_prefix":"/v1/rules"}`), nil)
	if status != 200 {
		t.Fatalf("set faults: %d %+v", status, env)
	}
	e.faulty = true
	if status, env := e.do(t, "GET", "/v1/rules", nil, e.signed("GET", "/v1/rules", nil)); status != 500 || env.Code != string(agent.CodeInternal) {
		t.Errorf("faulted rules: %d %+v", status, env)
	}
	if status, _ := e.do(t, "GET", "/v1/health", nil, nil); status != 200 {
		t.Errorf("health outside the fault path: %d", status)
	}
	status, env = e.do(t, "GET", "/admin/faults", nil, nil)
	var f Faults
	json.Unmarshal(env.Data, &f)
	if status != 200 || f.ErrorRate != 1 || f.PathPrefix != "/v1/rules" {
		t.Errorf("get faults: %d %+v", status, f)
	}
	// Only loopback callers may change faults.
	req, _ := http.NewRequest("POST", "/admin/faults", strings.NewReader(`{}`))
	req.RemoteAddr = "192.0.2.10:5555"
	rec := &recorder{h: http.Header{}}
	e.srv.Handler().ServeHTTP(rec, req)
	if rec.status != http.StatusForbidden {
		t.Errorf("non-loopback admin call: %d", rec.status)
	}
}

// recorder is a minimal ResponseWriter, used only to present a
// non-loopback RemoteAddr (a real connection from another host cannot be
// made in tests: they talk to 127.0.0.1 only).
type recorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }

// FuzzRequestDecoding sends arbitrary bodies, correctly signed, to every
// POST endpoint over loopback: the answer is always an envelope with a
// code and never a 5xx.
func FuzzRequestDecoding(f *testing.F) {
	seeds := []string{
		`{}`, `[]`, `null`, `{"request_no":"R1"}`, `{"request_no":1}`, `{"sn_list":["SN123456"]}`, `{"sn_list":null}`,
		`{"request_no":"R1","items":[{}]}`, `{"request_no":"R1","items":[{"request_no":"I1","order_no":"O1","auth_code":"TIQ1.a.b","trans_time":"2026-05-01T10:00:00Z","amounts":{"final_price_fen":100,"subsidy_fen":15,"pay_fen":85},"product":{"barcode":"6900000000007","category":"phone"},"payment_ref":"P"}]}`,
		`{"request_no":"R1","auth_code":"DEMO-PHONE-01","category":"phone","county_code":"110105","barcode":"6941487000001","amount_fen":499900}`,
		`{"request_no":"R1","frozen_no":"F","order_no":"O","trans_time":"x","amounts":{},"product":{},"payment_ref":"p"}`,
		`{"enrollment_code":"DEMO-ENROLL-0001","device_fingerprint":"f"}`, "\x00\xff", `{"a":` + strings.Repeat("[", 1000),
		string(enrollBody(DemoEnrollmentCode, "fuzz-pc", 5)),
		`{"audit_seq":3,"audit_hash":"` + strings.Repeat("ab", 32) + `","since_seq":0,"since_hash":"` + api.GenesisHash + `"}`,
		`{"audit_seq":1,"audit_hash":"` + strings.Repeat("cd", 32) + `","since_seq":1,"since_hash":"` + strings.Repeat("cd", 32) + `","check_only":true}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	e := startRaw(f)
	var posts []string
	for _, ep := range (&Server{}).endpoints() {
		if ep.method == http.MethodPost {
			posts = append(posts, ep.path)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := posts[int(which)%len(posts)]
		h := e.signed("POST", path, body)
		req, _ := http.NewRequest("POST", e.base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var env api.Envelope
		if err := json.Unmarshal(raw, &env); err != nil || env.Code == "" {
			t.Fatalf("POST %s %q → %d: not an envelope: %q", path, body, resp.StatusCode, raw)
		}
		if resp.StatusCode >= 500 {
			t.Fatalf("POST %s %q → %d %s", path, body, resp.StatusCode, raw)
		}
		if err := e.val.ValidateResponse("POST", path, resp.StatusCode, raw); err != nil {
			t.Fatal(err)
		}
	})
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestSNQueryIgnoresCase: sn/query answers for the upper-case form of each
// SN, so a lock on SNCASE000001 makes sncase000001 USED, and a lock taken
// in lower case before the platform normalised SNs still counts.
func TestSNQueryIgnoresCase(t *testing.T) {
	e := startRaw(t)
	for _, sn := range []string{"SNCASE000001", "legacy000002"} {
		if _, err := e.srv.db.Exec("INSERT INTO sn_locks VALUES (?, ?, ?, ?)", sn, e.terminal, "O-"+sn, 0); err != nil {
			t.Fatal(err)
		}
	}
	body := []byte(`{"sn_list":["sncase000001"," SnCase000001 ","LEGACY000002","legacy000002","free000003"]}`)
	status, env := e.do(t, "POST", "/v1/sn/query", body, e.signed("POST", "/v1/sn/query", body))
	if status != 200 {
		t.Fatalf("sn/query: %d %+v", status, env)
	}
	var got api.SNQueryResponse
	if err := json.Unmarshal(env.Data, &got); err != nil {
		t.Fatal(err)
	}
	want := []api.SNResult{
		{SN: "SNCASE000001", Status: api.SNNotSellable, Reason: api.SNReasonUsed},
		{SN: "SNCASE000001", Status: api.SNNotSellable, Reason: api.SNReasonUsed},
		{SN: "LEGACY000002", Status: api.SNNotSellable, Reason: api.SNReasonUsed},
		{SN: "LEGACY000002", Status: api.SNNotSellable, Reason: api.SNReasonUsed},
		{SN: "FREE000003", Status: api.SNSellable},
	}
	if len(got.Items) != len(want) {
		t.Fatalf("items %+v", got.Items)
	}
	for i := range want {
		if got.Items[i] != want[i] {
			t.Errorf("item %d = %+v, want %+v", i, got.Items[i], want[i])
		}
	}
}
