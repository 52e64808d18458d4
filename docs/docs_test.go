// Package docs holds the repository's design documents (ARCHITECTURE.md,
// DOMAIN.md) and the test that keeps every reference to a document true.
package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// foreignCitation matches references to documents a reader of this
// repository does not have: a design brief or a style guide kept outside
// the repository, cited by section or file name, and issue-tracker numbers.
// Comments say the thing itself or cite a file in docs/. The test cases
// below build their examples from pieces, so this file does not cite
// anything itself.
var foreignCitation = regexp.MustCompile(`\bDESIGN(\.md| ?§)|\bSTYLE(\.md| [0-9])|(?i:\bissues? #?[0-9]+)|\.\./shared/`)

// checkedExt are the files whose text a newcomer reads.
var checkedExt = map[string]bool{
	".go": true, ".md": true, ".yaml": true, ".yml": true, ".sh": true, ".sql": true,
	".nsi": true, ".nsh": true, ".toml": true, ".txt": true, ".1": true,
}

// repoRoot is the module root: this test runs in docs/.
const repoRoot = ".."

func walkText(t *testing.T, fn func(path, text string)) {
	t.Helper()
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "dist", "demo-data", "node_modules", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		base := d.Name()
		if !checkedExt[filepath.Ext(base)] && base != "Makefile" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fn(path, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoForeignCitations fails on any line that cites a document the
// repository lacks. This file's own pattern and its test cases are exempt.
func TestNoForeignCitations(t *testing.T) {
	walkText(t, func(path, text string) {
		for i, line := range strings.Split(text, "\n") {
			if m := foreignCitation.FindString(line); m != "" {
				t.Errorf("%s:%d cites %q, a document this repository does not have: cite docs/ or say it here\n\t%s",
					path, i+1, m, strings.TrimSpace(line))
			}
		}
	})
}

// TestForeignCitationPattern shows the pattern catches what it is for and
// leaves ordinary prose alone.
func TestForeignCitationPattern(t *testing.T) {
	brief, guide, sec := "DES"+"IGN", "STY"+"LE", "§"
	for _, s := range []string{"see " + brief + " " + sec + "5", "(" + brief + sec + "3)", guide + " 7",
		"is" + "sue 2 " + sec + "2", "Is" + "sue #14", "../sha" + "red/" + brief + ".md"} {
		if !foreignCitation.MatchString(s) {
			t.Errorf("%q not caught", s)
		}
	}
	for _, s := range []string{"the design of the outbox", "STYLE_NAME", "an issue with the printer", "issues a ticket", "docs/DOMAIN.md"} {
		if foreignCitation.MatchString(s) {
			t.Errorf("%q caught but is fine", s)
		}
	}
}

// mdLink matches a relative Markdown link target: [text](target).
var mdLink = regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)

// TestMarkdownLinksResolve fails on a relative link in a Markdown file that
// points to a file or folder the repository lacks.
func TestMarkdownLinksResolve(t *testing.T) {
	walkText(t, func(path, text string) {
		if filepath.Ext(path) != ".md" {
			return
		}
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(path), target)); err != nil {
				t.Errorf("%s links to %s, which does not exist", path, target)
			}
		}
	})
}
