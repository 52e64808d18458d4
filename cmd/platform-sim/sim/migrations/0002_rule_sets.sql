-- Rule sets over time: meta.rules_json holds every rule set (an
-- agent.RuleSets JSON array; a database seeded before holds one
-- agent.Rules object, read as a list of one). A freeze remembers the set
-- it was computed under and when, so that its commit is judged by the
-- same set however late it comes; a sale records its set.
ALTER TABLE freezes ADD COLUMN rule_set_id TEXT NOT NULL DEFAULT '';
ALTER TABLE freezes ADD COLUMN frozen_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sales ADD COLUMN rule_set_id TEXT NOT NULL DEFAULT '';

-- Rules subsidise "energy or water efficiency grade N": the library
-- carries a product's water-efficiency grade too (0: none).
ALTER TABLE products ADD COLUMN water_grade INTEGER NOT NULL DEFAULT 0;
