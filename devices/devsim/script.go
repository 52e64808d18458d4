package devsim

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"tradein/devices/escpos"
)

// Sim is the pair of virtual devices cmd/devsim runs, driven by a small
// command language (from stdin, a script file or a test):
//
//	6901234567892         a line that does not start with ':' is scanned
//	:scan <code>          scan <code> (for codes that start with ':')
//	:raw <hex>            send raw bytes from the scanner, e.g. ":raw 00ff1b0d"
//	:sleep <duration>     wait, e.g. ":sleep 500ms" (timed scripts)
//	:paper out|near|ok    paper roll condition
//	:cover open|closed
//	:offline | :online
//	:mute on|off          stop / resume answering DLE EOT status requests
//	:unplug scanner|printer
//	:replug scanner|printer
//	:status               print the printer condition and receipt counts
//	:quit                 stop reading commands
//
// Blank lines and lines starting with '#' are ignored.
type Sim struct {
	Scanner *ScannerSim
	Printer *PrinterSim
	Out     io.Writer // answers to :status and errors; may be nil
}

// errQuit ends Run.
var errQuit = fmt.Errorf("devsim: quit")

// Run executes commands from r until EOF, :quit or ctx is done. A command
// that fails is reported on Out and the script goes on.
func (s *Sim) Run(ctx context.Context, r io.Reader) error {
	_, err := s.run(ctx, r)
	return err
}

// run is Run that also reports whether :quit ended it.
func (s *Sim) run(ctx context.Context, r io.Reader) (quit bool, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024)
	for sc.Scan() {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		err := s.Exec(ctx, sc.Text())
		if err == errQuit {
			return true, nil
		}
		if err != nil {
			s.printf("error: %v\n", err)
		}
	}
	return false, sc.Err()
}

// help is the command summary :help prints.
const help = `commands:
  <code>                 scan a code (any line not starting with ':')
  :scan <code>           scan a code that starts with ':'
  :raw <hex>             send raw bytes from the scanner, e.g. :raw 00ff0d
  :sleep <duration>      wait, e.g. :sleep 500ms
  :paper out|near|ok     paper roll condition
  :cover open|closed     cover
  :offline | :online     printer offline switch
  :mute on|off           stop/resume answering DLE EOT status requests
  :unplug scanner|printer, :replug scanner|printer
  :status                printer condition and receipt counts
  :quit                  unplug and exit
`

func (s *Sim) printf(format string, args ...any) {
	if s.Out != nil {
		fmt.Fprintf(s.Out, format, args...)
	}
}

// Exec runs one command line.
func (s *Sim) Exec(ctx context.Context, line string) error {
	line = strings.TrimRight(line, "\r\n")
	trimmed := strings.TrimSpace(line)
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return nil
	}
	if !strings.HasPrefix(trimmed, ":") {
		return s.scan(trimmed)
	}
	cmd, arg, _ := strings.Cut(trimmed[1:], " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "scan":
		return s.scan(arg)
	case "raw":
		b, err := hex.DecodeString(strings.ReplaceAll(arg, " ", ""))
		if err != nil {
			return fmt.Errorf(":raw wants hex bytes: %w", err)
		}
		if s.Scanner == nil {
			return fmt.Errorf("no scanner")
		}
		return s.Scanner.SendRaw(b)
	case "sleep":
		d, err := time.ParseDuration(arg)
		if err != nil {
			return fmt.Errorf(":sleep wants a duration like 500ms: %w", err)
		}
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	case "paper", "cover", "offline", "online":
		return s.condition(cmd, arg)
	case "mute":
		if s.Printer == nil {
			return fmt.Errorf("no printer")
		}
		if arg != "on" && arg != "off" {
			return fmt.Errorf(":mute on or :mute off")
		}
		s.Printer.SetMute(arg == "on")
		return nil
	case "unplug", "replug":
		return s.plug(cmd, arg)
	case "status":
		if s.Printer != nil {
			st := s.Printer.Status()
			s.printf("printer %s: %s, %d printed, %d discarded\n", s.Printer.Path(), st.Detail(), len(s.Printer.Printed()), s.Printer.Discarded())
		}
		if s.Scanner != nil {
			s.printf("scanner %s\n", s.Scanner.Path())
		}
		return nil
	case "help":
		s.printf("%s", help)
		return nil
	case "quit", "exit":
		return errQuit
	}
	return fmt.Errorf("unknown command %q", trimmed)
}

func (s *Sim) scan(code string) error {
	if s.Scanner == nil {
		return fmt.Errorf("no scanner")
	}
	if code == "" {
		return fmt.Errorf("empty code")
	}
	return s.Scanner.Send(code)
}

func (s *Sim) condition(cmd, arg string) error {
	if s.Printer == nil {
		return fmt.Errorf("no printer")
	}
	st := s.Printer.Status()
	switch cmd + " " + arg {
	case "paper out":
		st.PaperOut, st.PaperNearEnd = true, true
	case "paper near":
		st.PaperOut, st.PaperNearEnd = false, true
	case "paper ok":
		st.PaperOut, st.PaperNearEnd = false, false
	case "cover open":
		st.CoverOpen = true
	case "cover closed":
		st.CoverOpen = false
	case "offline ":
		st.Offline = true
	case "online ":
		st.Offline = false
	default:
		return fmt.Errorf("unknown condition %q", strings.TrimSpace(cmd+" "+arg))
	}
	s.Printer.SetStatus(st)
	s.printf("printer: %s\n", st.Detail())
	return nil
}

func (s *Sim) plug(cmd, dev string) error {
	type pluggable interface {
		Unplug() error
		Replug() error
	}
	var d pluggable
	switch {
	case dev == "scanner" && s.Scanner != nil:
		d = s.Scanner
	case dev == "printer" && s.Printer != nil:
		d = s.Printer
	default:
		return fmt.Errorf("%s what? (scanner or printer)", cmd)
	}
	if cmd == "unplug" {
		return d.Unplug()
	}
	return d.Replug()
}

// ParseStatus reads a -printer-status flag value: "ok", "paper-out",
// "paper-near", "cover-open" or "offline", comma separated.
func ParseStatus(s string) (escpos.Status, error) {
	var st escpos.Status
	for _, f := range strings.Split(s, ",") {
		switch strings.TrimSpace(f) {
		case "", "ok":
		case "paper-out":
			st.PaperOut, st.PaperNearEnd = true, true
		case "paper-near":
			st.PaperNearEnd = true
		case "cover-open":
			st.CoverOpen = true
		case "offline":
			st.Offline = true
		default:
			return st, fmt.Errorf("devsim: unknown printer status %q", f)
		}
	}
	return st, nil
}
