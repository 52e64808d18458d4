// Package apitest checks HTTP answers against the contract's OpenAPI
// schemas (api.Spec). The contract tests of sync/client and
// cmd/platform-sim route every response through a Validator, so the
// server, the client and openapi.yaml cannot drift apart unnoticed.
package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"tradein/sync/api"
)

// specURL names the spec resource inside the schema compiler.
const specURL = "https://tradein.invalid/openapi.json"

// Validator validates response bodies against the spec. It is safe for
// concurrent use.
type Validator struct {
	doc     map[string]any
	mu      sync.Mutex
	comp    *jsonschema.Compiler
	schemas map[string]*jsonschema.Schema // by JSON pointer
}

// Load parses api.Spec. OpenAPI 3.1 schemas are JSON Schema 2020-12, so
// they compile as they are once the YAML is turned into JSON.
func Load() (*Validator, error) {
	doc, err := SpecDocument()
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(specURL, inst); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return &Validator{doc: doc, comp: c, schemas: map[string]*jsonschema.Schema{}}, nil
}

// SpecDocument returns api.Spec parsed into JSON-compatible values.
func SpecDocument() (map[string]any, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(api.Spec, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	// Round-trip through JSON so that every value has a JSON type.
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml is not JSON-compatible: %w", err)
	}
	doc = nil
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// escape encodes a JSON pointer token.
func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// responsePointer finds the schema pointer of the answer with status to
// method path, following a $ref to components/responses.
func (v *Validator) responsePointer(method, path string, status int) (string, error) {
	paths, _ := v.doc["paths"].(map[string]any)
	item, ok := paths[path].(map[string]any)
	if !ok {
		return "", fmt.Errorf("openapi.yaml has no path %s", path)
	}
	op, ok := item[strings.ToLower(method)].(map[string]any)
	if !ok {
		return "", fmt.Errorf("openapi.yaml has no operation %s %s", method, path)
	}
	responses, _ := op["responses"].(map[string]any)
	code := strconv.Itoa(status)
	resp, ok := responses[code].(map[string]any)
	if !ok {
		return "", fmt.Errorf("openapi.yaml: %s %s does not document status %d", method, path, status)
	}
	ptr := "/paths/" + escape(path) + "/" + strings.ToLower(method) + "/responses/" + code
	if ref, ok := resp["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
	}
	return ptr + "/content/application~1json/schema", nil
}

// ValidateResponse checks that body is a valid answer with status to
// method path (path without the query).
func (v *Validator) ValidateResponse(method, path string, status int, body []byte) error {
	ptr, err := v.responsePointer(method, path, status)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s → %d: body is not JSON: %w", method, path, status, err)
	}
	if err := v.ValidateAt(ptr, inst); err != nil {
		return fmt.Errorf("%s %s → %d: body does not match openapi.yaml: %w\nbody: %s", method, path, status, err, body)
	}
	return nil
}

// ValidateAt checks inst, a JSON value as jsonschema.UnmarshalJSON or
// encoding/json decode it, against the schema at the JSON pointer ptr of
// the spec (e.g. "/components/schemas/TryRequest").
func (v *Validator) ValidateAt(ptr string, inst any) error {
	v.mu.Lock()
	sch, ok := v.schemas[ptr]
	if !ok {
		var err error
		sch, err = v.comp.Compile(specURL + "#" + ptr)
		if err != nil {
			v.mu.Unlock()
			return fmt.Errorf("compile %s: %w", ptr, err)
		}
		v.schemas[ptr] = sch
	}
	v.mu.Unlock()
	return sch.Validate(inst)
}

// Pointer returns the JSON pointer token of s (RFC 6901: "~" and "/"
// escaped), for building pointers such as "/paths/"+Pointer(path).
func Pointer(s string) string { return escape(s) }

// Transport wraps base (http.DefaultTransport when nil) so that every
// response body is validated; failures go to report. Bodies are read
// whole and handed on unchanged.
func (v *Validator) Transport(base http.RoundTripper, report func(error)) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		if err != nil {
			return resp, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if verr := v.ValidateResponse(r.Method, r.URL.Path, resp.StatusCode, body); verr != nil {
			report(verr)
		}
		return resp, nil
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
