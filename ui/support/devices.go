package support

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// Choices offered by the device form. Scanners and receipt printers speak
// these; anything else is a typo.
var (
	bauds     = []string{"1200", "2400", "4800", "9600", "19200", "38400", "57600", "115200"}
	dataBits  = []string{"7", "8"}
	parities  = []string{"none", "even", "odd"}
	stopBits  = []string{"1", "1.5", "2"}
	suffixes  = []string{"CR", "LF", "CRLF", "TAB", "IDLE"}
	qrModes   = []string{"native", "raster"}
	scanModes = []string{agent.ScannerSerial, agent.ScannerWedge, agent.ScannerOff}
)

// Bounds of the scanner's idle timeout: a serial scanner sends a whole
// code within a few ms; under 10 ms splits codes, over 5 s makes the clerk
// wait for every scan.
const (
	minIdle = 10 * time.Millisecond
	maxIdle = 5 * time.Second
)

// devicesTab edits the scanner and printer settings.
type devicesTab struct {
	w   fyne.Window
	sup agent.Support

	mode      *widget.Select
	scanPort  *widget.SelectEntry
	scanBaud  *widget.Select
	bits      *widget.Select
	parity    *widget.Select
	stop      *widget.Select
	suffix    *widget.Select
	idleMS    *widget.Entry
	aim       *widget.Check
	prnPort   *widget.SelectEntry
	prnBaud   *widget.Select
	columns   *widget.RadioGroup
	qr        *widget.Select
	save      *widget.Button
	msg       message
	content   fyne.CanvasObject
	ports     []agent.PortInfo
	portNames map[string]string // option text -> port name
}

func newDevicesTab(w fyne.Window, sup agent.Support) *devicesTab {
	d := &devicesTab{w: w, sup: sup, msg: newMessage()}
	modes := make([]string, len(scanModes))
	for i, m := range scanModes {
		modes[i] = i18n.T("sup.mode." + m)
	}
	d.mode = widget.NewSelect(modes, func(string) { d.enableFields() })
	d.scanPort = widget.NewSelectEntry(nil)
	d.scanPort.SetPlaceHolder(i18n.T("sup.port_ph"))
	d.scanBaud = widget.NewSelect(bauds, nil)
	d.bits = widget.NewSelect(dataBits, nil)
	d.parity = widget.NewSelect(parities, nil)
	d.stop = widget.NewSelect(stopBits, nil)
	d.suffix = widget.NewSelect(suffixes, func(string) { d.enableFields() })
	d.idleMS = widget.NewEntry()
	d.idleMS.SetPlaceHolder(i18n.T("sup.idle_ph"))
	d.aim = widget.NewCheck(i18n.T("sup.aim"), nil)
	d.prnPort = widget.NewSelectEntry(nil)
	d.prnPort.SetPlaceHolder(i18n.T("sup.printer_port_ph"))
	d.prnBaud = widget.NewSelect(bauds, nil)
	d.columns = widget.NewRadioGroup([]string{i18n.T("sup.col32"), i18n.T("sup.col48")}, nil)
	d.columns.Horizontal = true
	d.qr = widget.NewSelect(qrModes, nil)
	for _, sel := range []*widget.Select{d.mode, d.scanBaud, d.bits, d.parity, d.stop, d.suffix, d.prnBaud, d.qr} {
		sel.PlaceHolder = i18n.T("sup.choose")
	}
	d.save = widget.NewButton(i18n.T("sup.save"), d.doSave)
	d.save.Importance = widget.HighImportance
	// Enter in a typed field saves, as on every form of the terminal.
	for _, e := range []*widget.Entry{d.idleMS, &d.scanPort.Entry, &d.prnPort.Entry} {
		e.OnSubmitted = func(string) { d.doSave() }
	}

	scanner := widget.NewForm(
		widget.NewFormItem(i18n.T("sup.mode"), d.mode),
		widget.NewFormItem(i18n.T("sup.port"), d.scanPort),
		widget.NewFormItem(i18n.T("sup.baud"), d.scanBaud),
		widget.NewFormItem(i18n.T("sup.data_bits"), d.bits),
		widget.NewFormItem(i18n.T("sup.parity"), d.parity),
		widget.NewFormItem(i18n.T("sup.stop_bits"), d.stop),
		widget.NewFormItem(i18n.T("sup.suffix"), d.suffix),
		widget.NewFormItem(i18n.T("sup.idle"), d.idleMS),
		widget.NewFormItem("", d.aim),
	)
	printer := widget.NewForm(
		widget.NewFormItem(i18n.T("sup.port"), d.prnPort),
		widget.NewFormItem(i18n.T("sup.baud"), d.prnBaud),
		widget.NewFormItem(i18n.T("sup.columns"), d.columns),
		widget.NewFormItem(i18n.T("sup.qr"), d.qr),
	)
	body := container.NewVBox(
		widget.NewCard(i18n.T("sup.scanner"), "", scanner),
		widget.NewCard(i18n.T("sup.printer"), "", printer),
		container.NewHBox(d.save, widget.NewButton(i18n.T("sup.refresh"), d.loadPorts)),
		d.msg.Label,
	)
	d.content = container.NewVScroll(body)
	d.loadPorts()
	d.load()
	return d
}

// portLabel is how a port appears in the picker: "/dev/ttyUSB0  USB
// 1a86:7523  USB Serial" for USB ports, the bare name otherwise.
func portLabel(p agent.PortInfo) string {
	if p.IsUSB {
		return i18n.T("sup.port_row", p.Name, p.VID, p.PID, p.Product)
	}
	return i18n.T("sup.port_plain", p.Name)
}

// portName reads the port name back from a picker choice or a typed name
// (port names have no spaces: "COM3", "/dev/ttyUSB0").
func (d *devicesTab) portName(text string) string {
	if name, ok := d.portNames[text]; ok {
		return name
	}
	if f := strings.Fields(text); len(f) > 0 {
		return f[0]
	}
	return ""
}

// loadPorts lists the serial ports for both pickers.
func (d *devicesTab) loadPorts() {
	ctx, cancel := callCtx()
	defer cancel()
	ports, err := d.sup.ListPorts(ctx)
	if err != nil {
		d.msg.fail(err)
		return
	}
	d.ports = ports
	d.portNames = map[string]string{}
	opts := make([]string, 0, len(ports))
	for _, p := range ports {
		l := portLabel(p)
		d.portNames[l] = p.Name
		opts = append(opts, l)
	}
	d.scanPort.SetOptions(opts)
	d.prnPort.SetOptions(opts)
	if len(ports) == 0 {
		d.msg.info(i18n.T("sup.no_ports"))
	}
}

// load shows the settings in force.
func (d *devicesTab) load() {
	ctx, cancel := callCtx()
	defer cancel()
	c, err := d.sup.DeviceConfig(ctx)
	if err != nil {
		d.msg.fail(err)
		return
	}
	d.show(c)
}

func (d *devicesTab) show(c agent.DeviceConfig) {
	sc, pc := c.Scanner, c.Printer
	for i, m := range scanModes {
		if m == sc.Mode {
			d.mode.SetSelectedIndex(i)
		}
	}
	d.scanPort.SetText(d.labelOf(sc.Port))
	setSelected(d.scanBaud, strconv.Itoa(sc.Baud))
	setSelected(d.bits, strconv.Itoa(sc.DataBits))
	setSelected(d.parity, sc.Parity)
	setSelected(d.stop, sc.StopBits)
	setSelected(d.suffix, sc.Suffix)
	d.idleMS.SetText("")
	if sc.IdleTimeout > 0 {
		d.idleMS.SetText(strconv.FormatInt(sc.IdleTimeout.Milliseconds(), 10))
	}
	d.aim.SetChecked(sc.AIMPrefix)
	d.prnPort.SetText(d.labelOf(pc.Port))
	setSelected(d.prnBaud, strconv.Itoa(pc.Baud))
	switch pc.Columns {
	case 32:
		d.columns.SetSelected(i18n.T("sup.col32"))
	case 48:
		d.columns.SetSelected(i18n.T("sup.col48"))
	}
	setSelected(d.qr, pc.QRMode)
	d.enableFields()
}

// labelOf returns the picker text of a port name (the bare name when the
// port is not plugged in now).
func (d *devicesTab) labelOf(name string) string {
	for _, p := range d.ports {
		if p.Name == name {
			return portLabel(p)
		}
	}
	return name
}

// setSelected selects v when it is one of s's options; otherwise clears.
func setSelected(s *widget.Select, v string) {
	for _, o := range s.Options {
		if o == v {
			s.SetSelected(v)
			return
		}
	}
	s.ClearSelected()
}

// enableFields greys out what the scanner mode and suffix make irrelevant.
func (d *devicesTab) enableFields() {
	serial := d.selectedMode() == agent.ScannerSerial
	for _, w := range []fyne.Disableable{d.scanPort, d.scanBaud, d.bits, d.parity, d.stop, d.suffix, d.aim} {
		if serial {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	if serial && d.suffix.Selected == "IDLE" {
		d.idleMS.Enable()
	} else {
		d.idleMS.Disable()
	}
}

func (d *devicesTab) selectedMode() string {
	if i := d.mode.SelectedIndex(); i >= 0 {
		return scanModes[i]
	}
	return ""
}

// config reads the form. problem is the i18n key of the first thing
// wrong ("" when the form is complete); the agent.Support implementation
// validates again.
func (d *devicesTab) config() (c agent.DeviceConfig, problem string) {
	sc := &c.Scanner
	sc.Mode = d.selectedMode()
	if sc.Mode == "" {
		return c, "sup.bad_mode"
	}
	if sc.Mode == agent.ScannerSerial {
		sc.Port = d.portName(d.scanPort.Text)
		sc.Baud, _ = strconv.Atoi(d.scanBaud.Selected)
		sc.DataBits, _ = strconv.Atoi(d.bits.Selected)
		sc.Parity, sc.StopBits, sc.Suffix = d.parity.Selected, d.stop.Selected, d.suffix.Selected
		sc.AIMPrefix = d.aim.Checked
		switch {
		case sc.Port == "":
			return c, "sup.need_port"
		case sc.Baud == 0 || sc.DataBits == 0 || sc.Parity == "" || sc.StopBits == "" || sc.Suffix == "":
			return c, "sup.need_serial"
		}
		if sc.Suffix == "IDLE" {
			ms, err := strconv.Atoi(strings.TrimSpace(d.idleMS.Text))
			sc.IdleTimeout = time.Duration(ms) * time.Millisecond
			if err != nil || sc.IdleTimeout < minIdle || sc.IdleTimeout > maxIdle {
				return c, "sup.bad_idle"
			}
		}
	}
	pc := &c.Printer
	pc.Port = d.portName(d.prnPort.Text)
	if pc.Port == "" {
		return c, "" // no printer
	}
	pc.Baud, _ = strconv.Atoi(d.prnBaud.Selected)
	switch d.columns.Selected {
	case i18n.T("sup.col32"):
		pc.Columns = 32
	case i18n.T("sup.col48"):
		pc.Columns = 48
	}
	pc.QRMode = d.qr.Selected
	if pc.Baud == 0 || pc.Columns == 0 || pc.QRMode == "" {
		return c, "sup.need_printer"
	}
	if c.Scanner.Mode == agent.ScannerSerial && c.Scanner.Port == pc.Port {
		return c, "sup.same_port"
	}
	return c, ""
}

// doSave validates the form and saves and applies the settings.
func (d *devicesTab) doSave() {
	c, problem := d.config()
	if problem != "" {
		d.msg.warn(i18n.T(problem))
		return
	}
	d.save.Disable()
	d.msg.info(i18n.T("app.working"))
	background(func() {
		ctx, cancel := callCtx()
		defer cancel()
		err := d.sup.SaveDeviceConfig(ctx, c)
		fyne.Do(func() {
			d.save.Enable()
			if err != nil {
				d.msg.fail(err)
				return
			}
			d.msg.ok(i18n.T("sup.saved"))
		})
	})
}
