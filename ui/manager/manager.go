// Package manager is the shop manager's screen: the sales list with
// reprint and refund, the review list, the daily report with its chart and
// spreadsheet export, staff management and printer problems. It is a
// client of the agent's Session API only (docs/ARCHITECTURE.md): every action goes
// through *agent.Session, which checks the role again, and every refusal is
// shown as the i18n sentence of its code.
//
// Threading: agent reads of a screenful (a list, a report) are local
// SQLite queries of a few milliseconds and run on the UI goroutine, so a
// screen is never shown half-filled. Work that can take seconds (exports,
// collecting a long sales list) runs in a goroutine and touches widgets
// only through fyne.Do.
package manager

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// now is the wall clock the screens use for "today"; tests replace it.
var now = time.Now

// background runs long work off the UI goroutine; tests replace it with a
// synchronous call so that they can check the result without waiting.
var background = func(f func()) { go f() }

// callTimeout bounds one agent call made by a screen. Agent calls are local
// (the store, the print spooler's queue); 30 s only trips on a wedged disk.
const callTimeout = 30 * time.Second

func callCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}

// New returns the manager's screen: tabs for what the session's role may
// do (sales list: ActReprint; review: ActReview; daily report: ActReport;
// staff: ActManageStaff) and the printer-problem tab every logged-in role
// may use. A role without any manager action sees a plain refusal.
func New(w fyne.Window, s *agent.Session, t *agent.Terminal) fyne.CanvasObject {
	return newScreen(w, s, t).tabs
}

// loadNames installs the category names of the cached rules before a tab
// shows a category.
func loadNames(t *agent.Terminal) {
	ctx, cancel := callCtx()
	defer cancel()
	i18n.LoadCategoryNames(ctx, t)
}

// screen holds the manager's tabs; tests reach the tabs through it.
type screen struct {
	w       fyne.Window
	s       *agent.Session
	t       *agent.Terminal
	tabs    *container.AppTabs
	sales   *salesTab
	review  *reviewTab
	report  *reportTab
	staff   *staffTab
	printer *printTab
}

func newScreen(w fyne.Window, s *agent.Session, t *agent.Terminal) *screen {
	loadNames(t)
	sc := &screen{w: w, s: s, t: t, tabs: container.NewAppTabs()}
	if s.Can(agent.ActReprint) {
		sc.sales = newSalesTab(w, s, t)
		sc.tabs.Append(container.NewTabItem(i18n.T("nav.sales"), sc.sales.content))
	}
	if s.Can(agent.ActReview) {
		sc.review = newReviewTab(w, s)
		sc.tabs.Append(container.NewTabItem(i18n.T("nav.review"), sc.review.content))
	}
	if s.Can(agent.ActReport) {
		sc.report = newReportTab(w, s, t)
		sc.tabs.Append(container.NewTabItem(i18n.T("nav.report"), sc.report.content))
	}
	if s.Can(agent.ActManageStaff) {
		sc.staff = newStaffTab(w, s)
		sc.tabs.Append(container.NewTabItem(i18n.T("nav.staff"), sc.staff.content))
	}
	if len(sc.tabs.Items) == 0 {
		// A role with no manager action (recycler, support) never gets
		// the printer tab alone from here: the main window shows printer
		// problems to them through PrintProblems.
		sc.tabs.Append(container.NewTabItem(i18n.T("nav.sales"), widget.NewLabel(i18n.T("app.denied"))))
		return sc
	}
	sc.printer = newPrintTab(w, s)
	sc.tabs.Append(container.NewTabItem(i18n.T("mgr.print_tab"), sc.printer.content))
	sc.tabs.OnSelected = func(ti *container.TabItem) { sc.refresh(ti) }
	return sc
}

// refresh reloads the tab the manager switched to, so that a list never
// shows what another screen already changed, and puts the keyboard focus
// on the tab's first field.
func (sc *screen) refresh(ti *container.TabItem) {
	var first fyne.Focusable
	switch {
	case sc.sales != nil && ti.Content == sc.sales.content:
		sc.sales.reload()
		first = sc.sales.query
	case sc.review != nil && ti.Content == sc.review.content:
		sc.review.reload()
	case sc.report != nil && ti.Content == sc.report.content:
		sc.report.show()
		first = sc.report.day
	case sc.staff != nil && ti.Content == sc.staff.content:
		sc.staff.reload()
		first = sc.staff.name
	case sc.printer != nil && ti.Content == sc.printer.content:
		sc.printer.reload()
	}
	if first != nil {
		sc.w.Canvas().Focus(first)
	}
}
