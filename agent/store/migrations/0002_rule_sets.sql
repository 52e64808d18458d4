-- Rule sets over time: the terminal caches every rule set the platform
-- serves for the store (agent.RuleSets as a JSON array in rules.data; a
-- row written before this migration holds one agent.Rules object and is
-- read as a list of one until the next refresh replaces it), and each sale
-- records the ID of the rule set in force at its transaction time, so that
-- lists and reports can select on it without decoding the sale.
ALTER TABLE sales ADD COLUMN rule_set_id TEXT NOT NULL DEFAULT '';
CREATE INDEX sales_rule_set ON sales (rule_set_id, created_at);

-- Rules subsidise "energy or water efficiency grade N": the library keeps
-- a product's water-efficiency grade next to its energy grade (0: none).
ALTER TABLE products ADD COLUMN water_grade INTEGER NOT NULL DEFAULT 0;
ALTER TABLE product_staging ADD COLUMN water_grade INTEGER NOT NULL DEFAULT 0;
