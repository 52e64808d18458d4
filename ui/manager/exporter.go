package manager

import (
	"context"
	"fmt"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/agent/export"
	"tradein/ui/i18n"
)

// exportFormat is a spreadsheet format the manager can choose.
type exportFormat string

const (
	formatCSV  exportFormat = "csv"
	formatXLSX exportFormat = "xlsx"
)

// exportTimeout bounds one export: collecting and writing a year of sales
// takes seconds; a minute means something is stuck.
const exportTimeout = time.Minute

// fileDialogSize is large enough to read folder names on a 1366×768
// checkout screen.
var fileDialogSize = fyne.NewSize(900, 600)

// exportWriter is what an export function writes to, with the progress
// callback (safe to call from the export goroutine).
type exportWriter struct {
	ctx      context.Context
	format   exportFormat
	out      io.Writer
	progress func(done, total int64)
}

// exporter asks for a file, then runs an export in the background with a
// progress dialog, and reports the outcome on the tab's message line.
type exporter struct {
	w   fyne.Window
	msg message
	// lastPath is the file the last export wrote (tests read it).
	lastPath string
}

func newExporter(w fyne.Window, msg message) *exporter { return &exporter{w: w, msg: msg} }

// ask opens the save dialog with a suggested file name, then runs write.
func (e *exporter) ask(format exportFormat, base string, write func(exportWriter) error) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			e.msg.fail(agent.Errorf(agent.CodeInternal, "save dialog: %v", err))
			return
		}
		if wc == nil {
			return // cancelled
		}
		e.run(format, wc, wc.URI().Path(), write)
	}, e.w)
	d.SetFileName(fmt.Sprintf("%s-%s.%s", base, now().In(agent.ChinaTime).Format("20060102-1504"), format))
	d.SetFilter(storage.NewExtensionFileFilter([]string{"." + string(format)}))
	d.Resize(fileDialogSize)
	d.Show()
}

// run writes the export to wc in the background, showing progress, and
// closes wc. The message line says where the file went or why it failed.
func (e *exporter) run(format exportFormat, wc io.WriteCloser, path string, write func(exportWriter) error) {
	bar := widget.NewProgressBar()
	status := widget.NewLabel(i18n.T("app.working"))
	prog := dialog.NewCustomWithoutButtons(i18n.T("mgr.exporting"), container.NewVBox(status, bar), e.w)
	prog.Show()
	progress := func(done, total int64) {
		fyne.Do(func() {
			if total > 0 {
				bar.SetValue(float64(done) / float64(total))
				status.SetText(i18n.T("app.progress", done, total))
			} else {
				status.SetText(i18n.T("app.progress_nt", done))
			}
		})
	}
	background(func() {
		ctx, cancel := context.WithTimeout(context.Background(), exportTimeout)
		defer cancel()
		err := write(exportWriter{ctx: ctx, format: format, out: wc, progress: progress})
		if cerr := wc.Close(); err == nil && cerr != nil {
			err = agent.Errorf(agent.CodeInternal, "close export file: %v", cerr)
		}
		fyne.Do(func() {
			prog.Hide()
			if err != nil {
				e.msg.fail(err)
				return
			}
			e.lastPath = path
			e.msg.ok(i18n.T("report.exported", path))
		})
	})
}

// exportOptions names categories and states in the display language and
// the store in the title.
func exportOptions(store agent.StoreInfo, progress func(done, total int64)) export.Options {
	return export.Options{Store: store, Category: i18n.Category, State: i18n.State, Progress: progress}
}
