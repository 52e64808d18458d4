package support

import (
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

func TestSupportSavesDeviceConfig(t *testing.T) {
	f := newFixture(t)
	sc, _ := f.show(f.login("F1"))
	d := sc.devices
	// The settings in force are shown; the printer port carries no USB ids.
	if d.mode.Selected != i18n.T("sup.mode.wedge") || d.prnPort.Text != "/dev/ttyS0" || d.columns.Selected != i18n.T("sup.col48") {
		t.Fatalf("loaded form: mode %q port %q columns %q", d.mode.Selected, d.prnPort.Text, d.columns.Selected)
	}
	if !d.scanPort.Disabled() {
		t.Error("scanner port editable in wedge mode")
	}
	usb := "/dev/ttyUSB0  USB 1a86:7523  USB Serial"
	if len(d.portNames) != 2 || d.portNames[usb] != "/dev/ttyUSB0" || d.portNames["/dev/ttyS0"] != "/dev/ttyS0" {
		t.Fatalf("port choices %q", d.portNames)
	}

	d.mode.SetSelected(i18n.T("sup.mode.serial"))
	test.Tap(d.save)
	if d.msg.Text != i18n.T("sup.need_port") || f.sup.saved != 0 {
		t.Fatalf("saved without a port: %q", d.msg.Text)
	}
	d.scanPort.SetText(usb) // as the picker fills it
	d.scanBaud.SetSelected("9600")
	d.bits.SetSelected("8")
	d.parity.SetSelected("none")
	d.stop.SetSelected("1")
	d.suffix.SetSelected("IDLE")
	d.aim.SetChecked(true)
	test.Type(d.idleMS, "abc")
	d.idleMS.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if d.msg.Text != i18n.T("sup.bad_idle") || f.sup.saved != 0 {
		t.Fatalf("bad idle timeout accepted: %q", d.msg.Text)
	}
	d.idleMS.SetText("50")
	d.prnPort.SetText("/dev/ttyUSB0")
	test.Tap(d.save)
	if d.msg.Text != i18n.T("sup.same_port") {
		t.Fatalf("shared port accepted: %q", d.msg.Text)
	}
	d.prnPort.SetText("/dev/ttyS0")
	d.columns.SetSelected(i18n.T("sup.col32"))
	d.qr.SetSelected("raster")
	d.idleMS.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter saves
	if d.msg.Text != i18n.T("sup.saved") || f.sup.saved != 1 {
		t.Fatalf("not saved: %q", d.msg.Text)
	}
	got := f.sup.cfg
	want := agent.DeviceConfig{
		Scanner: agent.ScannerConfig{Mode: agent.ScannerSerial, Port: "/dev/ttyUSB0", Baud: 9600, DataBits: 8, Parity: "none",
			StopBits: "1", Suffix: "IDLE", IdleTimeout: 50_000_000, AIMPrefix: true},
		Printer: agent.PrinterConfig{Port: "/dev/ttyS0", Baud: 9600, Columns: 32, QRMode: "raster"},
	}
	if got != want {
		t.Fatalf("saved\n got %+v\nwant %+v", got, want)
	}

	// The implementation's refusal comes back as a plain sentence.
	d.prnPort.SetText("")
	d.mode.SetSelected(i18n.T("sup.mode.off"))
	f.sup.ports = nil
	test.Tap(d.save)
	if f.sup.cfg.Scanner.Mode != agent.ScannerOff || f.sup.cfg.Printer.Port != "" {
		t.Fatalf("off/no printer not saved: %+v", f.sup.cfg)
	}
	d.loadPorts()
	if d.msg.Text != i18n.T("sup.no_ports") {
		t.Fatalf("no-ports message %q", d.msg.Text)
	}
}

func TestSupportDiagnostics(t *testing.T) {
	f := newFixture(t)
	sc, _ := f.show(f.login("F1"))
	d := sc.diag
	if d.enrolled.Text != i18n.T("sup.not_enrolled") {
		t.Fatalf("enrollment %q", d.enrolled.Text)
	}
	test.Tap(d.checkBtn)
	if !strings.HasPrefix(d.platform.Text, "平台可达："+f.sup.health.URL) || !strings.Contains(d.platform.Text, "plain HTTP") {
		t.Fatalf("connectivity shown as %q", d.platform.Text)
	}
	f.sup.health.Close()
	test.Tap(d.checkBtn)
	if !strings.HasPrefix(d.platform.Text, "平台不可达") || d.platform.Importance != widget.WarningImportance {
		t.Fatalf("unreachable platform shown as %q", d.platform.Text)
	}

	test.Type(d.code, "WRONG")
	d.code.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if d.enrollMsg.Text != i18n.T("err.UNAUTHORIZED") {
		t.Fatalf("refused code shown as %q", d.enrollMsg.Text)
	}
	d.code.SetText("ENR-2026-OK")
	test.Tap(d.enrollBtn)
	if !strings.Contains(d.enrolled.Text, "朝阳门店") || d.enrollMsg.Text != i18n.T("sup.enroll_ok") {
		t.Fatalf("enrolled %q / %q", d.enrolled.Text, d.enrollMsg.Text)
	}

	test.Tap(d.printBtn)
	if d.printMsg.Text != i18n.T("sup.testprinted", "DIAG-1") {
		t.Fatalf("test print %q", d.printMsg.Text)
	}
}

func TestSupportTestScanReadsOnlyWhileShown(t *testing.T) {
	f := newFixture(t)
	sc, _ := f.show(f.login("F1"))
	sc.tabs.SelectIndex(1)
	d := sc.diag
	d.scanDone = make(chan struct{}, 1)
	test.Tap(d.scanBtn)
	if d.scanMsg.Text != i18n.T("sup.testscan_wait") || !d.scanBtn.Disabled() {
		t.Fatalf("waiting: %q", d.scanMsg.Text)
	}
	f.term.HandleScan(agent.ScanEvent{Value: "6900000000014", Source: "serial:/dev/ttyUSB0", Symbology: "]E0"})
	<-d.scanDone
	if want := i18n.T("sup.testscan_got", "6900000000014", "商品条码", "serial:/dev/ttyUSB0", "]E0"); d.scanMsg.Text != want {
		t.Fatalf("scan shown as %q, want %q", d.scanMsg.Text, want)
	}

	// Leaving the tab stops the listener: the next scan stays for the
	// screen that owns the stream.
	test.Tap(d.scanBtn)
	sc.tabs.SelectIndex(0)
	<-d.scanDone
	if d.scanMsg.Text != i18n.T("sup.testscan_none") || d.scanBtn.Disabled() {
		t.Fatalf("after leaving: %q", d.scanMsg.Text)
	}
	f.term.HandleScan(agent.ScanEvent{Value: "SN-12345678"})
	if n := len(f.term.Scans()); n != 1 {
		t.Fatalf("%d scans waiting, want the one the support screen no longer reads", n)
	}
}

func TestSupportLibraryBackupAndLogs(t *testing.T) {
	f := newFixture(t)
	sc, _ := f.show(f.login("F1"))
	m := sc.maint
	test.Tap(m.libBtn)
	if m.libMsg.Text != i18n.T("sup.library_ok", 1) || m.libBar.Value != 1 {
		t.Fatalf("library: %q bar %v", m.libMsg.Text, m.libBar.Value)
	}
	test.Tap(m.backupBtn)
	path := strings.TrimPrefix(m.backupMsg.Text, "备份完成：")
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("backup message %q: %v", m.backupMsg.Text, err)
	}
	sc.tabs.SelectIndex(3)
	if !strings.Contains(sc.logs.text.Text, "paper low") || !sc.logs.text.TextStyle.Monospace {
		t.Fatalf("logs %q", sc.logs.text.Text)
	}
}

func TestSupportScreenRefusesOtherRoles(t *testing.T) {
	f := newFixture(t)
	sc, _ := f.show(f.login("M1"))
	l, ok := sc.content.(*widget.Label)
	if !ok || l.Text != i18n.T("app.denied") || sc.tabs != nil {
		t.Fatalf("manager sees the support screen: %T", sc.content)
	}
}

func TestSupportTestScanStopsWhenTheWindowNavigatesAway(t *testing.T) {
	f := newFixture(t)
	visibilityPoll = time.Millisecond
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	sc := newScreen(w, f.login("F1"), f.sup, f.term)
	// A main window: navigation on the left, the support screen in the middle.
	w.SetContent(container.NewBorder(nil, nil, widget.NewLabel("nav"), nil, container.NewStack(sc.content)))
	sc.tabs.SelectIndex(1)
	d := sc.diag
	d.scanDone = make(chan struct{}, 1)
	test.Tap(d.scanBtn)
	w.SetContent(widget.NewLabel("sale screen"))
	<-d.scanDone
	if d.scanMsg.Text != i18n.T("sup.testscan_none") {
		t.Fatalf("after navigating away: %q", d.scanMsg.Text)
	}
	f.term.HandleScan(agent.ScanEvent{Value: "SN-12345678"})
	if n := len(f.term.Scans()); n != 1 {
		t.Fatalf("%d scans waiting for the sale screen, want 1", n)
	}
}

func TestOnScreen(t *testing.T) {
	target := widget.NewLabel("target")
	other := widget.NewLabel("other")
	tabs := container.NewAppTabs(container.NewTabItem("a", other), container.NewTabItem("b", container.NewVScroll(target)))
	root := container.NewBorder(nil, nil, widget.NewLabel("nav"), nil, container.NewHSplit(widget.NewLabel("x"), widget.NewCard("", "", tabs)))
	test.NewTempApp(t)
	w := test.NewWindow(root)
	defer w.Close()
	tabs.SelectIndex(1)
	if shown, found := onScreen(root, target); !shown || !found {
		t.Fatalf("selected tab: shown %v found %v", shown, found)
	}
	tabs.SelectIndex(0)
	if shown, found := onScreen(root, target); shown || !found {
		t.Fatalf("other tab selected: shown %v found %v", shown, found)
	}
	if _, found := onScreen(widget.NewLabel("elsewhere"), target); found {
		t.Fatal("found outside its tree")
	}
}

func TestSupportTestScanHandsBackAScanTakenAfterLeaving(t *testing.T) {
	f := newFixture(t)
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	sc := newScreen(w, f.login("F1"), f.sup, f.term)
	w.SetContent(container.NewStack(sc.content))
	sc.tabs.SelectIndex(1)
	d := sc.diag
	d.scanDone = make(chan struct{}, 1)
	test.Tap(d.scanBtn) // the poll is off (visibilityPoll = 1 h): only the hand-back can help
	w.SetContent(widget.NewLabel("sale screen"))
	f.term.HandleScan(agent.ScanEvent{Value: "6900000000014"})
	<-d.scanDone
	if d.scanMsg.Text != i18n.T("sup.testscan_none") {
		t.Fatalf("the support screen kept the scan: %q", d.scanMsg.Text)
	}
	select {
	case ev := <-f.term.Scans():
		if ev.Value != "6900000000014" || ev.Kind != agent.ScanProduct {
			t.Fatalf("handed back %+v", ev)
		}
	default:
		t.Fatal("the scan was not handed back to the stream")
	}
}
