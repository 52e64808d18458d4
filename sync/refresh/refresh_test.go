package refresh_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"tradein/agent"
	"tradein/agent/agenttest"
	"tradein/sync/api"
	"tradein/sync/refresh"
)

// source serves fixed rule sets and an empty, up-to-date library.
type source struct{ rules agent.RuleSets }

func (s *source) Rules(context.Context) (agent.RuleSets, error) { return s.rules, nil }
func (s *source) Products(context.Context, int64, string, int) (api.ProductPage, error) {
	return api.ProductPage{}, nil
}

// TestRefreshKeepsTheLastGoodRules: rule sets that fail validation are not
// cached; the last good ones stay and the error says why.
func TestRefreshKeepsTheLastGoodRules(t *testing.T) {
	ctx := context.Background()
	st := agenttest.OpenStore(t, agenttest.StoreOptions{})
	var logs bytes.Buffer
	src := &source{rules: agent.DefaultRuleSets()}
	r, err := refresh.New(refresh.Config{Source: src, Library: st, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Rules(ctx); err != nil {
		t.Fatal(err)
	}
	nonsense := map[string]func(rs agent.RuleSets){
		"rate above 100 %":             func(rs agent.RuleSets) { rs[1].Categories[0].GradeRatesBP["1"] = 150000 },
		"period ends before it starts": func(rs agent.RuleSets) { rs[1].CampaignEnd = rs[1].CampaignStart.AddDate(0, 0, -1) },
		"no categories":                func(rs agent.RuleSets) { rs[1].Categories = nil },
		"negative cap":                 func(rs agent.RuleSets) { rs[0].Categories[3].CapFen = -1 },
		"same id twice":                func(rs agent.RuleSets) { rs[0].ID = rs[1].ID },
	}
	for name, mutate := range nonsense {
		bad := agent.DefaultRuleSets()
		mutate(bad)
		src.rules = bad
		if err := r.Rules(ctx); agent.CodeOf(err) != agent.CodeInvalidRequest {
			t.Errorf("%s: Rules() = %v, want INVALID_REQUEST", name, err)
		}
		got, err := st.Rules(ctx)
		if err != nil || len(got) != 2 || got[1].Categories[0].GradeRatesBP["1"] != 1500 || len(got[1].Categories) != 10 ||
			got[0].ID != agent.RuleSetNational2025 || got[0].Categories[3].CapFen != agent.Yuan(2000) {
			t.Fatalf("%s: cached rules replaced: %+v %v", name, got, err)
		}
	}
	if !strings.Contains(logs.String(), "keeping the cached ones") {
		t.Errorf("no log line for the refused rules:\n%s", logs.String())
	}
	// An empty answer is refused too, not cached as "no rules".
	src.rules = nil
	if err := r.Rules(ctx); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Errorf("empty answer: %v", err)
	}
}
