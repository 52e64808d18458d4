package sim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"tradein/agent"
)

// FuzzCheckQuery: whatever the query string, checkQuery never panics and
// refuses with INVALID_REQUEST; a query it accepts names, by an
// independent split on & and =, only parameters the path takes, each
// once.
func FuzzCheckQuery(f *testing.F) {
	for _, s := range []string{"", "since_version=0&limit=500", "limit=5&limit=6", "date=2026-05-01", "x=1",
		"page_token=abc%3D&since_version=1", "limit=5&LIMIT=6", "%zz=1", "a;b=c", "date", "date=&date="} {
		f.Add(uint8(0), s)
		f.Add(uint8(1), s)
		f.Add(uint8(2), s)
	}
	paths := []string{"/v1/products", "/v1/summary/day", "/v1/rules"}
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		path := paths[int(which)%len(paths)]
		r := &http.Request{URL: &url.URL{Path: path, RawQuery: raw}}
		err := checkQuery(r, path)
		if err != nil {
			if agent.CodeOf(err) != agent.CodeInvalidRequest {
				t.Fatalf("refusal %v is not INVALID_REQUEST", err)
			}
			return
		}
		if raw == "" {
			return
		}
		seen := map[string]bool{}
		for _, part := range strings.Split(raw, "&") {
			k, _, _ := strings.Cut(part, "=")
			name, uerr := url.QueryUnescape(k)
			if uerr != nil {
				t.Fatalf("accepted %q with a key that does not unescape", raw)
			}
			if part == "" {
				continue
			}
			if seen[name] || !slices.Contains(queryParams[path], name) {
				t.Fatalf("accepted %q on %s: parameter %q repeated or not taken", raw, path, name)
			}
			seen[name] = true
		}
	})
}

// FuzzCheckContentType: checkContentType never panics; a body is
// accepted only under a header whose media type is application/json in
// some letter case.
func FuzzCheckContentType(f *testing.F) {
	for _, s := range []string{"", "application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8",
		"text/plain", "application/json; charset=latin1", "application/json;", "application/jsonx", "application/json; a=\"b"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, ct string, withBody bool) {
		r := &http.Request{Header: http.Header{}}
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		var body []byte
		if withBody {
			body = []byte(`{}`)
		}
		err := checkContentType(r, body)
		if err != nil {
			if agent.CodeOf(err) != agent.CodeInvalidRequest {
				t.Fatalf("refusal %v is not INVALID_REQUEST", err)
			}
			return
		}
		mt, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
		if withBody && !strings.EqualFold(strings.TrimSpace(mt), "application/json") {
			t.Fatalf("body accepted under Content-Type %q", ct)
		}
	})
}
