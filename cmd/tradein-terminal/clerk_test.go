package main

import (
	"context"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
)

// clerk drives the real window the way a clerk does, with devsim's
// scanner and the keyboard only (xdotool through XTEST). The smoke test
// and the working-set benchmark share it.
type clerk struct {
	tb  testing.TB
	ctx context.Context
	d   *display
	w   *world
}

// settle paces the keys: the app answers keys and scans on its own
// goroutines, so the next key must not race ahead of the screen change it
// depends on. wait is the longer pause after a step that calls the
// platform or checks a PIN (argon2id), generous for a loaded CI machine.
// Neither is an assertion: callers check the outcome on the printer and in
// the database.
func (c clerk) settle() { time.Sleep(300 * time.Millisecond) }
func (c clerk) wait()   { time.Sleep(1500 * time.Millisecond) }

// focus gives the app's window the keyboard: GLFW ignores the synthetic
// events xdotool sends with --window, so keys go to the focused window.
func (c clerk) focus(win string) {
	c.tb.Helper()
	if _, err := c.d.run(c.ctx, "xdotool", "windowfocus", "--sync", win); err != nil {
		c.tb.Fatal(err)
	}
	c.settle()
}

func (c clerk) keys(args ...string) {
	c.tb.Helper()
	if _, err := c.d.run(c.ctx, "xdotool", append([]string{"key", "--delay", "30"}, args...)...); err != nil {
		c.tb.Fatal(err)
	}
	c.settle()
}

func (c clerk) typ(s string) {
	c.tb.Helper()
	if _, err := c.d.run(c.ctx, "xdotool", "type", "--delay", "30", s); err != nil {
		c.tb.Fatal(err)
	}
	c.settle()
}

func (c clerk) scan(s string) {
	c.tb.Helper()
	if err := c.w.scanner.Send(s); err != nil {
		c.tb.Fatal(err)
	}
	c.settle()
}

// login signs in the seeded demo clerk (1001, PIN 1234) from the login
// screen and waits for the sale screen.
func (c clerk) login() {
	c.typ("1001")
	c.keys("Return") // Enter in the staff field moves to the PIN
	c.typ("1234")
	c.keys("Return")
	c.wait() // PIN check, then the sale screen
}

// sale is one phone sale as the sale screen takes it.
type sale struct {
	sn, price, payRef string
}

// sell issues a fresh consumer code at the platform and takes the sale
// through the wizard up to the commit (Enter on the payment reference).
// confirmed runs when the platform has frozen the subsidy, before the
// payment reference is typed (the smoke test takes a screenshot there).
func (c clerk) sell(s sale, confirmed func()) {
	c.tb.Helper()
	code, err := c.w.platform.IssueCode(c.ctx, sim.CodeRequest{Category: agent.CatPhone, Region: "110000", ValidFor: time.Hour})
	if err != nil {
		c.tb.Fatal(err)
	}
	c.scan(code.Code)
	c.scan(phoneBarcode)
	c.scan(s.sn)
	c.wait() // the platform's SN query
	c.typ(s.price)
	c.keys("Return")
	c.wait() // quote and the platform's voucher freeze
	if confirmed != nil {
		confirmed()
	}
	c.typ(s.payRef)
	c.keys("Return") // records the payment reference and commits
}

// phoneBarcode is 小米 15 in the seeded library (phone, SN required).
const phoneBarcode = "6934177393365"
