package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// This file holds the real-window test tools: a private Xvfb display,
// the app binary built once per test process, and xdotool/ImageMagick
// helpers. They need the Debian packages xvfb, xdotool and imagemagick
// (the Makefile's TEST_DEPS).

// requireX skips the test off Linux. On Linux a missing tool skips only
// outside CI: with CI=true a missing Xvfb or xdotool is a failure.
func requireX(tb testing.TB) {
	tb.Helper()
	if runtime.GOOS != "linux" {
		tb.Skip("the real-window tests run on Linux under Xvfb")
	}
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("%s not installed (apt-get install xvfb xdotool imagemagick; `make test` installs them)", tool)
			if os.Getenv("CI") == "true" {
				tb.Fatal(msg)
			}
			tb.Skip(msg)
		}
	}
}

// display is a private X server.
type display struct {
	name string // ":N"
	cmd  *exec.Cmd
}

// startXvfb starts Xvfb on a free display number (Xvfb picks it and
// reports it on -displayfd) and stops it when the test ends.
func startXvfb(tb testing.TB) *display {
	tb.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	num := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		num <- strings.TrimSpace(line)
		r.Close()
	}()
	var n string
	select {
	case n = <-num:
	case <-time.After(20 * time.Second):
	}
	if n == "" {
		cmd.Process.Kill()
		cmd.Wait()
		tb.Fatalf("Xvfb did not report a display: %s", stderr.String())
	}
	d := &display{name: ":" + n, cmd: cmd}
	tb.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	return d
}

// env returns the environment for programs on this display. LANG is a
// real locale because Fyne cannot parse "C"/"C.UTF-8" (it only warns).
func (d *display) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DISPLAY=") || strings.HasPrefix(kv, "LANG=") || strings.HasPrefix(kv, "LC_ALL=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "DISPLAY="+d.name, "LANG=zh_CN.UTF-8")
}

// run runs a tool on the display and returns its trimmed output.
func (d *display) run(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = d.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// windowOf waits until the process pid has a visible (mapped) window and
// returns its id.
func (d *display) windowOf(ctx context.Context, pid int) (string, error) {
	for {
		out, err := d.run(ctx, "xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(pid))
		if err == nil && out != "" {
			return strings.Fields(out)[0], nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no visible window of pid %d: %w", pid, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// screenshot saves the whole screen as a PNG.
func (d *display) screenshot(ctx context.Context, path string) error {
	_, err := d.run(ctx, "import", "-window", "root", path)
	return err
}

// artifactDir is where screenshots go: $ARTIFACTS_DIR, or
// os.TempDir()/tradein-artifacts.
func artifactDir(tb testing.TB) string {
	dir := os.Getenv("ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "tradein-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

var (
	buildOnce sync.Once
	builtPath string
	buildErr  error
)

// appBinary builds cmd/tradein-terminal once per test process into a
// temporary folder (the go build cache makes repeat builds a link step).
func appBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tradein-smoke-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtPath = filepath.Join(dir, "tradein-terminal")
		// go test puts its own go first in PATH.
		cmd := exec.Command("go", "build", "-o", builtPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return builtPath
}
