package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tradein/cmd/tradein-terminal/wiring"
	"tradein/ui/i18n"
)

// TestStartFailureShowsAWindow starts the real binary, from a menu as it
// were (no terminal to read), on a data directory whose settings file is
// broken: the app must open a window that says it cannot start, not exit
// with a line on standard error only. The window stays until closed.
func TestStartFailureShowsAWindow(t *testing.T) {
	requireX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := startXvfb(t)
	bin := appBinary(t)
	dir := t.TempDir()
	if err := os.WriteFile(wiring.NewLayout(dir).Config, []byte(`{"platform_url": `), 0o600); err != nil {
		t.Fatal(err)
	}
	a := &app{done: make(chan error, 1)}
	a.cmd = exec.Command(bin, "--data-dir", dir)
	a.cmd.Env = d.env()
	a.cmd.Stdout, a.cmd.Stderr = &a.output, &a.output
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { a.done <- a.cmd.Wait() }()
	t.Cleanup(func() { a.stop(t) })

	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	exited := make(chan struct{})
	go func() {
		select {
		case err := <-a.done:
			a.done <- err
			close(exited)
			wcancel()
		case <-wctx.Done():
		}
	}()
	win, err := d.windowOf(wctx, a.cmd.Process.Pid)
	select {
	case <-exited:
		t.Fatalf("the app exited without a window; output:\n%s", a.output.String())
	default:
	}
	if err != nil {
		t.Fatalf("%v\noutput:\n%s", err, a.output.String())
	}
	title, err := d.run(ctx, "xdotool", "getwindowname", win)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := i18n.Lookup(i18n.ZH, "start.title")
	if title != want {
		t.Errorf("window title %q, want %q", title, want)
	}
	// The window is mapped before its first frame is drawn: wait until the
	// screen shows more than one colour, then keep the screenshot.
	shot := filepath.Join(artifactDir(t), "start-failure-"+time.Now().Format("20060102-150405")+".png")
	for {
		if err := d.screenshot(ctx, shot); err != nil {
			t.Fatal(err)
		}
		n, err := d.run(ctx, "identify", "-format", "%k", shot)
		if err == nil && n != "1" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the window never drew anything (%s)", shot)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("screenshot: %s", shot)
	if !strings.Contains(a.output.String(), "config.json") {
		t.Errorf("standard error does not name the settings file:\n%s", a.output.String())
	}
}

// TestStartFailureOf: a wiring StartError is shown as its problem and
// fix; any other error as its text, with no fix (the window then sends
// the user to field support).
func TestStartFailureOf(t *testing.T) {
	se := &wiring.StartError{Problem: "the field key is missing", Fix: "copy field.key back"}
	f := startFailureOf(beforeWindow(se))
	if f.Problem != se.Problem || f.Fix != se.Fix {
		t.Errorf("StartError shown as %+v", f)
	}
	f = startFailureOf(beforeWindow(errors.New("boom")))
	if f.Problem != "boom" || f.Fix != "" {
		t.Errorf("plain error shown as %+v", f)
	}
	if !errors.Is(beforeWindow(se), errBeforeWindow) || !errors.As(beforeWindow(se), &se) {
		t.Error("beforeWindow loses the error's identity")
	}
}
