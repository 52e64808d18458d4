package sim

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The request-body rules encoding/json does not enforce by itself. The
// contract (sync/api/openapi.yaml, "Requests") says a body is one
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
// the struct it fills, such as a case variant. Keys are compared as
// encoding/json reads them, escapes resolved ("\u0061" is "a"). Values of
// types that decode themselves (json.Unmarshaler, e.g. time.Time) and of
// interface type are checked for duplicate keys only.
//
// It is a single pass over the bytes that allocates only for escaped
// keys, objects of more than 16 keys and error messages: a walk with
// json.Decoder.Token made decoding a 100-item batch eight times slower;
// this one adds about a fifth (BenchmarkDecodeBodyBatch100 against
// BenchmarkDecodeBodyBatch100NoKeyCheck).
func checkKeys(body []byte, t reflect.Type) error {
	s := keyScanner{b: body}
	s.space()
	return s.value(t)
}

// pathStep is one step of the path to the value being read: the key of
// an object member, or the index of an array element when key is nil.
type pathStep struct {
	key   []byte
	index int
}

// pathString renders the scanner's path for an error message, e.g.
// items[0].amounts.pay_fen.
func (s *keyScanner) pathString() string {
	var b strings.Builder
	for i, st := range s.path {
		switch {
		case st.key == nil:
			b.WriteString("[" + strconv.Itoa(st.index) + "]")
		case i > 0:
			b.WriteString("." + string(st.key))
		default:
			b.Write(st.key)
		}
	}
	return b.String()
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// keyScanner reads a JSON text that encoding/json accepted; on anything
// else it stops with an INVALID_REQUEST error rather than panic.
type keyScanner struct {
	b    []byte
	i    int
	path []pathStep // to the value being read
}

var errMalformed = invalid("malformed JSON")

func (s *keyScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// value checks the value at s.i, which is to fill a value of type t (nil:
// any value).
func (s *keyScanner) value(t reflect.Type) error {
	if s.i >= len(s.b) {
		return errMalformed
	}
	switch s.b[s.i] {
	case '{':
		return s.object(t)
	case '[':
		return s.array(t)
	case '"':
		_, _, err := s.str()
		return err
	}
	// A number, true, false or null.
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return nil
		}
		s.i++
	}
	return nil
}

// str reads a string at s.i and returns its raw bytes between the quotes
// and whether they hold an escape.
func (s *keyScanner) str() (raw []byte, escaped bool, err error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, errMalformed
	}
	start := s.i + 1
	for j := start; j < len(s.b); j++ {
		switch s.b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			s.i = j + 1
			return s.b[start:j], escaped, nil
		}
	}
	return nil, false, errMalformed
}

// elemType is the type of the values inside t, when t is a slice, array
// or map; nil otherwise.
func elemType(t reflect.Type, kinds ...reflect.Kind) reflect.Type {
	if t != nil && slices.Contains(kinds, t.Kind()) {
		return t.Elem()
	}
	return nil
}

// plain strips pointers and drops types encoding/json does not fill
// field by field.
func plain(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() == reflect.Interface) {
		return nil
	}
	return t
}

func (s *keyScanner) array(t reflect.Type) error {
	elem := plain(elemType(plain(t), reflect.Slice, reflect.Array))
	s.i++ // [
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for n := 0; ; n++ {
		s.space()
		s.path = append(s.path, pathStep{index: n})
		if err := s.value(elem); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
		s.space()
		if s.i >= len(s.b) {
			return errMalformed
		}
		c := s.b[s.i]
		s.i++
		if c == ']' {
			return nil
		}
		if c != ',' {
			return errMalformed
		}
	}
}

func (s *keyScanner) object(t reflect.Type) error {
	t = plain(t)
	var fields map[string]reflect.Type // set when t is a struct
	var elem reflect.Type              // element type when t is a map
	if t != nil {
		switch t.Kind() {
		case reflect.Struct:
			fields = jsonFields(t)
		case reflect.Map:
			elem = plain(t.Elem())
		}
	}
	// The object's keys so far: in a small array while there are few (a
	// struct's keys are distinct field names, a dozen at most), in a map
	// beyond that (an object decoded as a map or an interface).
	var seenBuf [16][]byte
	seen := seenBuf[:0]
	var seenMap map[string]bool
	s.i++ // {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.space()
		raw, escaped, err := s.str()
		if err != nil {
			return err
		}
		key := raw
		if escaped {
			var k string
			if json.Unmarshal(s.b[s.i-len(raw)-2:s.i], &k) != nil {
				return errMalformed
			}
			key = []byte(k)
		}
		s.path = append(s.path, pathStep{key: key})
		dup := seenMap[string(key)]
		for _, k := range seen {
			dup = dup || bytes.Equal(k, key)
		}
		if dup {
			return invalid("key %q appears twice in one object", s.pathString())
		}
		if len(seen) < cap(seen) {
			seen = append(seen, key)
		} else {
			if seenMap == nil {
				seenMap = map[string]bool{}
			}
			seenMap[string(key)] = true
		}
		vt := elem
		if fields != nil {
			ft, ok := fields[string(key)]
			if !ok {
				for f := range fields {
					if strings.EqualFold(f, string(key)) {
						return invalid("key %q: keys are case-sensitive; the field is %q", s.pathString(), f)
					}
				}
				return invalid("unknown key %q", s.pathString())
			}
			vt = ft
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return errMalformed
		}
		s.i++
		s.space()
		if err := s.value(vt); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
		s.space()
		if s.i >= len(s.b) {
			return errMalformed
		}
		c := s.b[s.i]
		s.i++
		if c == '}' {
			return nil
		}
		if c != ',' {
			return errMalformed
		}
	}
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
