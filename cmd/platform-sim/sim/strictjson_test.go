package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	for _, body := range []string{strictBatch, " \n" + strictBatch + "\n", `{"\u0072equest_no":"B1","items":[]}`,
		`{"request_no":"B\"1\\","items":[ ]}`, `{ "request_no" : "B1" , "items" : [ ] }`} {
		var ok api.TransactionBatch
		if err := decodeBody([]byte(body), &ok); err != nil {
			t.Fatalf("valid batch %s refused: %v", body, err)
		}
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
		{"escaped twin", `{"request_no":"B1","\u0072equest_no":"B2","items":[]}`, `"request_no" appears twice`},
		{"escaped case variant", `{"REQUEST\u005fNO":"B1","items":[]}`, `"REQUEST_NO": keys are case-sensitive`},
		{"duplicate in an array of objects", `{"request_no":"B","items":[{"amounts":{"pay_fen":1}},{"amounts":{"pay_fen":1,"pay_fen":2}}]}`,
			`"items[1].amounts.pay_fen" appears twice`},
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

// TestCheckKeysManyKeys: duplicates are found in objects with more keys
// than the scanner keeps in its small array (maps and interfaces).
func TestCheckKeysManyKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"m":{`)
	for i := range 40 {
		fmt.Fprintf(&b, `"k%d":%d,`, i, i)
	}
	ok := b.String() + `"last":0}}`
	dupEarly := b.String() + `"k3":0}}`
	dupLate := b.String() + `"k39":0}}`
	type withMap struct {
		M map[string]int `json:"m"`
	}
	type withAny struct {
		M any `json:"m"`
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[withMap](), reflect.TypeFor[withAny]()} {
		if err := checkKeys([]byte(ok), typ); err != nil {
			t.Errorf("%s: distinct keys refused: %v", typ, err)
		}
		for _, body := range []string{dupEarly, dupLate} {
			if err := checkKeys([]byte(body), typ); err == nil || !strings.Contains(err.Error(), "appears twice") {
				t.Errorf("%s: duplicate in %s…: %v", typ, body[len(body)-12:], err)
			}
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
		//lint:ignore U1000 an unexported field must be skipped by jsonFields; it is never set
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

// BenchmarkDecodeBodyBatch100 decodes a full offline-sales batch (100
// items, the contract's maximum) as the platform does, key checks
// included; BenchmarkDecodeBodyBatch100NoKeyCheck is the decoding alone,
// for the cost of checkKeys.
func BenchmarkDecodeBodyBatch100(b *testing.B) { benchDecodeBatch(b, decodeBody) }

func BenchmarkDecodeBodyBatch100NoKeyCheck(b *testing.B) {
	benchDecodeBatch(b, func(body []byte, v any) error {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	})
}

func benchDecodeBatch(b *testing.B, decode func([]byte, any) error) {
	item := strictBatch[strings.Index(strictBatch, "[")+1 : strings.LastIndex(strictBatch, "]")]
	items := make([]string, api.MaxBatchItems)
	for i := range items {
		items[i] = item
	}
	body := []byte(`{"request_no":"B1","items":[` + strings.Join(items, ",") + `]}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var v api.TransactionBatch
		if err := decode(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}
