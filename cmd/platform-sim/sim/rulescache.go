package sim

import (
	"bytes"
	"sync"

	"tradein/agent"
)

// rulesCache keeps the last rule sets decoded from the meta table together
// with the stored bytes it came from. Every sale check still reads the
// stored rules (one primary-key row, so a change by SetRules or by another
// process is seen at once) but decodes the JSON only when those bytes
// changed: decoding it for every batch item was an eighth of the
// simulator's CPU time in a 100,000-sale drain.
//
// The agent.RuleSets it returns share their slices and maps with the cache:
// callers only read them (sale checks, GET /v1/rules, demo codes).
type rulesCache struct {
	rulesMu  sync.Mutex // guards rulesRaw and rulesVal
	rulesRaw []byte
	rulesVal agent.RuleSets
}

// decodeRulesCached returns the rules stored as raw, decoding raw only
// when it differs from the bytes decoded last.
func (c *rulesCache) decodeRulesCached(raw []byte) (agent.RuleSets, error) {
	c.rulesMu.Lock()
	defer c.rulesMu.Unlock()
	if c.rulesRaw != nil && bytes.Equal(raw, c.rulesRaw) {
		return c.rulesVal, nil
	}
	r, err := decodeRules(raw)
	if err != nil {
		return nil, err
	}
	c.rulesRaw, c.rulesVal = bytes.Clone(raw), r
	return r, nil
}
