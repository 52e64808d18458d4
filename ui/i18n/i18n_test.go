package i18n

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tradein/agent"
)

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// TestEveryKeyHasBothLanguages checks that no key lacks a language and
// that both languages take the same format arguments in the same order.
func TestEveryKeyHasBothLanguages(t *testing.T) {
	for _, k := range Keys() {
		e := table[k]
		if strings.TrimSpace(e.zh) == "" || strings.TrimSpace(e.en) == "" {
			t.Errorf("key %q lacks a language: zh=%q en=%q", k, e.zh, e.en)
		}
		zv, ev := verb.FindAllString(e.zh, -1), verb.FindAllString(e.en, -1)
		if fmt.Sprint(zv) != fmt.Sprint(ev) {
			t.Errorf("key %q: verbs differ: zh %v, en %v", k, zv, ev)
		}
	}
}

// TestEveryAgentCodeHasASentence parses the agent package and checks that
// every Code constant has an error sentence, so a new code cannot reach the
// screen untranslated.
func TestEveryAgentCodeHasASentence(t *testing.T) {
	codes := constantsOfType(t, "../../agent", "Code")
	if len(codes) < 20 {
		t.Fatalf("found only %d Code constants; parser broken?", len(codes))
	}
	for _, c := range codes {
		if _, ok := table[ErrorKey(agent.Code(c))]; !ok {
			t.Errorf("agent code %s has no sentence (key %s)", c, ErrorKey(agent.Code(c)))
		}
	}
	for k := range table {
		if strings.HasPrefix(k, "cat.") {
			t.Errorf("fixed category name %s: names come from the rules (SetCategoryNames)", k)
		}
	}
	for _, c := range constantsOfType(t, "../../agent", "SaleState") {
		if _, ok := table["state."+c]; !ok {
			t.Errorf("sale state %s has no name", c)
		}
	}
	for _, c := range constantsOfType(t, "../../agent", "ScanKind") {
		if _, ok := table["scan."+c]; !ok {
			t.Errorf("scan kind %s has no name", c)
		}
	}
}

// TestEveryUsedKeyExists finds every i18n.T("key", …) call with a literal
// key in ui/ and checks the key is in the table.
func TestEveryUsedKeyExists(t *testing.T) {
	used := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			name := ""
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "i18n" {
					name = fn.Sel.Name
				}
			case *ast.Ident:
				if filepath.Base(filepath.Dir(path)) == "i18n" {
					name = fn.Name
				}
			}
			if name != "T" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			used++
			if _, ok := table[key]; !ok {
				t.Errorf("%s: key %q is not in the table", path, key)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d literal keys used", used)
}

func TestSwitchAndErrors(t *testing.T) {
	defer SetLang(ZH)
	SetLang(EN)
	if got := T("nav.sale"); got != "Sale" {
		t.Fatalf("EN nav.sale = %q", got)
	}
	if got := Error(fmt.Errorf("wrap: %w", agent.ErrSNUsed)); !strings.Contains(got, "already subsidised") {
		t.Fatalf("EN SN_USED = %q", got)
	}
	SetLang(ZH)
	if got := Error(agent.Errorf(agent.CodeWrongPIN, "tries=2")); !strings.Contains(got, "PIN 不正确") || strings.Contains(got, "tries") {
		t.Fatalf("ZH WRONG_PIN = %q (detail must not show)", got)
	}
	if got := Error(errors.New("disk on fire")); got != T("err.INTERNAL") {
		t.Fatalf("plain error = %q", got)
	}
	if got := T("no.such.key"); got != "[no.such.key]" {
		t.Fatalf("missing key = %q", got)
	}
	SetCategoryNames(agent.DefaultRuleSets(), "110105", time.Date(2026, 12, 3, 10, 0, 0, 0, agent.ChinaTime))
	if Category(agent.CatFridge) != "冰箱" || Role(agent.RoleManager) != "店长" {
		t.Fatal("category/role names")
	}
}

// constantsOfType returns the string values of the constants of type typ
// declared in the package in dir.
func constantsOfType(t *testing.T, dir, typ string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				id, ok := vs.Type.(*ast.Ident)
				if !ok || id.Name != typ {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}

// TestCategoryNamesComeFromTheRules: names are the rules' own, in both
// languages, including a category the terminal has no constant for; an
// unnamed code shows as itself.
func TestCategoryNamesComeFromTheRules(t *testing.T) {
	defer SetLang(Current())
	rs := agent.DefaultRuleSets()
	rs[1].Categories[0].NameZH = "电冰箱" // the platform's own word wins
	rs = append(rs, agent.Rules{ID: "LOCAL", Version: "1", RegionPrefix: "11",
		CampaignStart: time.Date(2026, 1, 1, 0, 0, 0, 0, agent.ChinaTime),
		Categories:    []agent.CategoryRule{{Category: "smart_lock", Group: "smart_home", NameZH: "智能门锁", NameEN: "Smart lock", RateBP: 1500}}})
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, agent.ChinaTime)
	SetCategoryNames(rs, "110105", at)
	SetLang(ZH)
	for c, want := range map[agent.Category]string{agent.CatFridge: "电冰箱", "smart_lock": "智能门锁", agent.CatSmartGlasses: "智能眼镜",
		agent.CatDishwasher: "洗碗机", "yacht": "yacht"} {
		if got := Category(c); got != want {
			t.Errorf("zh %s = %q, want %q", c, got, want)
		}
	}
	SetLang(EN)
	if got := Category("smart_lock"); got != "Smart lock" {
		t.Errorf("en smart_lock = %q", got)
	}
}
