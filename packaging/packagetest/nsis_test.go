package packagetest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tradein/cmd/tradein-terminal/wiring"
)

// nsisBlock returns the lines of installer.nsi from the line that starts
// with start up to the next line that starts with end, comments and blank
// lines dropped, each trimmed.
func nsisBlock(t *testing.T, script, start, end string) []string {
	t.Helper()
	var out []string
	in := false
	for _, line := range strings.Split(script, "\n") {
		l := strings.TrimSpace(line)
		if !in {
			in = strings.HasPrefix(l, start)
			continue
		}
		if strings.HasPrefix(l, end) {
			return out
		}
		if l != "" && !strings.HasPrefix(l, ";") {
			out = append(out, l)
		}
	}
	t.Fatalf("installer.nsi has no block %q … %q", start, end)
	return nil
}

// index returns the index of the first line matching re, or -1.
func index(lines []string, re string) int {
	r := regexp.MustCompile(re)
	for i, l := range lines {
		if r.MatchString(l) {
			return i
		}
	}
	return -1
}

// TestNSISScript compiles packaging/windows/installer.nsi with makensis
// (stand-in payload files, so it needs no Windows build) and checks the
// order of what the installer and uninstaller do; Wine cannot run the Go
// programs, so the behaviour is checked in the script:
//   - install: the folder of an earlier install is read back from the
//     registry (64-bit view, set first) when no /D= is given, a different
//     folder is refused (exit 183) before anything is written, running apps
//     are asked to quit through the event the app waits on
//     (wiring.QuitEventName), and a program still in use stops the
//     installer with exit 32 before the first file is written; a file that
//     cannot be written is never skipped;
//   - uninstall: the same quit-and-wait before the first file is deleted,
//     and the Add/Remove entry is removed only after the programs are gone;
//   - both ship the third-party licences.
func TestNSISScript(t *testing.T) {
	needLinux(t)
	needTools(t, "makensis", "7z")
	root := repoRoot(t)
	nsi := filepath.Join(root, "packaging", "windows", "installer.nsi")
	script := readFile(t, nsi)

	src := t.TempDir()
	for _, f := range []string{"tradein-terminal.exe", "terminalctl.exe", "third-party-licenses.txt"} {
		if err := os.WriteFile(filepath.Join(src, f), []byte("stand-in "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ico, err := os.ReadFile(filepath.Join(root, "packaging", "icons", "tradein-terminal.ico"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "tradein-terminal.ico"), ico, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "tradein-terminal-1.2.3-windows-setup.exe")
	run(t, nil, "makensis", "-V2", "-INPUTCHARSET", "UTF8", "-DVERSION=1.2.3", "-DNUMVERSION=1.2.3.0",
		"-DSRCDIR="+src, "-DOUTFILE="+out, "-DWITH_TERMINALCTL", nsi)
	list := run(t, nil, "7z", "l", out)
	for _, f := range []string{"tradein-terminal.exe", "terminalctl.exe", "tradein-terminal.ico", "third-party-licenses.txt", "uninstall.exe"} {
		if !strings.Contains(list, " "+f+"\n") {
			t.Errorf("the installer lacks %s:\n%s", f, list)
		}
	}

	if !strings.Contains(script, `!define QUITEVENT "`+wiring.QuitEventName+`"`) {
		t.Errorf("installer.nsi does not signal the event the app waits on (%s)", wiring.QuitEventName)
	}
	if index(strings.Split(script, "\n"), `^AllowSkipFiles off`) < 0 {
		t.Error("installer.nsi lets a file that cannot be written be skipped (AllowSkipFiles off missing)")
	}

	closeApp := nsisBlock(t, script, "Function ${un}CloseRunningApp", "FunctionEnd")
	for _, re := range []string{`OpenEventW\(i 2, i 0, w "\$\{QUITEVENT\}"\)`, `SetEvent`, `Sleep 500`, `ResetEvent`, `SetErrorLevel \$\{EXIT_IN_USE\}`, `^Quit$`} {
		if index(closeApp, re) < 0 {
			t.Errorf("CloseRunningApp lacks %s:\n%s", re, strings.Join(closeApp, "\n"))
		}
	}
	if index(closeApp, `SetEvent`) > index(closeApp, `Sleep 500`) || index(closeApp, `ResetEvent`) > index(closeApp, `SetErrorLevel`) {
		t.Errorf("CloseRunningApp: ask, wait, reset, then refuse — in that order:\n%s", strings.Join(closeApp, "\n"))
	}
	inUse := nsisBlock(t, script, "Function ${un}ProgramInUse", "FunctionEnd")
	for _, exe := range []string{"tradein-terminal.exe", "terminalctl.exe"} {
		if index(inUse, `FileOpen \$R8 "\$INSTDIR\\`+regexp.QuoteMeta(exe)+`" a`) < 0 {
			t.Errorf("ProgramInUse does not test %s:\n%s", exe, strings.Join(inUse, "\n"))
		}
	}
	for _, def := range []string{`!define EXIT_IN_USE 32`, `!define EXIT_OTHER_FOLDER 183`} {
		if !strings.Contains(script, def) {
			t.Errorf("installer.nsi lacks %s (the exit codes README.md documents)", def)
		}
	}

	onInit := nsisBlock(t, script, "Function .onInit", "FunctionEnd")
	if i, j := index(onInit, `^SetRegView 64$`), index(onInit, `^Call EarlierFolder$`); i < 0 || j < 0 || i > j {
		t.Errorf(".onInit must set the 64-bit registry view, then read the earlier folder:\n%s", strings.Join(onInit, "\n"))
	}
	if index(onInit, `StrCpy \$INSTDIR \$R0`) < 0 {
		t.Errorf(".onInit does not install into the earlier folder:\n%s", strings.Join(onInit, "\n"))
	}
	earlier := nsisBlock(t, script, "Function ${un}EarlierFolder", "FunctionEnd")
	if index(earlier, `ReadRegStr \$R0 HKLM "\$\{UNINSTKEY\}" "InstallLocation"`) < 0 {
		t.Errorf("EarlierFolder does not read InstallLocation:\n%s", strings.Join(earlier, "\n"))
	}

	install := nsisBlock(t, script, `Section "Install"`, "SectionEnd")
	firstFile := index(install, `^File `)
	for _, step := range []string{`^Call EarlierFolder$`, `SetErrorLevel \$\{EXIT_OTHER_FOLDER\}`, `^Call CloseRunningApp$`} {
		if i := index(install, step); i < 0 || i > firstFile {
			t.Errorf("install: %s must come before the first file is written:\n%s", step, strings.Join(install, "\n"))
		}
	}
	if i := index(install, `^WriteRegStr`); i < firstFile {
		t.Errorf("install writes the registry before the files")
	}
	if index(install, `third-party-licenses.txt`) < 0 {
		t.Error("install does not ship third-party-licenses.txt")
	}

	uninstall := nsisBlock(t, script, `Section "Uninstall"`, "SectionEnd")
	firstDelete := index(uninstall, `^Delete `)
	if i := index(uninstall, `^Call un.CloseRunningApp$`); i < 0 || i > firstDelete {
		t.Errorf("uninstall deletes before asking the app to quit:\n%s", strings.Join(uninstall, "\n"))
	}
	check := index(uninstall, `FileExists\} "\$INSTDIR\\tradein-terminal.exe"`)
	refuse := index(uninstall, `SetErrorLevel \$\{EXIT_IN_USE\}`)
	dropEntry := index(uninstall, `^DeleteRegKey HKLM "\$\{UNINSTKEY\}"`)
	if check < 0 || refuse < check || dropEntry < refuse {
		t.Errorf("uninstall must check the program is gone (and refuse) before removing the Add/Remove entry:\n%s", strings.Join(uninstall, "\n"))
	}
	if index(uninstall, `Delete "\$INSTDIR\\third-party-licenses.txt"`) < 0 {
		t.Error("uninstall leaves third-party-licenses.txt behind")
	}
}
