package sim

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"tradein/agent"
	"tradein/sync/api"
)

// A valid offline-sales batch, the deepest request body of the contract.
const strictBatch = `{"request_no":"B1","items":[{"request_no":"I1","order_no":"O1","auth_code":"X",` +
	`"trans_time":"2026-05-01T10:00:00Z","amounts":{"final_price_fen":100,"subsidy_fen":15,"pay_fen":85},` +
	`"product":{"barcode":"6900000000007","category":"phone","brand":"b","model":"m","energy_grade":0},` +
	`"trade_in":{"ticket_no":"T1","category":"tv","brand":"","model":"","condition":"GOOD","price_fen":0},"payment_ref":"P"}]}`

// TestDecodeBodyKeys: decodeBody refuses what encoding/json alone would
// accept silently: a key twice in one object (the last would win) and a
// key that names a field only when case is ignored, at any depth.
func TestDecodeBodyKeys(t *testing.T) {
	var ok api.TransactionBatch
	if err := decodeBody([]byte(strictBatch), &ok); err != nil {
		t.Fatalf("valid batch refused: %v", err)
	}
	cases := []struct {
		name, body, wantIn string
	}{
		{"duplicate top-level key", `{"request_no":"B1","request_no":"B2","items":[]}`, `"request_no" appears twice`},
		{"case variant", `{"Request_No":"B1","items":[]}`, `"Request_No": keys are case-sensitive; the field is "request_no"`},
		{"upper-case variant", strings.Replace(strictBatch, `"payment_ref"`, `"PAYMENT_REF"`, 1), `"items[0].PAYMENT_REF"`},
		{"duplicate in nested object", strings.Replace(strictBatch, `"pay_fen":85`, `"pay_fen":85,"pay_fen":0`, 1), `"items[0].amounts.pay_fen" appears twice`},
		{"case variant in pointer field", strings.Replace(strictBatch, `"condition"`, `"Condition"`, 1), `"items[0].trade_in.Condition"`},
		{"twin in different case", `{"request_no":"B1","REQUEST_NO":"B2","items":[]}`, `"REQUEST_NO": keys are case-sensitive`},
	}
	for _, c := range cases {
		var v api.TransactionBatch
		// encoding/json itself accepts each of these bodies.
		if err := json.Unmarshal([]byte(c.body), &v); err != nil {
			t.Fatalf("%s: encoding/json refuses the body (%v); the case tests nothing", c.name, err)
		}
		err := decodeBody([]byte(c.body), &v)
		if agent.CodeOf(err) != agent.CodeInvalidRequest || !strings.Contains(err.Error(), c.wantIn) {
			t.Errorf("%s: err = %v; want INVALID_REQUEST saying %s", c.name, err, c.wantIn)
		}
	}
}

// TestJSONFields: the names checkKeys expects are encoding/json's: tag
// names, Go names of untagged fields, promoted fields of untagged embedded
// structs, and nothing for "-" or unexported fields.
func TestJSONFields(t *testing.T) {
	type inner struct {
		Deep int `json:"deep"`
		Own  int `json:"own"`
	}
	type outer struct {
		inner
		Own     string `json:"own"`
		Plain   int
		Skipped int `json:"-"`
		private int
		Opt     *int `json:"opt,omitempty"`
	}
	got := jsonFields(reflect.TypeFor[outer]())
	want := map[string]reflect.Type{"deep": reflect.TypeFor[int](), "own": reflect.TypeFor[string](),
		"Plain": reflect.TypeFor[int](), "opt": reflect.TypeFor[*int]()}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("jsonFields = %v, want %v", got, want)
	}
}

// allNames collects every JSON field name reachable from t.
func allNames(t reflect.Type, into map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for name, ft := range jsonFields(t) {
		into[name] = true
		allNames(ft, into, seen)
	}
}

// objectKeys reports whether the JSON in body has a key twice in one
// object, and collects every key: an independent, type-blind scan.
func objectKeys(dec *json.Decoder, keys map[string]bool) (dup bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return false, nil
	}
	seen := map[string]bool{}
	for dec.More() {
		if d == '{' {
			k, err := dec.Token()
			if err != nil {
				return false, err
			}
			ks := k.(string)
			dup = dup || seen[ks]
			seen[ks], keys[ks] = true, true
		}
		d2, err := objectKeys(dec, keys)
		if err != nil {
			return false, err
		}
		dup = dup || d2
	}
	_, err = dec.Token()
	return dup, err
}

// FuzzDecodeBodyKeys: whatever the body, decodeBody never panics, and a
// body it accepts has no key twice in any object and only keys that are
// exact JSON names of the request type's fields.
func FuzzDecodeBodyKeys(f *testing.F) {
	f.Add(uint8(0), []byte(strictBatch))
	f.Add(uint8(0), []byte(strings.Replace(strictBatch, `"pay_fen":85`, `"pay_fen":85,"pay_fen":0`, 1)))
	f.Add(uint8(0), []byte(strings.Replace(strictBatch, `"condition"`, `"CONDITION"`, 1)))
	f.Add(uint8(1), []byte(`{"sn_list":["SN123456"],"SN_LIST":["SN654321"]}`))
	f.Add(uint8(1), []byte(`{"sn_list":["SN123456"]}`))
	f.Add(uint8(2), []byte(`{"latency_ms":1,"Latency_ms":2}`))
	f.Add(uint8(2), []byte(`{"path_prefix":"/v1/"}`))
	f.Add(uint8(3), []byte(`{"enrollment_code":"C","device_fingerprint":"F","device_fingerprint":"G"}`))
	f.Add(uint8(0), []byte(`{"request_no":"B","items":[{"amounts":{"pay_fen":1}},{"amounts":{"pay_fen":1,"pay_fen":2}}]}`))
	f.Add(uint8(1), []byte(`{"sn_list":[`+strings.Repeat(`[`, 50)))
	f.Add(uint8(2), []byte("{\"path_prefix\":\"\xff\"}"))
	types := []func() any{
		func() any { return new(api.TransactionBatch) }, func() any { return new(api.SNQueryRequest) },
		func() any { return new(Faults) }, func() any { return new(api.EnrollRequest) },
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		v := types[int(which)%len(types)]()
		if err := decodeBody(body, v); err != nil {
			if agent.CodeOf(err) != agent.CodeInvalidRequest {
				t.Fatalf("refusal %v is not INVALID_REQUEST", err)
			}
			return
		}
		keys := map[string]bool{}
		dup, err := objectKeys(json.NewDecoder(bytes.NewReader(body)), keys)
		if err != nil {
			t.Fatalf("accepted body %q does not scan: %v", body, err)
		}
		if dup {
			t.Fatalf("accepted body %q has a key twice in one object", body)
		}
		names := map[string]bool{}
		allNames(reflect.TypeOf(v), names, map[reflect.Type]bool{})
		for k := range keys {
			if !names[k] {
				t.Fatalf("accepted body %q has key %q, not a field name of %T", body, k, v)
			}
		}
	})
}
