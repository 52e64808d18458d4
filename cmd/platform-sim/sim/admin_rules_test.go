package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tradein/agent"
	"tradein/sync/api"
)

// smartRing is a category no code knows, published as data.
const smartRing agent.Category = "smart_ring"

func ringSet() agent.Rules {
	return agent.Rules{ID: "TEST-ring", Version: "1", RegionPrefix: "11",
		Categories: []agent.CategoryRule{{Category: smartRing, Group: "wearable", NameZH: "智能戒指", NameEN: "Smart ring",
			RateBP: 1500, CapFen: agent.Yuan(300), PerConsumerLimit: 1, SNRequired: true}}}
}

// TestAdminRulesProductsPause publishes a rule set with a new category and
// a product of it, issues a demo code for it, pauses and resumes it: every
// answer is checked against openapi.yaml, and bad bodies are refused.
func TestAdminRulesProductsPause(t *testing.T) {
	e := startRaw(t)
	ctx := context.Background()
	post := func(path string, v any) (int, api.Envelope) {
		t.Helper()
		body, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return e.do(t, "POST", path, body, nil)
	}
	sets := append(SeededRuleSets(), ringSet())
	if st, env := post("/admin/rules", api.RulesResponse{RuleSets: sets}); st != 200 {
		t.Fatalf("publish rules: %d %+v", st, env)
	}
	bad := append(SeededRuleSets(), ringSet())
	bad[3].Categories[0].RateBP = 20000
	if st, env := post("/admin/rules", api.RulesResponse{RuleSets: bad}); st != 400 || env.Code != string(agent.CodeInvalidRequest) {
		t.Fatalf("invalid rules: %d %+v", st, env)
	}
	ring := agent.Product{Barcode: "6970000001045", Name: "智能戒指 R1", Brand: "Test", Model: "R1", Category: smartRing,
		FiledPriceFen: agent.Yuan(1999), SNRequired: true, Status: agent.ProductActive}
	if st, env := post("/admin/products", ProductsRequest{Items: []agent.Product{ring}}); st != 200 {
		t.Fatalf("publish products: %d %+v", st, env)
	}
	wrong := ring
	wrong.Barcode = "6970000001046" // bad check digit
	if st, _ := post("/admin/products", ProductsRequest{Items: []agent.Product{wrong}}); st != 400 {
		t.Fatalf("bad product: %d", st)
	}
	if p, err := loadProduct(ctx, e.srv.db, ring.Barcode); err != nil || p.Category != smartRing {
		t.Fatalf("published product: %+v %v", p, err)
	}
	if _, err := e.srv.IssueCode(ctx, CodeRequest{Category: smartRing}); err != nil {
		t.Fatalf("democode for a new category: %v", err)
	}

	if st, env := post("/admin/pause", PauseRequest{RuleSetID: "TEST-ring", Category: smartRing, Message: "资金已用完"}); st != 200 {
		t.Fatalf("pause: %d %+v", st, env)
	}
	rs, _ := e.srv.Rules(ctx)
	if r, _ := rs.ByID("TEST-ring"); r.Categories[0].Paused == nil || r.Categories[0].Paused.Message != "资金已用完" {
		t.Fatalf("not paused: %+v", r)
	}
	if st, _ := post("/admin/pause", PauseRequest{RuleSetID: "TEST-ring", Category: smartRing}); st != 400 {
		t.Fatalf("pause without a message: %d", st)
	}
	if st, env := post("/admin/pause", PauseRequest{RuleSetID: "NOPE", Message: "x"}); st != 404 {
		t.Fatalf("pause of an unknown set: %d %+v", st, env)
	}
	if st, env := post("/admin/resume", PauseRequest{RuleSetID: "TEST-ring", Category: smartRing}); st != 200 {
		t.Fatalf("resume: %d %+v", st, env)
	}
	rs, _ = e.srv.Rules(ctx)
	if r, _ := rs.ByID("TEST-ring"); r.Categories[0].Paused != nil {
		t.Fatal("still paused")
	}
	if st, _ := e.do(t, "GET", "/admin/pause", nil, nil); st != 405 {
		t.Fatalf("GET /admin/pause: %d", st)
	}
	// Like every request body, an admin body must be sent as application/json.
	if st, env := e.do(t, "POST", "/admin/resume", []byte(`{"rule_set_id":"TEST-ring"}`),
		map[string]string{"Content-Type": "text/plain"}); st != 400 || env.Code != string(agent.CodeInvalidRequest) {
		t.Fatalf("admin body as text/plain: %d %+v", st, env)
	}
}

// TestMainRulesAndProductsFiles: -rules and -products publish files at
// start; a file that fails validation stops the start with a message.
func TestMainRulesAndProductsFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, v any) string {
		raw, _ := json.Marshal(v)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := append(SeededRuleSets(), ringSet())
	bad[3].ID = bad[0].ID // the same id twice
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"-listen", "127.0.0.1:0", "-db", filepath.Join(dir, "p.db"), "-rules", write("bad.json", api.RulesResponse{RuleSets: bad})},
		&stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "listed twice") {
		t.Fatalf("bad -rules: %d %q", code, stderr.String())
	}
	srv, err := Open(context.Background(), Config{DBPath: filepath.Join(dir, "q.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	if err := srv.LoadRulesFile(ctx, write("good.json", append(SeededRuleSets(), ringSet()))); err != nil {
		t.Fatal(err)
	}
	ring := agent.Product{Barcode: "6970000001045", Name: "智能戒指 R1", Category: smartRing, Status: agent.ProductActive}
	if err := srv.LoadProductsFile(ctx, write("products.json", ProductsRequest{Items: []agent.Product{ring}})); err != nil {
		t.Fatal(err)
	}
	rs, _ := srv.Rules(ctx)
	if _, ok := rs.ByID("TEST-ring"); !ok || len(rs) != 4 {
		t.Fatalf("rules after -rules: %s", rs.Versions())
	}
}
