package ui

import (
	"sync"

	"tradein/agent"
	"tradein/ui/async"
)

// scanPump hands the terminal's scan stream to the screen on top. It reads
// Terminal.Scans only while a scan-taking screen is shown, so a scan made
// while the support screen's test scan waits reaches that screen instead.
// It is safe for concurrent use.
type scanPump struct {
	t    *agent.Terminal
	run  async.Runner
	mu   sync.Mutex
	quit chan struct{} // closed by stop; nil while stopped
}

func newScanPump(t *agent.Terminal, run async.Runner) *scanPump {
	return &scanPump{t: t, run: run}
}

// start delivers every scan to handle on the UI goroutine until stop. Its
// goroutine lives until stop, so it is not started through run.Go (a test
// waiting for run's work to settle would wait for it).
func (p *scanPump) start(handle func(agent.ScanEvent)) {
	p.stop()
	quit := make(chan struct{})
	p.mu.Lock()
	p.quit = quit
	p.mu.Unlock()
	scans := p.t.Scans()
	go func() {
		for {
			select {
			case <-quit:
				return
			case ev := <-scans:
				p.run.Do(func() { handle(ev) })
			}
		}
	}()
}

// stop ends the delivery; scans wait in the terminal's buffer.
func (p *scanPump) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quit != nil {
		close(p.quit)
		p.quit = nil
	}
}
