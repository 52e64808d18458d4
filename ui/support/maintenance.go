package support

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// maintTab refreshes the product library and rules, and backs up the
// database, each with a progress bar.
type maintTab struct {
	w   fyne.Window
	sup agent.Support
	t   *agent.Terminal

	libBtn    *widget.Button
	libBar    *widget.ProgressBar
	libMsg    message
	backupBtn *widget.Button
	backupBar *widget.ProgressBar
	backupMsg message
	content   fyne.CanvasObject
}

func newMaintTab(w fyne.Window, sup agent.Support, t *agent.Terminal) *maintTab {
	m := &maintTab{w: w, sup: sup, t: t, libMsg: newMessage(), backupMsg: newMessage(),
		libBar: widget.NewProgressBar(), backupBar: widget.NewProgressBar()}
	m.libBtn = widget.NewButton(i18n.T("sup.library_do"), m.doLibrary)
	m.backupBtn = widget.NewButton(i18n.T("sup.backup_do"), m.doBackup)
	m.libBar.Hide()
	m.backupBar.Hide()
	m.content = container.NewVScroll(container.NewVBox(
		widget.NewCard(i18n.T("sup.library"), "", container.NewVBox(container.NewHBox(m.libBtn), m.libBar, m.libMsg.Label)),
		widget.NewCard(i18n.T("sup.backup"), "", container.NewVBox(container.NewHBox(m.backupBtn), m.backupBar, m.backupMsg.Label)),
	))
	return m
}

// progressTo returns a progress callback that moves bar (and the message
// line when the total is unknown) through fyne.Do.
func progressTo(bar *widget.ProgressBar, msg message) func(done, total int64) {
	return func(done, total int64) {
		fyne.Do(func() {
			if total > 0 {
				bar.SetValue(float64(done) / float64(total))
				msg.info(i18n.T("app.progress", done, total))
			} else {
				msg.info(i18n.T("app.progress_nt", done))
			}
		})
	}
}

func (m *maintTab) doLibrary() {
	m.libBtn.Disable()
	m.libBar.SetValue(0)
	m.libBar.Show()
	m.libMsg.info(i18n.T("app.working"))
	progress := progressTo(m.libBar, m.libMsg)
	background(func() {
		ctx, cancel := context.WithTimeout(context.Background(), longTimeout)
		defer cancel()
		err := m.sup.RefreshLibrary(ctx, progress)
		var version int64
		if err == nil {
			version = m.t.Status(ctx).LibraryVersion
		}
		fyne.Do(func() {
			m.libBtn.Enable()
			if err != nil {
				m.libMsg.fail(err)
				return
			}
			m.libBar.SetValue(1)
			m.libMsg.ok(i18n.T("sup.library_ok", version))
		})
	})
}

func (m *maintTab) doBackup() {
	m.backupBtn.Disable()
	m.backupBar.SetValue(0)
	m.backupBar.Show()
	m.backupMsg.info(i18n.T("app.working"))
	progress := progressTo(m.backupBar, m.backupMsg)
	background(func() {
		ctx, cancel := context.WithTimeout(context.Background(), longTimeout)
		defer cancel()
		path, err := m.sup.Backup(ctx, progress)
		fyne.Do(func() {
			m.backupBtn.Enable()
			if err != nil {
				m.backupMsg.fail(err)
				return
			}
			m.backupBar.SetValue(1)
			m.backupMsg.ok(i18n.T("sup.backup_ok", path))
		})
	})
}

// logLines is how many of the newest log lines the screen shows.
const logLines = 200

// logsTab shows the newest log lines in a scrollable monospace text.
type logsTab struct {
	sup     agent.Support
	text    *widget.Label
	scroll  *container.Scroll
	msg     message
	content fyne.CanvasObject
}

func newLogsTab(sup agent.Support) *logsTab {
	l := &logsTab{sup: sup, msg: newMessage()}
	l.text = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	l.scroll = container.NewScroll(l.text)
	l.content = container.NewBorder(container.NewHBox(widget.NewButton(i18n.T("sup.logs_do"), l.reload)), l.msg.Label, nil, nil, l.scroll)
	return l
}

// reload reads the newest lines and scrolls to the end.
func (l *logsTab) reload() {
	ctx, cancel := callCtx()
	defer cancel()
	lines, err := l.sup.LogTail(ctx, logLines)
	if err != nil {
		l.msg.fail(err)
		return
	}
	l.text.SetText(strings.Join(lines, "\n"))
	l.msg.info(i18n.T("sup.log_count", len(lines)))
	l.scroll.ScrollToBottom()
}
