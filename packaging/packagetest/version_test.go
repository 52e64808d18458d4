package packagetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// debVersion runs deb_version from packaging/scripts/versions.sh (the
// function package.sh names the .deb with) for version in the git
// repository repo.
func debVersion(t *testing.T, repo, version string) string {
	t.Helper()
	script := filepath.Join(repoRoot(t), "packaging", "scripts", "versions.sh")
	return run(t, nil, "bash", "-c", `. "$1"; deb_version "$2" "$3"`, "bash", script, version, repo)
}

// gitCommit makes an empty commit dated date in repo and returns its
// abbreviated hash.
func gitCommit(t *testing.T, repo, date string) string {
	t.Helper()
	env := []string{"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid"}
	run(t, env, "git", "-C", repo, "commit", "-q", "--allow-empty", "-m", date)
	return strings.TrimSpace(run(t, nil, "git", "-C", repo, "rev-parse", "--short=7", "HEAD"))
}

// TestDebVersionsSortAsBuilt checks that dpkg orders the Debian versions
// of builds the way they were made: untagged builds by their commit's date
// (not their hash), all of them before any release; a pre-release before
// its release; commits after a tag after it, by count. Untagged builds
// used to be 0~git<hash>, so a later commit could sort before an earlier one.
func TestDebVersionsSortAsBuilt(t *testing.T) {
	needLinux(t)
	needTools(t, "git", "dpkg", "bash")
	repo := t.TempDir()
	run(t, nil, "git", "init", "-q", repo)
	// Two commits a month apart; retry until the later hash sorts first,
	// so that ordering by hash would be wrong.
	var early, late string
	for i := range 50 {
		early = gitCommit(t, repo, "2026-01-01T08:00:00Z")
		late = gitCommit(t, repo, "2026-02-01T08:00:00Z")
		if late < early {
			break
		}
		if i == 49 {
			t.Fatal("no pair of commits whose hashes sort against their dates")
		}
	}

	// Build versions in the order they were made.
	builds := []string{
		early,
		early + "-dirty",
		late,
		"v1.0.0-rc1",
		"v1.0.0",
		"v1.0.0-3-g" + early,
		"v1.0.0-10-g" + late,
		"v1.0.0-10-g" + late + "-dirty",
		"v1.0.1",
	}
	debs := make([]string, len(builds))
	for i, b := range builds {
		debs[i] = strings.TrimSpace(debVersion(t, repo, b))
		// The Debian revision package.sh appends.
		if out, err := exec.Command("dpkg", "--validate-version", debs[i]+"-1").CombinedOutput(); err != nil {
			t.Errorf("%s -> %q is not a valid Debian version: %s", b, debs[i], out)
		}
	}
	if want := "0.0.0~git20260101080000." + early; debs[0] != want {
		t.Errorf("untagged build %s -> %q, want %q", early, debs[0], want)
	}
	for i := 1; i < len(debs); i++ {
		if err := exec.Command("dpkg", "--compare-versions", debs[i-1], "lt", debs[i]).Run(); err != nil {
			t.Errorf("dpkg does not sort %s (%s) before %s (%s)", debs[i-1], builds[i-1], debs[i], builds[i])
		}
	}

	// A hash that names no commit cannot be dated: refused, not guessed.
	cmd := exec.Command("bash", "-c", `. "$1"; deb_version "$2" "$3"`, "bash",
		filepath.Join(repoRoot(t), "packaging", "scripts", "versions.sh"), "abcdef1", repo)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("deb_version of an unknown hash said %q", out)
	}
}

// TestSigningNeedsCertAndKey checks that package.sh refuses, before it
// builds anything, when only one of SIGN_CERT and SIGN_KEY is set: it used
// to build an unsigned installer without a word.
func TestSigningNeedsCertAndKey(t *testing.T) {
	needLinux(t)
	script := filepath.Join(repoRoot(t), "packaging", "scripts", "package.sh")
	for _, env := range [][]string{{"SIGN_CERT=/nonexistent/cert.pem", "SIGN_KEY="}, {"SIGN_KEY=/nonexistent/key.pem", "SIGN_CERT="}} {
		dist := t.TempDir()
		cmd := exec.Command(script, "1.2.3")
		// The whole build would take minutes: the refusal must come first.
		cmd.Env = append(os.Environ(), append(env, "PACKAGE_TARGETS=windows deb", "DIST="+dist, "GO=/bin/false", "NFPM=/bin/false")...)
		out, err := cmd.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 {
			t.Errorf("%v: package.sh exited with %v, want 2:\n%s", env, err, out)
		}
		missing := "SIGN_KEY"
		if strings.HasPrefix(env[0], "SIGN_KEY") {
			missing = "SIGN_CERT"
		}
		if !strings.Contains(string(out), missing+" is not") {
			t.Errorf("%v: the message does not name %s:\n%s", env, missing, out)
		}
		if left, _ := os.ReadDir(dist); len(left) > 0 {
			t.Errorf("%v: package.sh left %d files in dist/", env, len(left))
		}
	}
}
