// Package recycler is the recycler's pickup screen: scan (or type) the
// trade-in ticket printed on the receipt, see the sale's old appliance,
// record the pickup (condition found, weight, certificate number, an
// optional photo) and queue it for the platform.
//
// Threading (package ui/async): fields are touched on the UI goroutine
// only; the agent calls run through the runner's Go and come back through
// its Do.
package recycler

import (
	"context"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/async"
	"tradein/ui/i18n"
)

// callTimeout bounds one agent call (local store and a photo write).
const callTimeout = 30 * time.Second

// maxPhotoRead is how much of a chosen photo file is read: one byte more
// than the agent accepts (16 MB), so that the agent's refusal names the
// size instead of a silently cut photo being stored.
const maxPhotoRead = 16<<20 + 1

// conditions are the conditions in the order the picker lists them.
var conditions = []string{agent.ConditionGood, agent.ConditionWorn, agent.ConditionBroken}

// Screen is the pickup screen. Create it with New; it is used on the UI
// goroutine only.
type Screen struct {
	w      fyne.Window
	s      *agent.Session
	run    async.Runner
	onStep func()

	sale      *agent.Sale // the looked-up sale; nil before a lookup
	photo     []byte
	photoName string
	busy      bool
	msg       func() string // re-translated on a language switch
	msgImp    widget.Importance

	ticket     *widget.Entry
	lookupBtn  *widget.Button
	found      *widget.Label // the sale and its old appliance
	foundState *widget.Label // the sale's state and new product
	condition  *widget.Select
	weight     *widget.Entry
	cert       *widget.Entry
	photoBtn   *widget.Button
	photoClear *widget.Button
	photoInfo  *widget.Label
	saveBtn    *widget.Button
	message    *widget.Label
	form       *widget.Form
	title      *widget.Label
	content    fyne.CanvasObject
}

// New returns the pickup screen for a session that may record pickups.
// onStep, when not nil, is called on the UI goroutine after every lookup
// or pickup outcome is shown. run runs its agent calls (nil: async.Fyne).
func New(w fyne.Window, s *agent.Session, run async.Runner, onStep func()) *Screen {
	sc := &Screen{w: w, s: s, run: async.Or(run), onStep: onStep, msg: func() string { return "" }}
	sc.ticket = widget.NewEntry()
	sc.ticket.OnSubmitted = func(string) { sc.lookup() }
	sc.lookupBtn = widget.NewButton("", sc.lookup)
	sc.found = widget.NewLabel("")
	sc.found.Truncation = fyne.TextTruncateEllipsis
	sc.foundState = widget.NewLabel("")
	sc.foundState.Truncation = fyne.TextTruncateEllipsis
	sc.condition = widget.NewSelect(nil, nil)
	sc.weight = widget.NewEntry()
	sc.weight.OnSubmitted = func(string) { sc.w.Canvas().Focus(sc.cert) }
	sc.cert = widget.NewEntry()
	sc.cert.OnSubmitted = func(string) { sc.save() }
	sc.photoBtn = widget.NewButton("", sc.choosePhoto)
	sc.photoClear = widget.NewButton("", func() { sc.setPhoto(nil, ""); sc.render() })
	sc.photoInfo = widget.NewLabel("")
	sc.saveBtn = widget.NewButton("", sc.save)
	sc.saveBtn.Importance = widget.HighImportance
	sc.message = widget.NewLabel("")
	sc.message.Wrapping = fyne.TextWrapWord
	sc.message.TextStyle.Bold = true
	sc.form = widget.NewForm()
	sc.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.content = container.NewBorder(
		container.NewVBox(sc.title, container.NewBorder(nil, nil, nil, sc.lookupBtn, sc.ticket), sc.found, sc.foundState, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), sc.message), nil, nil,
		container.NewVScroll(container.NewVBox(sc.form, container.NewHBox(sc.saveBtn))))
	sc.Retranslate()
	return sc
}

// Content is the screen's widget tree.
func (sc *Screen) Content() fyne.CanvasObject { return sc.content }

// Focus puts the focus on the ticket field, or on the first pickup field
// once a ticket was found.
func (sc *Screen) Focus() {
	if sc.sale == nil {
		sc.w.Canvas().Focus(sc.ticket)
		return
	}
	if sc.condition.SelectedIndex() < 0 {
		sc.w.Canvas().Focus(sc.condition)
		return
	}
	sc.w.Canvas().Focus(sc.weight)
}

// Close has nothing to finish: a pickup is recorded in one call.
func (sc *Screen) Close() {}

// Retranslate writes every text in the current language.
func (sc *Screen) Retranslate() {
	sc.title.SetText(i18n.T("pickup.title"))
	sc.ticket.SetPlaceHolder(i18n.T("pickup.ph.ticket"))
	sc.lookupBtn.SetText(i18n.T("pickup.lookup"))
	sel := sc.condition.SelectedIndex()
	opts := make([]string, len(conditions))
	for i, c := range conditions {
		opts[i] = i18n.T("cond." + c)
	}
	sc.condition.SetOptions(opts)
	sc.condition.PlaceHolder = i18n.T("pickup.condition")
	if sel >= 0 {
		sc.condition.SetSelectedIndex(sel)
	}
	sc.weight.SetPlaceHolder("35.5")
	sc.cert.SetPlaceHolder(i18n.T("pickup.cert"))
	sc.photoBtn.SetText(i18n.T("pickup.photo_pick"))
	sc.photoClear.SetText(i18n.T("pickup.photo_clear"))
	sc.saveBtn.SetText(i18n.T("pickup.save"))
	sc.form.Items = nil
	sc.form.Append(i18n.T("pickup.condition"), sc.condition)
	sc.form.Append(i18n.T("pickup.weight"), sc.weight)
	sc.form.Append(i18n.T("pickup.cert"), sc.cert)
	sc.form.Append(i18n.T("pickup.photo"), container.NewVBox(container.NewHBox(sc.photoBtn, sc.photoClear), sc.photoInfo))
	sc.form.Refresh()
	sc.render()
}

// HandleScan takes a scan: a trade-in ticket is looked up; anything else
// is refused with what this screen needs.
func (sc *Screen) HandleScan(ev agent.ScanEvent) {
	if ev.Kind != agent.ScanTicket {
		kind := ev.Kind
		sc.show(func() string {
			return i18n.T("sale.wrong_scan", i18n.T("scan."+string(kind)), i18n.T("scan.TICKET"))
		}, widget.WarningImportance)
		sc.stepped()
		return
	}
	sc.ticket.SetText(ev.Value)
	sc.lookup()
}

// lookup finds the sale of the ticket and shows its old appliance.
func (sc *Screen) lookup() {
	if sc.busy {
		return
	}
	ticket := strings.TrimSpace(sc.ticket.Text)
	sc.busy = true
	var sale agent.Sale
	sc.call(func(ctx context.Context) error {
		var err error
		sale, err = sc.s.LookupTicket(ctx, ticket)
		return err
	}, func(err error) {
		sc.sale = nil
		if err != nil {
			sc.fail(err)
			return
		}
		if sale.TradeIn == nil {
			sc.show(func() string { return i18n.T("pickup.no_tradein") }, widget.DangerImportance)
			return
		}
		sc.sale = &sale
		sc.clearForm()
		for i, c := range conditions {
			if c == sale.TradeIn.Condition {
				sc.condition.SetSelectedIndex(i)
			}
		}
		sc.show(func() string { return "" }, widget.MediumImportance)
	})
}

// save records the pickup of the looked-up ticket.
func (sc *Screen) save() {
	if sc.busy {
		return
	}
	if sc.sale == nil {
		sc.show(func() string { return i18n.T("pickup.need_ticket") }, widget.WarningImportance)
		return
	}
	ci := sc.condition.SelectedIndex()
	grams, ok := ParseKg(sc.weight.Text)
	switch {
	case ci < 0:
		sc.show(func() string { return i18n.T("pickup.need_cond") }, widget.WarningImportance)
		return
	case !ok:
		sc.show(func() string { return i18n.T("pickup.bad_weight") }, widget.WarningImportance)
		return
	case strings.TrimSpace(sc.cert.Text) == "":
		sc.show(func() string { return i18n.T("pickup.no_cert") }, widget.WarningImportance)
		return
	}
	p := agent.Pickup{TicketNo: sc.sale.TradeIn.TicketNo, Condition: conditions[ci], WeightGrams: grams,
		CertificateNo: strings.TrimSpace(sc.cert.Text)}
	photo := sc.photo
	sc.busy = true
	var saved agent.Pickup
	sc.call(func(ctx context.Context) error {
		var err error
		saved, err = sc.s.RecordPickup(ctx, p, photo)
		return err
	}, func(err error) {
		if err != nil {
			sc.fail(err)
			return
		}
		ticket := saved.TicketNo
		sc.sale = nil
		sc.ticket.SetText("")
		sc.clearForm()
		sc.show(func() string { return i18n.T("pickup.saved", ticket) }, widget.SuccessImportance)
	})
}

// call runs work off the UI goroutine and then done on it, renders and
// reports the step.
func (sc *Screen) call(work func(ctx context.Context) error, done func(err error)) {
	sc.run.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		err := work(ctx)
		cancel()
		sc.run.Do(func() {
			sc.busy = false
			done(err)
			sc.render()
			sc.Focus()
			sc.stepped()
		})
	})
}

// stepped tells the main window that an outcome is shown.
func (sc *Screen) stepped() {
	if sc.onStep != nil {
		sc.onStep()
	}
}

// choosePhoto opens the file dialog and reads the chosen photo.
func (sc *Screen) choosePhoto() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			sc.show(func() string { return i18n.T("pickup.photo_err") }, widget.DangerImportance)
			return
		}
		if r == nil {
			return // dialog cancelled
		}
		defer r.Close()
		b, err := io.ReadAll(io.LimitReader(r, maxPhotoRead))
		if err != nil || len(b) == 0 {
			sc.show(func() string { return i18n.T("pickup.photo_err") }, widget.DangerImportance)
			return
		}
		sc.setPhoto(b, r.URI().Name())
		sc.render()
	}, sc.w)
	d.Show()
}

// setPhoto keeps the chosen photo's bytes for the pickup.
func (sc *Screen) setPhoto(b []byte, name string) {
	sc.photo, sc.photoName = b, name
}

// clearForm empties the pickup fields for the next ticket.
func (sc *Screen) clearForm() {
	sc.condition.ClearSelected()
	sc.weight.SetText("")
	sc.cert.SetText("")
	sc.setPhoto(nil, "")
}

func (sc *Screen) show(msg func() string, imp widget.Importance) {
	sc.msg, sc.msgImp = msg, imp
	sc.render()
}

func (sc *Screen) fail(err error) {
	sc.show(func() string { return i18n.Error(err) }, widget.DangerImportance)
}

// render shows the looked-up sale, the photo and the last message.
func (sc *Screen) render() {
	if s := sc.sale; s != nil && s.TradeIn != nil {
		ti := s.TradeIn
		sc.found.SetText(i18n.T("pickup.found", s.OrderNo, i18n.Category(ti.Category), ti.Brand, ti.Model, ti.PriceFen.String()))
		sc.foundState.SetText(i18n.T("pickup.state", i18n.State(s.State), s.Product.Brand+" "+s.Product.Model, i18n.T("cond."+ti.Condition)))
		sc.found.Importance = widget.SuccessImportance
		sc.found.Show()
		sc.foundState.Show()
		sc.saveBtn.Enable()
	} else {
		sc.found.Hide()
		sc.foundState.Hide()
		sc.saveBtn.Disable()
	}
	sc.found.Refresh()
	if sc.photo != nil {
		sc.photoInfo.SetText(i18n.T("pickup.photo_got", sc.photoName, (len(sc.photo)+1023)/1024))
	} else {
		sc.photoInfo.SetText(i18n.T("pickup.photo_none"))
	}
	sc.message.SetText(sc.msg())
	sc.message.Importance = sc.msgImp
	sc.message.Refresh()
	sc.content.Refresh() // the sale lines were shown or hidden
}
