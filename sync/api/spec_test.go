package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"tradein/agent"
	"tradein/sync/api"
	"tradein/sync/api/apitest"
)

func specDoc(t *testing.T) map[string]any {
	t.Helper()
	doc, err := apitest.SpecDocument()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func m(v any) map[string]any { x, _ := v.(map[string]any); return x }

// TestSpecStructure checks the rules a linter cannot know: the spec lists
// exactly the Go error codes, each under the HTTP status the server sends;
// the signing headers are the ones api signs; every mutating request
// carries request_no; every operation is complete.
func TestSpecStructure(t *testing.T) {
	doc := specDoc(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi = %q, want 3.1.x", v)
	}
	schemas := m(m(doc["components"])["schemas"])

	var specCodes []string
	for _, c := range m(schemas["ErrorCode"])["enum"].([]any) {
		specCodes = append(specCodes, c.(string))
	}
	var goCodes []string
	for _, c := range api.ErrorCodes {
		goCodes = append(goCodes, string(c))
	}
	sort.Strings(specCodes)
	sort.Strings(goCodes)
	if !slices.Equal(specCodes, goCodes) {
		t.Errorf("ErrorCode enum %v\nwant api.ErrorCodes %v", specCodes, goCodes)
	}
	// Each code is documented in the shared response of its HTTP status.
	statusResp := map[int]string{400: "BadRequest", 401: "Unauthorized", 404: "NotFound", 409: "Conflict",
		422: "Unprocessable", 429: "RateLimited", 500: "Internal"}
	responses := m(m(doc["components"])["responses"])
	for _, c := range api.ErrorCodes {
		name := statusResp[api.HTTPStatus(c)]
		desc, _ := m(responses[name])["description"].(string)
		if !strings.Contains(desc, string(c)+",") && !strings.Contains(desc, string(c)+".") {
			t.Errorf("code %s (HTTP %d) is not listed in components/responses/%s", c, api.HTTPStatus(c), name)
		}
	}

	headers := map[string]bool{}
	for _, s := range m(m(doc["components"])["securitySchemes"]) {
		headers[m(s)["name"].(string)] = true
	}
	for _, h := range []string{api.HeaderTerminalNo, api.HeaderTimestamp, api.HeaderNonce, api.HeaderSignature} {
		if !headers[h] {
			t.Errorf("security scheme for header %s missing", h)
		}
	}

	for path, item := range m(doc["paths"]) {
		for method, o := range m(item) {
			op := m(o)
			name := strings.ToUpper(method) + " " + path
			for _, k := range []string{"operationId", "summary", "description", "tags"} {
				if op[k] == nil {
					t.Errorf("%s: no %s", name, k)
				}
			}
			resp := m(op["responses"])
			if resp["200"] == nil {
				t.Errorf("%s: no 200 answer", name)
			}
			has4xx := false
			for code := range resp {
				has4xx = has4xx || strings.HasPrefix(code, "4")
			}
			if !has4xx {
				t.Errorf("%s: no 4xx answer", name)
			}
			if method == "post" && strings.HasPrefix(path, "/v1/") && path != "/v1/terminals/enroll" && path != "/v1/sn/query" &&
				path != "/v1/terminals/audit-head" { // a report: the same head gives the same verdict
				ref := m(m(m(m(op["requestBody"])["content"])["application/json"])["schema"])["$ref"].(string)
				req := m(schemas[strings.TrimPrefix(ref, "#/components/schemas/")])
				if !slices.Contains(req["required"].([]any), any("request_no")) {
					t.Errorf("%s: request %s does not require request_no", name, ref)
				}
			}
		}
	}
}

// TestSpecExamples: every operation shows examples of its request (body
// or query parameters) and of every answer, and each example is valid
// under its own schema, so that a third party's mock built from the spec
// alone serves answers the spec allows. Every /v1 operation documents 405
// and 503.
func TestSpecExamples(t *testing.T) {
	doc := specDoc(t)
	val, err := apitest.Load()
	if err != nil {
		t.Fatal(err)
	}
	responses := m(m(doc["components"])["responses"])
	// check validates every example under media (a media type object at
	// pointer ptr) and reports how many there are.
	check := func(name, ptr string, media map[string]any) int {
		exs := m(media["examples"])
		for exName, ex := range exs {
			if m(ex)["summary"] == nil {
				t.Errorf("%s: example %s has no summary", name, exName)
			}
			raw, err := json.Marshal(m(ex)["value"])
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if err := val.ValidateAt(ptr+"/schema", inst); err != nil {
				t.Errorf("%s: example %s does not match its schema: %v", name, exName, err)
			}
		}
		return len(exs)
	}
	for path, item := range m(doc["paths"]) {
		for method, o := range m(item) {
			op := m(o)
			name := strings.ToUpper(method) + " " + path
			opPtr := "/paths/" + apitest.Pointer(path) + "/" + method
			if rb := m(op["requestBody"]); rb != nil {
				if check(name+" request", opPtr+"/requestBody/content/application~1json",
					m(m(rb["content"])["application/json"])) == 0 {
					t.Errorf("%s: request body has no example", name)
				}
			}
			params, _ := op["parameters"].([]any)
			for i, p := range params {
				p := m(p)
				if p["example"] == nil {
					t.Errorf("%s: parameter %v has no example", name, p["name"])
					continue
				}
				raw, _ := json.Marshal(p["example"])
				inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
				if err := val.ValidateAt(opPtr+"/parameters/"+strconv.Itoa(i)+"/schema", inst); err != nil {
					t.Errorf("%s: parameter %v example: %v", name, p["name"], err)
				}
			}
			resps := m(op["responses"])
			for status, r := range resps {
				ptr := opPtr + "/responses/" + status
				if ref, ok := m(r)["$ref"].(string); ok {
					ptr = strings.TrimPrefix(ref, "#")
					r = responses[strings.TrimPrefix(ref, "#/components/responses/")]
				}
				media := m(m(m(r)["content"])["application/json"])
				if check(name+" → "+status, ptr+"/content/application~1json", media) == 0 {
					t.Errorf("%s → %s: no example", name, status)
				}
			}
			if strings.HasPrefix(path, "/v1/") && (resps["405"] == nil || resps["503"] == nil) {
				t.Errorf("%s: 405 and 503 must be documented", name)
			}
		}
	}
}

// TestSpecMatchesGoTypes compares each wire type's JSON field names with
// its schema's properties, in both directions.
func TestSpecMatchesGoTypes(t *testing.T) {
	schemas := m(m(specDoc(t)["components"])["schemas"])
	types := map[string]any{
		"EnrollRequest": api.EnrollRequest{}, "EnrollResponse": api.EnrollResponse{}, "Store": api.StoreWire{},
		"HealthResponse": api.HealthResponse{}, "Rules": agent.Rules{}, "CategoryRule": agent.CategoryRule{},
		"OfflinePolicy": agent.OfflinePolicy{}, "Product": agent.Product{}, "ProductPage": api.ProductPage{},
		"SNQueryRequest": api.SNQueryRequest{}, "SNResult": api.SNResult{}, "SNQueryResponse": api.SNQueryResponse{},
		"TryRequest": api.TryRequest{}, "TryResponse": api.TryResponse{}, "Amounts": api.Amounts{},
		"ProductRef": api.ProductRef{}, "TradeIn": api.TradeInWire{}, "CommitRequest": api.CommitRequest{},
		"CommitResponse": api.CommitResponse{}, "CancelRequest": api.CancelRequest{}, "CancelResponse": api.CancelResponse{},
		"RefundRequest": api.RefundRequest{}, "RefundResponse": api.RefundResponse{}, "Transaction": api.Transaction{},
		"TransactionBatch": api.TransactionBatch{}, "PickupItem": api.PickupItem{}, "PickupBatch": api.PickupBatch{},
		"PickupResponse": api.PickupResponse{}, "BatchItemResult": api.BatchItemResult{}, "BatchResult": api.BatchResult{},
		"DaySummary": api.DaySummary{}, "CategoryTotal": agent.CategoryTotal{}, "ErrorEnvelope": api.Envelope{},
		"AuditHeadRequest": api.AuditHeadRequest{}, "AuditHeadResponse": api.AuditHeadResponse{},
	}
	for name, v := range types {
		props := m(m(schemas[name])["properties"])
		if props == nil {
			t.Errorf("schema %s missing", name)
			continue
		}
		var inSpec, inGo []string
		for p := range props {
			inSpec = append(inSpec, p)
		}
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if tag != "" && tag != "-" && !(name == "ErrorEnvelope" && tag == "data") {
				inGo = append(inGo, tag)
			}
		}
		sort.Strings(inSpec)
		sort.Strings(inGo)
		if !slices.Equal(inSpec, inGo) {
			t.Errorf("schema %s properties %v\nGo %s fields %v", name, inSpec, rt, inGo)
		}
		if ap, ok := m(schemas[name])["additionalProperties"].(bool); !ok || ap {
			t.Errorf("schema %s must set additionalProperties: false", name)
		}
	}
}

// The pinned linters (apitest). Rules are in redocly.yaml
// (recommended-strict: every warning fails). Redocly CLI 2 needs Node >=
// 20.19; Debian 12's own nodejs is 18, where the last 1.x release lints
// with the same rule set.
const (
	redoclyCLI       = apitest.RedoclyCLI
	redoclyCLINode18 = apitest.RedoclyCLINode18
)

// redoclyFor picks the linter the installed node can run.
func redoclyFor(nodeVersion string) string {
	v := strings.TrimPrefix(strings.TrimSpace(nodeVersion), "v")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return redoclyCLINode18
	}
	major, errMaj := strconv.Atoi(parts[0])
	minor, errMin := strconv.Atoi(parts[1])
	if errMaj != nil || errMin != nil {
		return redoclyCLINode18
	}
	if major >= 22 || (major == 20 && minor >= 19) {
		return redoclyCLI
	}
	return redoclyCLINode18
}

func TestRedoclyFor(t *testing.T) {
	for in, want := range map[string]string{
		"v20.20.2\n": redoclyCLI, "v22.12.0": redoclyCLI, "v24.1.0": redoclyCLI,
		"v20.18.1": redoclyCLINode18, "v18.20.4": redoclyCLINode18, "v21.7.3": redoclyCLINode18, "": redoclyCLINode18,
	} {
		if got := redoclyFor(in); got != want {
			t.Errorf("redoclyFor(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestSpecLint lints openapi.yaml with Redocly CLI through npx. Without
// npx or the npm registry the test skips on a developer machine and fails
// in CI (CI=true), where the lint is part of the contract.
func TestSpecLint(t *testing.T) {
	unavailable := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot lint openapi.yaml with Redocly CLI: %s (CI needs node/npx and the npm registry)", why)
		}
		t.Skipf("cannot lint openapi.yaml with Redocly CLI: %s", why)
	}
	npx, err := exec.LookPath("npx")
	if err != nil {
		unavailable("npx not found")
	}
	nodeVersion, err := exec.Command("node", "--version").Output()
	if err != nil {
		unavailable("node not found")
	}
	linter := redoclyFor(string(nodeVersion))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npx, "--yes", linter, "lint", "--config", "redocly.yaml", "openapi.yaml")
	cmd.Env = apitest.NPMEnv()
	out, err := cmd.CombinedOutput()
	if err == nil {
		return
	}
	var exit *exec.ExitError
	text := string(out)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		unavailable("npx timed out (npm registry unreachable?)")
	case errors.As(err, &exit) && (strings.Contains(text, "ENOTFOUND") || strings.Contains(text, "EAI_AGAIN") ||
		strings.Contains(text, "ECONNREFUSED") || strings.Contains(text, "ETIMEDOUT") || strings.Contains(text, "npm error code E")):
		unavailable("npm registry unreachable: " + lastLines(text, 5))
	}
	t.Fatalf("redocly lint failed (%v):\n%s", err, text)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
