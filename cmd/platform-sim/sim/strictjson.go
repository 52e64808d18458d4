package sim

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// The request-body rules encoding/json does not enforce by itself. The
// contract (sync/api/openapi.yaml, "Request bodies") says a body is one
// JSON object sent as application/json whose keys are the schema's names,
// exactly, once each. encoding/json would accept more: it matches keys to
// fields ignoring case ({"REQUEST_NO":…} fills request_no) and lets the
// last of two equal keys win silently ({"amount_fen":1,"amount_fen":9}).
// A proxy, a signature checker or a log reader may read such a body
// differently from the platform, so the platform refuses it.

// checkContentType refuses a request whose body is not declared as JSON:
// a request with a body needs Content-Type application/json, with no
// charset other than utf-8. A request without a body may omit it.
func checkContentType(r *http.Request, body []byte) error {
	ct := r.Header.Get("Content-Type")
	if len(body) == 0 && ct == "" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return invalid("Content-Type %q: request bodies must be sent as application/json", ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return invalid("Content-Type %q: the only charset is utf-8", ct)
	}
	return nil
}

// checkKeys walks the JSON value in body (already known to decode into a
// value of type t) and refuses, with the key's path, an object key that
// appears twice and a key that is not exactly the JSON name of a field of
// the struct it fills, such as a case variant. Values of types that decode
// themselves (json.Unmarshaler, e.g. time.Time) and of interface type are
// checked for duplicate keys only.
func checkKeys(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return walkKeys(dec, t, "")
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// walkKeys reads one JSON value from dec, which is to fill a value of type
// t (nil: any value), and checks its keys. path names the value in errors.
func walkKeys(dec *json.Decoder, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() == reflect.Interface) {
		t = nil
	}
	tok, err := dec.Token()
	if err != nil {
		return invalid("malformed JSON: %v", err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar
	}
	switch delim {
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkKeys(dec, elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case '{':
		var fields map[string]reflect.Type // set when t is a struct
		var elem reflect.Type              // element type when t is a map
		if t != nil {
			switch t.Kind() {
			case reflect.Struct:
				fields = jsonFields(t)
			case reflect.Map:
				elem = t.Elem()
			}
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return invalid("malformed JSON: %v", err)
			}
			key, _ := tok.(string)
			name := key
			if path != "" {
				name = path + "." + key
			}
			if seen[key] {
				return invalid("key %q appears twice in one object", name)
			}
			seen[key] = true
			vt := elem
			if fields != nil {
				ft, ok := fields[key]
				if !ok {
					for f := range fields {
						if strings.EqualFold(f, key) {
							return invalid("key %q: keys are case-sensitive; the field is %q", name, f)
						}
					}
					return invalid("unknown key %q", name)
				}
				vt = ft
			}
			if err := walkKeys(dec, vt, name); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ] or }
		return invalid("malformed JSON: %v", err)
	}
	return nil
}

// jsonFieldCache holds jsonFields' answer per struct type.
var jsonFieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps the JSON names of struct type t's fields, as
// encoding/json names them (the json tag's name, else the Go name;
// untagged embedded structs promote their fields), to the fields' types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := jsonFieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, shadowed := m[k]; !shadowed {
						m[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	jsonFieldCache.Store(t, m)
	return m
}
