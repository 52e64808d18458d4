//go:build windows

package wiring

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// quitEventSDDL lets SYSTEM, administrators (the installer runs elevated)
// and interactive users (the shop's account, which creates or opens the
// event) signal and wait on the event; nobody else may touch it.
const quitEventSDDL = "D:(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;IU)"

func watchQuitRequests() (<-chan struct{}, func(), error) {
	name, err := windows.UTF16PtrFromString(QuitEventName)
	if err != nil {
		return nil, nil, err
	}
	sd, err := windows.SecurityDescriptorFromString(quitEventSDDL)
	if err != nil {
		return nil, nil, fmt.Errorf("quit event: %w", err)
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	// Manual reset: one SetEvent wakes every app (one per data directory
	// or session) until the installer resets it. A second app opens the
	// same event (ERROR_ALREADY_EXISTS with a valid handle).
	ev, err := windows.CreateEvent(sa, 1, 0, name)
	if ev == 0 || (err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS)) {
		return nil, nil, fmt.Errorf("quit event %s: %w", QuitEventName, err)
	}
	// stop wakes the watcher without a quit request.
	stopEv, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		windows.CloseHandle(ev)
		return nil, nil, fmt.Errorf("quit event: %w", err)
	}
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		r, _ := windows.WaitForMultipleObjects([]windows.Handle{ev, stopEv}, false, windows.INFINITE)
		if r == windows.WAIT_OBJECT_0 {
			close(quit)
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			windows.SetEvent(stopEv)
			<-done
			windows.CloseHandle(stopEv)
			windows.CloseHandle(ev)
		})
	}
	return quit, stop, nil
}
