package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tradein/ui/i18n"
)

// windowTexts lists the texts of the labels and entries in w.
func windowTexts(w fyne.Window) []string {
	var out []string
	for _, o := range test.LaidOutObjects(w.Content()) {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Entry:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		}
	}
	return out
}

// TestStartFailureWindow: the start-up failure window says that the app
// cannot start, what is wrong and what to do, in Chinese by default, and
// the problem's text cannot be edited away.
func TestStartFailureWindow(t *testing.T) {
	a := test.NewTempApp(t)
	t.Cleanup(func() { i18n.SetLang(i18n.ZH) })
	f := StartFailure{Problem: "the database /var/lib/tradein-terminal/terminal.db is empty (0 bytes)",
		Fix: "close the app and restore the newest backup: terminalctl restore /var/lib/tradein-terminal/backups/terminal-1.db"}
	w := ShowStartFailure(a, f, Options{})
	defer w.Close()
	if w.Title() != zh("start.title") {
		t.Errorf("title %q", w.Title())
	}
	got := strings.Join(windowTexts(w), "\n")
	for _, want := range []string{zh("start.failed"), f.Problem, f.Fix, "关闭"} {
		if !strings.Contains(got, want) {
			t.Errorf("the window does not show %q; it shows:\n%s", want, got)
		}
	}
	for _, o := range test.LaidOutObjects(w.Content()) {
		if e, ok := o.(*widget.Entry); ok && e.Text == f.Problem {
			test.Type(e, "x")
			if e.Text != f.Problem {
				t.Errorf("the problem text was edited to %q", e.Text)
			}
		}
	}

	w2 := ShowStartFailure(a, StartFailure{Problem: "something unexpected"}, Options{Lang: "en"})
	defer w2.Close()
	got = strings.Join(windowTexts(w2), "\n")
	if !strings.Contains(got, "terminalctl doctor") || !strings.Contains(got, "cannot start") {
		t.Errorf("a failure without a known fix does not send the user to field support:\n%s", got)
	}
}

// zh is the Chinese text of key.
func zh(key string) string {
	s, _ := i18n.Lookup(i18n.ZH, key)
	return s
}
