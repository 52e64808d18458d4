//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"tradein/agent"
)

// TestCLocaleNoFyneError runs the real binary under the C and POSIX
// locales a shop PC, a container or a service may have: nothing may be
// printed to standard error (Fyne used to print "Fyne error: Error parsing
// user locale C" three lines long on every start under LANG=C.UTF-8), and
// the program still runs with its arguments. A LANGUAGE the user chose is
// left alone.
func TestCLocaleNoFyneError(t *testing.T) {
	bin := appBinary(t)
	for _, env := range [][]string{
		{"LANG=C.UTF-8"},
		{"LANG=C.utf8"},
		{"LANG=POSIX.UTF-8"},
		{"LANG=en_US.UTF-8", "LC_ALL=C.UTF-8"},
		{"LANG=C"},
		{"LANG=zh_CN.UTF-8"},
		{"LANG=C.UTF-8", "LANGUAGE=zh_CN"},
		{},
	} {
		cmd := exec.Command(bin, "--version")
		// Only the locale variables of the case: the test's own
		// environment may carry LANGUAGE (this test binary itself is
		// re-executed with LANGUAGE=en under LANG=C.UTF-8).
		cmd.Env = append(withoutLocale(os.Environ()), env...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Errorf("%v: %v\n%s", env, err, errb.String())
			continue
		}
		if errb.Len() > 0 {
			t.Errorf("%v: standard error:\n%s", env, errb.String())
		}
		if got := strings.TrimSpace(out.String()); got != "tradein-terminal "+agent.Version {
			t.Errorf("%v: --version printed %q", env, got)
		}
	}
}

// withoutLocale drops the variables that choose a locale from env.
func withoutLocale(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if name == "LANG" || name == "LANGUAGE" || strings.HasPrefix(name, "LC_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
