//go:build windows

package wiring

import (
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// TestQuitRequest signals the event the way the installer does
// (OpenEvent with EVENT_MODIFY_STATE, SetEvent, ResetEvent) and expects
// the watch to report it; a watch stopped without a request reports none.
func TestQuitRequest(t *testing.T) {
	quit, stop, err := WatchQuitRequests()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	select {
	case <-quit:
		t.Fatal("quit reported before anyone asked")
	default:
	}
	name, _ := windows.UTF16PtrFromString(QuitEventName)
	ev, err := windows.OpenEvent(windows.EVENT_MODIFY_STATE, false, name)
	if err != nil {
		t.Fatal(err)
	}
	defer windows.CloseHandle(ev)
	if err := windows.SetEvent(ev); err != nil {
		t.Fatal(err)
	}
	select {
	case <-quit:
	case <-time.After(10 * time.Second):
		t.Fatal("the watch did not report the request")
	}
	windows.ResetEvent(ev)

	quit2, stop2, err := WatchQuitRequests()
	if err != nil {
		t.Fatal(err)
	}
	stop2()
	select {
	case <-quit2:
		t.Fatal("a stopped watch reported a request after the installer reset the event")
	default:
	}
}
