package agent

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// RuleSets is every rule set the platform serves for a store (GET
// /v1/rules): the national sets of each year and the local sets of the
// store's province, city or county, each with its effective period. The
// terminal caches them all, so that it moves from one set to the next at
// the boundary by itself, online or offline, and can still name the rules
// of an old sale.
//
// A sale is computed under the set in force at its transaction time (the
// moment the clerk confirmed it) for its category: see ForCategory.
type RuleSets []Rules

// Validate checks every set (Rules.Validate) and that the IDs are unique.
// The terminal caches nothing that fails it, so a broken answer from the
// platform never replaces a working cache. Errors are coded
// CodeInvalidRequest.
func (rs RuleSets) Validate() error {
	if len(rs) == 0 {
		return &Error{Code: CodeInvalidRequest, Detail: "rules: no rule sets"}
	}
	ids := map[string]bool{}
	for i, r := range rs {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("rule set %d (%q): %w", i+1, r.ID, err)
		}
		if ids[r.ID] {
			return &Error{Code: CodeInvalidRequest, Detail: fmt.Sprintf("rules: rule set id %q listed twice", r.ID)}
		}
		ids[r.ID] = true
	}
	return nil
}

// ByID returns the set with the given ID.
func (rs RuleSets) ByID(id string) (Rules, bool) {
	for _, r := range rs {
		if r.ID == id {
			return r, true
		}
	}
	return Rules{}, false
}

// InForce returns the sets in force at t that cover the county, the most
// specific region first (county before city before province before
// national); among sets of one level the one that started last comes
// first, then the one listed last.
func (rs RuleSets) InForce(county string, t time.Time) RuleSets {
	type ranked struct {
		r     Rules
		level int
		pos   int
	}
	var in []ranked
	for i, r := range rs {
		if r.InCampaign(t) && r.CoversRegion(county) {
			in = append(in, ranked{r, regionLevel(r.RegionPrefix), i})
		}
	}
	sort.SliceStable(in, func(i, j int) bool {
		a, b := in[i], in[j]
		if a.level != b.level {
			return a.level > b.level
		}
		if !a.r.CampaignStart.Equal(b.r.CampaignStart) {
			return a.r.CampaignStart.After(b.r.CampaignStart)
		}
		return a.pos > b.pos
	})
	out := make(RuleSets, len(in))
	for i, x := range in {
		out[i] = x.r
	}
	return out
}

// ForCategory returns the set in force at t for category c in the county
// and its rule: the most specific set in force (see InForce) that has a
// rule for c. ok is false when no set in force subsidises c.
func (rs RuleSets) ForCategory(c Category, county string, t time.Time) (Rules, CategoryRule, bool) {
	for _, r := range rs.InForce(county, t) {
		if cr, ok := r.Rule(c); ok {
			return r, cr, true
		}
	}
	return Rules{}, CategoryRule{}, false
}

// Categories returns the category rules in force at t in the county, one
// per category as ForCategory chooses them: the national categories in
// the national set's order, then those only local sets have. It is what
// the product step and the status bar show.
func (rs RuleSets) Categories(county string, t time.Time) []CategoryRule {
	in := rs.InForce(county, t)
	var out []CategoryRule
	seen := map[Category]bool{}
	for i := len(in) - 1; i >= 0; i-- { // least specific first, for the order
		for _, cr := range in[i].Categories {
			if seen[cr.Category] {
				continue
			}
			seen[cr.Category] = true
			_, win, _ := rs.ForCategory(cr.Category, county, t)
			out = append(out, win)
		}
	}
	return out
}

// CategoryNames returns the names of category c from the rules: the set
// in force at t for the county when one has c, else the most recent set
// that ever had it (an old sale of a category no longer subsidised keeps
// its name on reports). ok is false for a code no set knows.
func (rs RuleSets) CategoryNames(c Category, county string, t time.Time) (zh, en string, ok bool) {
	if _, cr, found := rs.ForCategory(c, county, t); found {
		return cr.NameZH, cr.NameEN, true
	}
	var best CategoryRule
	var bestStart time.Time
	for _, r := range rs {
		if cr, found := r.Rule(c); found && (!ok || r.CampaignStart.After(bestStart)) {
			best, bestStart, ok = cr, r.CampaignStart, true
		}
	}
	return best.NameZH, best.NameEN, ok
}

// NextChange returns the first moment after t at which a set covering the
// county starts or ends, and whether there is one: the status bar
// announces the coming set from a week before.
func (rs RuleSets) NextChange(county string, t time.Time) (time.Time, bool) {
	var next time.Time
	for _, r := range rs {
		if !r.CoversRegion(county) {
			continue
		}
		for _, b := range []time.Time{r.CampaignStart, r.CampaignEnd} {
			if !b.IsZero() && b.After(t) && (next.IsZero() || b.Before(next)) {
				next = b
			}
		}
	}
	return next, !next.IsZero()
}

// regionLevel is the number of significant digits of a region prefix: 0
// national, 2 province, 4 city, 6 county. A 6-digit code padded with zeros
// names the province or city above it (see RegionCovers).
func regionLevel(prefix string) int {
	if len(prefix) == 6 {
		switch {
		case prefix[2:] == "0000":
			return 2
		case prefix[4:] == "00":
			return 4
		}
	}
	return len(prefix)
}

// UpcomingNotice is how long before a change of rule sets the status bar
// announces the coming set.
const UpcomingNotice = 7 * 24 * time.Hour

// PauseNotice is a paused category, or a paused set when Category is "".
type PauseNotice struct {
	RuleSetID string
	Category  Category
	NameZH    string // the category's names; "" for a whole set
	NameEN    string
	Pause
}

// RulesOutlook is what the status bar says about the rules: the sets in
// force, the coming change within UpcomingNotice, and the pauses.
type RulesOutlook struct {
	InForce []string // IDs of the sets in force, most specific first
	// NextAt is the next change of the sets in force when it is at most
	// UpcomingNotice away (zero otherwise); Next lists the IDs in force
	// from then on (empty when the programme ends then).
	NextAt time.Time
	Next   []string
	Paused []PauseNotice // pauses of the sets and categories in force
	// Offline is the offline policy of the most specific set in force.
	Offline OfflinePolicy
}

// Outlook returns the status bar's view of the rules for the county at now.
func (rs RuleSets) Outlook(county string, now time.Time) RulesOutlook {
	var o RulesOutlook
	in := rs.InForce(county, now)
	for _, r := range in {
		o.InForce = append(o.InForce, r.ID)
	}
	if len(in) > 0 {
		o.Offline = in[0].Offline
	}
	for _, r := range in {
		if r.Paused != nil {
			o.Paused = append(o.Paused, PauseNotice{RuleSetID: r.ID, Pause: *r.Paused})
		}
	}
	for _, cr := range rs.Categories(county, now) {
		if cr.Paused != nil {
			set, _, _ := rs.ForCategory(cr.Category, county, now)
			o.Paused = append(o.Paused, PauseNotice{RuleSetID: set.ID, Category: cr.Category,
				NameZH: cr.NameZH, NameEN: cr.NameEN, Pause: *cr.Paused})
		}
	}
	if next, ok := rs.NextChange(county, now); ok && next.Sub(now) <= UpcomingNotice {
		o.NextAt = next
		for _, r := range rs.InForce(county, next) {
			o.Next = append(o.Next, r.ID)
		}
	}
	return o
}

// Versions names the sets by ID and version, in order
// ("CN-2025@2025-national-1, CN-2026@2026-national-1"): for logs, the
// audit trail and support tools.
func (rs RuleSets) Versions() string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.ID + "@" + r.Version
	}
	return strings.Join(parts, ", ")
}

// AllCategories lists every category code of every set, in the order the
// sets list them, once each: filters and pickers offer old categories too
// (a sale of 2025 or an old dishwasher handed in).
func (rs RuleSets) AllCategories() []Category {
	var out []Category
	seen := map[Category]bool{}
	for _, r := range rs {
		for _, c := range r.Categories {
			if !seen[c.Category] {
				seen[c.Category] = true
				out = append(out, c.Category)
			}
		}
	}
	return out
}
