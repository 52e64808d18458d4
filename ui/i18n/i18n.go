// Package i18n holds every string the terminal's screens show, in
// Simplified Chinese (the default) and English, and turns agent error codes
// into sentences that say why something was refused and what to do next.
//
// The language is process-wide and switchable at runtime; screens read it
// when they build themselves, so switching rebuilds the visible screen.
package i18n

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"tradein/agent"
)

// Lang is a display language.
type Lang string

// The two languages of the terminal. Simplified Chinese is the default.
const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// entry is one key's text in both languages.
type entry struct{ zh, en string }

var current atomic.Value // Lang

func init() { current.Store(ZH) }

// SetLang switches the display language. Unknown languages fall back to ZH.
func SetLang(l Lang) {
	if l != EN {
		l = ZH
	}
	current.Store(l)
}

// Current returns the display language.
func Current() Lang { return current.Load().(Lang) }

// T returns the text of key in the current language, formatted with args
// (fmt verbs) when any are given. A missing key returns the key itself in
// brackets so that it is visible on screen and caught by the tests.
func T(key string, args ...any) string {
	s, ok := Lookup(Current(), key)
	if !ok {
		return "[" + key + "]"
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Lookup returns the text of key in language l.
func Lookup(l Lang, key string) (string, bool) {
	e, ok := table[key]
	if !ok {
		return "", false
	}
	if l == EN {
		return e.en, true
	}
	return e.zh, true
}

// Keys lists every key of the table, sorted.
func Keys() []string {
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ErrorKey returns the table key that explains code c.
func ErrorKey(c agent.Code) string { return "err." + string(c) }

// Error turns err into a sentence for the person at the terminal: why it
// happened and what to do next. Codes without their own sentence (and
// errors without a code) get the generic internal-error sentence; the
// technical detail never reaches the screen.
func Error(err error) string {
	if err == nil {
		return ""
	}
	code := agent.CodeOf(err)
	var ae *agent.Error
	if !errors.As(err, &ae) {
		code = agent.CodeInternal
	}
	var full *agent.DiskFullError
	if errors.As(err, &full) && full.NeedMB > 0 {
		return T("err.disk_full_mb", full.NeedMB)
	}
	if s, ok := Lookup(Current(), ErrorKey(code)); ok {
		return s
	}
	return T(ErrorKey(agent.CodeInternal))
}

// categoryNames holds the names of the categories from the cached rule
// sets: code -> {zh, en}. Categories are data: the rules, not this
// package, name them.
var categoryNames atomic.Pointer[map[agent.Category]entry]

// SetCategoryNames installs the names the rule sets give their categories
// (RuleSets.CategoryNames: the set in force at `at` for the county first,
// else the latest set that had the category). The app calls it when the
// cached rules change.
func SetCategoryNames(rs agent.RuleSets, county string, at time.Time) {
	m := map[agent.Category]entry{}
	for _, r := range rs {
		for _, c := range r.Categories {
			if _, done := m[c.Category]; done {
				continue
			}
			if zh, en, ok := rs.CategoryNames(c.Category, county, at); ok {
				m[c.Category] = entry{zh: zh, en: en}
			}
		}
	}
	categoryNames.Store(&m)
}

// LoadCategoryNames installs the names of the terminal's cached rule sets
// (SetCategoryNames); before the first rules refresh it changes nothing.
// Screens that name categories call it when they are built, the status
// bar whenever the cached rules change.
func LoadCategoryNames(ctx context.Context, t *agent.Terminal) {
	if rs, err := t.Rules(ctx); err == nil {
		SetCategoryNames(rs, t.Info().CountyCode, t.Now())
	}
}

// Category returns the display name the rules give a subsidy category in
// the current language, or its code when no cached rule set names it (an
// English name missing falls back to the Chinese one).
func Category(c agent.Category) string {
	if m := categoryNames.Load(); m != nil {
		if e, ok := (*m)[c]; ok {
			if Current() == EN && e.en != "" {
				return e.en
			}
			if e.zh != "" {
				return e.zh
			}
		}
	}
	return string(c)
}

// Role returns the display name of a staff role.
func Role(r agent.Role) string {
	if s, ok := Lookup(Current(), "role."+string(r)); ok {
		return s
	}
	return string(r)
}

// State returns the display name of a sale state.
func State(s agent.SaleState) string {
	if v, ok := Lookup(Current(), "state."+string(s)); ok {
		return v
	}
	return string(s)
}

// Device returns the display text of a device detail code
// ("PAPER_OUT", …) or state when the code is empty.
func Device(ds agent.DeviceStatus) string {
	if ds.Code != "" {
		if v, ok := Lookup(Current(), "dev."+ds.Code); ok {
			return v
		}
	}
	if v, ok := Lookup(Current(), "devstate."+string(ds.State)); ok {
		return v
	}
	return string(ds.State)
}

// Warning returns the display text of a fraud-check warning code.
func Warning(w agent.Warning) string {
	if v, ok := Lookup(Current(), "warn."+w.Code); ok {
		return v
	}
	return w.Code
}
