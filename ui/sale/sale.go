// Package sale is the clerk's sale wizard (docs/DOMAIN.md): consumer code,
// product, serial number / IMEI, the old appliance when the rule needs one,
// the final price, the subsidy and the amount to pay shown large, the
// platform's confirmation (or the offline acceptance), the payment
// reference, the commit and the receipt.
//
// It runs from a scanner and the keyboard alone. Scans arrive through
// HandleScan and go to the step their kind belongs to (a consumer code to
// the consumer step, a barcode to the product step, an IMEI or SN to the
// serial step), whatever step is current. Each step has one entry that
// holds the focus while the step is current; Enter submits it, Esc asks to
// cancel the sale. Every refusal shows the sentence of its agent code and
// leaves the clerk on the step to correct it.
//
// Threading (package ui/async): the screen's fields are touched on the UI
// goroutine only. Each step's agent call runs through the runner's Go
// (Confirm waits for the platform) and its result comes back through its
// Do. One step runs at a time; scans that arrive meanwhile wait their turn.
package sale

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/async"
	"tradein/ui/i18n"
)

// stepTimeout bounds one step. Confirm is the longest: the platform
// client's own retries for a voucher freeze stay well inside a minute.
const stepTimeout = 60 * time.Second

// bigText is the size of the subsidy and the amount to pay: readable by
// the consumer across the counter.
const bigText = 40

// Screen is the sale wizard. Create it with New; it is used on the UI
// goroutine only.
type Screen struct {
	w      fyne.Window
	s      *agent.Session
	t      *agent.Terminal
	runner async.Runner
	onStep func()

	wiz       *agent.SaleWizard // nil between sales
	quote     *agent.Quote      // the last accepted quote of wiz
	done      *result           // set once wiz committed
	busy      bool              // a step's agent call is running
	then      func()            // the step to start when the running one is shown
	escArmed  bool              // Esc was pressed once; a second Esc cancels
	relayout  bool              // render changed what is visible
	shownStep step              // the step Focus last scrolled to
	waiting   []func()          // scans that arrived while busy
	msg       note              // the last refusal or outcome
	snNotice  []agent.Warning   // notices of the SN step (SN_UNCHECKED, fraud)

	strip    *fyne.Container
	stepTags map[step]*widget.Label

	consumer      *keyEntry
	consumerInfo  *widget.Label
	product       *keyEntry
	productInfo   *widget.Label
	productDetail *widget.Label
	snBox         *fyne.Container
	sn            *keyEntry
	snInfo        *widget.Label
	snNoticeLabel *widget.Label

	tiBox       *fyne.Container
	tiForm      *widget.Form
	tiCategory  *widget.Select
	tiBrand     *keyEntry
	tiModel     *keyEntry
	tiCondition *widget.Select
	tiPrice     *keyEntry
	tiPhone     *keyEntry
	tiInfo      *widget.Label
	tiCats      []agent.Category

	price       *keyEntry
	finalLabel  *widget.Label
	subsidyCap  *widget.Label
	subsidy     *canvas.Text
	payCap      *widget.Label
	pay         *canvas.Text
	rateLabel   *widget.Label
	confirmInfo *widget.Label
	warnings    *widget.Label

	payment     *keyEntry
	paymentInfo *widget.Label

	interrupted *fyne.Container // sales the last stop interrupted (interrupted.go)

	outcome   *widget.Label // the committed sale and its receipt
	scroll    *container.Scroll
	message   *widget.Label
	hint      *widget.Label
	cancelBtn *widget.Button
	nextBtn   *widget.Button
	titles    map[string]*widget.Label // section titles by key
	content   fyne.CanvasObject
}

// result is what the commit step left for the "done" view.
type result struct {
	sale     agent.Sale
	jobID    string
	printErr error
}

// New returns the sale wizard screen for a session that may sell. onStep,
// when not nil, is called on the UI goroutine after every step's outcome is
// shown (the main window refreshes the status bar with it). run runs each
// step's agent call (nil: async.Fyne).
func New(w fyne.Window, s *agent.Session, t *agent.Terminal, run async.Runner, onStep func()) *Screen {
	sc := &Screen{w: w, s: s, t: t, runner: async.Or(run), onStep: onStep, titles: map[string]*widget.Label{}}
	ctx, cancel := callCtx()
	i18n.LoadCategoryNames(ctx, t) // the product step names categories as the rules do
	cancel()
	sc.build()
	sc.render()
	return sc
}

// Content is the screen's widget tree (the same object for the screen's
// whole life).
func (sc *Screen) Content() fyne.CanvasObject { return sc.content }

// Focus puts the keyboard focus on the current step's entry.
func (sc *Screen) Focus() {
	// The steps column scrolls on a small screen: keep the step in view
	// (scrolling only when the step changed; it redraws the column).
	if cur := sc.current(); cur != sc.shownStep {
		sc.shownStep = cur
		switch cur {
		case stepConsumer, stepProduct, stepSN:
			sc.scroll.ScrollToTop()
		default:
			sc.scroll.ScrollToBottom()
		}
	}
	if c := sc.w.Canvas(); c != nil {
		c.Focus(sc.focusTarget())
	}
}

// Close ends an unfinished sale (logout, window closed). A sale the
// consumer has paid for is committed, so it is not lost; any other is
// cancelled, so that a frozen voucher is released and the draft leaves an
// audit entry. A commit that fails here is finished by Terminal.Recover at
// the next start.
func (sc *Screen) Close() {
	if sc.wiz == nil || sc.done != nil {
		return
	}
	wiz := sc.wiz
	sc.wiz = nil
	ctx, cancel := callCtx()
	defer cancel()
	if wiz.Sale().State == agent.SalePaid {
		if _, _, err := wiz.Commit(ctx); err != nil && agent.CodeOf(err) != agent.CodePrintFailed {
			fyne.LogError("commit the paid sale at logout", err)
		}
		return
	}
	if err := wiz.Cancel(ctx, "clerk logged out"); err != nil {
		fyne.LogError("cancel the open sale at logout", err)
	}
}

func callCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), stepTimeout)
}

// note is a message kept as a key and arguments (or an error), so that a
// language switch shows it again in the new language.
type note struct {
	key  string
	args []any
	err  error
	imp  widget.Importance
}

func (n note) text() string {
	switch {
	case n.err != nil:
		return i18n.Error(n.err)
	case n.key == "":
		return ""
	}
	return i18n.T(n.key, n.args...)
}
