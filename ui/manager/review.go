package manager

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// reviewTab lists the sales the platform rejected and the sales with
// fraud warnings, and records the manager's resolution.
type reviewTab struct {
	w fyne.Window
	s *agent.Session

	list    *widget.List
	detail  *widget.Label
	note    *widget.Entry
	resolve *widget.Button
	empty   *widget.Label
	msg     message
	content fyne.CanvasObject

	sales    []agent.Sale
	selected int
}

func newReviewTab(w fyne.Window, s *agent.Session) *reviewTab {
	r := &reviewTab{w: w, s: s, selected: -1, msg: newMessage()}
	r.list = widget.NewList(func() int { return len(r.sales) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(r.sales) {
				o.(*widget.Label).SetText(reviewRow(r.sales[id]))
			}
		})
	r.list.OnSelected = func(id widget.ListItemID) { r.selected = id; r.showDetail() }
	r.list.OnUnselected = func(widget.ListItemID) { r.selected = -1; r.showDetail() }
	r.detail = widget.NewLabel("")
	r.detail.Wrapping = fyne.TextWrapWord
	r.note = widget.NewEntry()
	r.note.SetPlaceHolder(i18n.T("review.note"))
	r.note.OnSubmitted = func(string) { r.doResolve() } // Enter resolves
	r.resolve = widget.NewButton(i18n.T("review.resolve"), r.doResolve)
	r.resolve.Importance = widget.HighImportance
	r.empty = widget.NewLabel(i18n.T("review.empty"))
	right := container.NewBorder(nil, container.NewVBox(widget.NewLabel(i18n.T("review.note")), r.note, r.resolve, r.msg.Label),
		nil, nil, container.NewVScroll(r.detail))
	split := container.NewHSplit(container.NewBorder(r.empty, nil, nil, nil, r.list), right)
	split.Offset = 0.5
	r.content = container.NewBorder(widget.NewLabelWithStyle(i18n.T("review.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, split)
	r.reload()
	return r
}

// reload reads the review list again.
func (r *reviewTab) reload() {
	ctx, cancel := callCtx()
	defer cancel()
	sales, err := r.s.ReviewList(ctx)
	if err != nil {
		r.msg.fail(err)
		return
	}
	r.sales, r.selected = sales, -1
	r.list.UnselectAll()
	r.list.Refresh()
	if len(sales) == 0 {
		r.empty.Show()
	} else {
		r.empty.Hide()
	}
	r.showDetail()
}

func (r *reviewTab) showDetail() {
	if r.selected < 0 || r.selected >= len(r.sales) {
		r.detail.SetText(i18n.T("mgr.select"))
		r.resolve.Disable()
		return
	}
	r.detail.SetText(saleDetail(r.sales[r.selected]))
	r.resolve.Enable()
	r.w.Canvas().Focus(r.note)
}

func (r *reviewTab) doResolve() {
	if r.selected < 0 || r.selected >= len(r.sales) {
		r.msg.warn(i18n.T("mgr.select"))
		return
	}
	note := strings.TrimSpace(r.note.Text)
	if note == "" {
		r.msg.warn(i18n.T("review.need_note"))
		r.w.Canvas().Focus(r.note)
		return
	}
	orderNo := r.sales[r.selected].OrderNo
	ctx, cancel := callCtx()
	defer cancel()
	if err := r.s.ResolveReview(ctx, orderNo, note); err != nil {
		r.msg.fail(err)
		return
	}
	r.note.SetText("")
	r.reload()
	r.msg.ok(i18n.T("review.done", orderNo, note))
}

// reviewRow is one line of the review list: when, order, state and why.
func reviewRow(s agent.Sale) string {
	return i18n.T("review.row", s.CreatedAt.In(agent.ChinaTime).Format("01-02 15:04"), s.OrderNo, i18n.State(s.State), reviewReason(s))
}

// reviewReason says why the sale is on the list: the platform's rejection
// in words, or the fraud warnings.
func reviewReason(s agent.Sale) string {
	var parts []string
	if s.RejectCode != "" {
		parts = append(parts, rejectText(s))
	}
	for _, w := range s.Warnings {
		parts = append(parts, i18n.Warning(w))
	}
	return strings.Join(parts, i18n.T("review.sep"))
}
