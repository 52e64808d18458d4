package sim

import (
	"encoding/json"
	"testing"

	"tradein/agent"
	"tradein/sync/api"
)

// FuzzDecodeRuleSets feeds -rules files and POST /admin/rules bodies to
// the parser: it never panics, and whatever it accepts passes
// agent.RuleSets.Validate and survives a JSON round trip with the same
// sets.
func FuzzDecodeRuleSets(f *testing.F) {
	seeded, _ := json.Marshal(api.RulesResponse{RuleSets: SeededRuleSets()})
	bare, _ := json.Marshal(agent.DefaultRuleSets())
	legacy, _ := json.Marshal(agent.NationalRules2025())
	f.Add(seeded)
	f.Add(bare)
	f.Add(legacy) // one set, not a list: refused
	f.Add([]byte(`{"rule_sets":[]}`))
	f.Add([]byte(`[{"id":"X","version":"1","campaign_start":"2026-01-01T00:00:00+08:00","campaign_end":"0001-01-01T00:00:00Z",` +
		`"region_prefix":"11","categories":[{"category":"smart_ring","group":"wearable","name_zh":"戒指","name_en":"Ring",` +
		`"rate_bp":1500,"cap_fen":30000,"per_consumer_limit":1,"trade_in_required":false,"sn_required":true,` +
		`"quota_restored_on_refund":true}],"offline":{"signed_codes_only":true,"max_subsidy_per_sale_fen":0,` +
		`"max_pending_subsidy_fen":0,"max_oldest_pending_ns":0}}]`))
	f.Add([]byte(`{"rule_sets":[{"id":"","version":""}]}`))
	f.Add([]byte(`[`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, raw []byte) {
		sets, err := DecodeRuleSets(raw)
		if err != nil {
			if agent.CodeOf(err) != agent.CodeInvalidRequest {
				t.Fatalf("refusal %v is not INVALID_REQUEST", err)
			}
			return
		}
		if err := sets.Validate(); err != nil {
			t.Fatalf("accepted sets fail validation: %v", err)
		}
		again, _ := json.Marshal(api.RulesResponse{RuleSets: sets})
		back, err := DecodeRuleSets(again)
		if err != nil || back.Versions() != sets.Versions() {
			t.Fatalf("round trip: %v %q vs %q", err, back.Versions(), sets.Versions())
		}
	})
}

// FuzzDecodeProducts feeds -products files and POST /admin/products
// bodies to the parser: it never panics, and refuses with
// INVALID_REQUEST.
func FuzzDecodeProducts(f *testing.F) {
	demo, _ := json.Marshal(ProductsRequest{Items: DemoProducts()[:3]})
	bare, _ := json.Marshal(DemoProducts()[:1])
	f.Add(demo)
	f.Add(bare)
	f.Add([]byte(`{"items":[{"barcode":"6970000001045","category":"smart_ring","water_grade":1}]}`))
	f.Add([]byte(`{"items":null}`))
	f.Add([]byte(`{"items":[{"unknown":1}]}`))
	f.Add([]byte(`]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ps, err := DecodeProducts(raw)
		if err != nil {
			if agent.CodeOf(err) != agent.CodeInvalidRequest {
				t.Fatalf("refusal %v is not INVALID_REQUEST", err)
			}
			return
		}
		if _, err := json.Marshal(ps); err != nil {
			t.Fatal(err)
		}
	})
}
