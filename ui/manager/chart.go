package manager

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// barChart draws the day's subsidy by category: one row per category with
// its name, a bar whose length is its subsidy scaled to the largest one,
// and the amount.
type barChart struct {
	box  *fyne.Container
	bars []*canvas.Rectangle // one per category, in report order
}

func newBarChart() *barChart {
	return &barChart{box: container.NewVBox()}
}

// set replaces the chart's rows with the report's categories.
func (c *barChart) set(totals []agent.CategoryTotal) {
	var max agent.Fen
	for _, ct := range totals {
		if ct.SubsidyFen > max {
			max = ct.SubsidyFen
		}
	}
	c.bars = c.bars[:0]
	rows := make([]fyne.CanvasObject, 0, len(totals))
	for _, ct := range totals {
		bar := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		c.bars = append(c.bars, bar)
		name := widget.NewLabel(i18n.Category(ct.Category))
		amount := widget.NewLabel(ct.SubsidyFen.String())
		track := container.New(&barLayout{value: ct.SubsidyFen, max: max}, bar)
		// Name and amount get fixed widths so that every track is equally
		// long and the bars compare.
		h := name.MinSize().Height
		rows = append(rows, container.NewBorder(nil, nil,
			container.NewGridWrap(fyne.NewSize(chartNameWidth, h), name),
			container.NewGridWrap(fyne.NewSize(chartAmountWidth, h), amount), track))
	}
	c.box.Objects = rows
	c.box.Refresh()
}

// barLayout sizes its one object to value/max of the available width
// (the whole width for the largest category, nothing for zero). Only the
// on-screen length is a float; the amounts stay integer fen.
type barLayout struct{ value, max agent.Fen }

// Widths of the chart's name and amount columns: a four-Hanzi category
// name and "¥99,999,999.99" fit.
const (
	chartNameWidth   = 120
	chartAmountWidth = 130
)

// barMinWidth keeps a chart row usable in a narrow window.
const barMinWidth = 80

func (l *barLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	width := float32(0)
	if l.max > 0 && l.value > 0 {
		width = size.Width * float32(float64(l.value)/float64(l.max))
	}
	h := size.Height * 0.6
	for _, o := range objs {
		o.Move(fyne.NewPos(0, (size.Height-h)/2))
		o.Resize(fyne.NewSize(width, h))
	}
}

func (l *barLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(barMinWidth, theme.TextSize()+2*theme.Padding())
}
