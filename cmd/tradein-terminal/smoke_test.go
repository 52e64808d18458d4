package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSmokeRealWindow starts the real binary under Xvfb against
// platform-sim and devsim, waits for its window, takes a screenshot (a
// test artifact) and stops it with SIGTERM.
func TestSmokeRealWindow(t *testing.T) {
	requireX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d := startXvfb(t)
	w := newWorld(t)
	a := w.startApp(t, d)
	win, err := d.windowOf(ctx, a.cmd.Process.Pid)
	if err != nil {
		t.Fatalf("%v\napp output:\n%s", err, a.output.String())
	}
	t.Logf("window %s mapped %s after start", win, time.Since(a.start).Round(time.Millisecond))

	shot := filepath.Join(artifactDir(t), "smoke-"+time.Now().Format("20060102-150405")+".png")
	time.Sleep(500 * time.Millisecond) // let the first frames settle before the picture
	if err := d.screenshot(ctx, shot); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
	if err := a.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, a.output.String())
	}
	if strings.Contains(a.output.String(), "panic") {
		t.Fatalf("app output:\n%s", a.output.String())
	}
}
