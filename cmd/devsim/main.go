// Command devsim plugs a virtual barcode scanner and a virtual ESC/POS
// receipt printer into pseudo-terminals, for the demo and for trying the
// terminal without hardware. See devices/README.md ("devsim by hand").
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"tradein/agent"
	"tradein/devices/devsim"
	"tradein/devices/escpos"
)

func main() {
	var (
		o       devsim.Options
		width   = flag.Int("width", 80, "printer paper width in mm: 58 or 80")
		status  = flag.String("printer-status", "ok", "initial printer condition: ok, paper-out, paper-near, cover-open, offline (comma separated)")
		script  = flag.String("script", "", "file of codes and :commands to run at start (e.g. a timed script with :sleep)")
		noStdin = flag.Bool("no-stdin", false, "do not read commands from standard input")
		version = flag.Bool("version", false, "print the version and exit")
	)
	flag.StringVar(&o.Dir, "dir", "/tmp/devsim", "directory for the stable port links (scanner, printer)")
	flag.StringVar(&o.OutDir, "out", "devsim-out", "directory for printed receipts (.txt, .png, .bin)")
	flag.StringVar(&o.Suffix, "suffix", "CR", "scanner suffix: CR, LF, CRLF, TAB or NONE")
	flag.StringVar(&o.Prefix, "prefix", "", `scanner prefix, e.g. an AIM identifier "]E0"`)
	flag.IntVar(&o.Baud, "baud", 9600, "scanner line speed to emulate (0: send each code in one burst)")
	flag.StringVar(&o.FontPath, "font", "", "TTF/OTF/TTC font with Hanzi for the receipt PNGs (default: an installed WenQuanYi/Noto CJK font, else boxes)")
	flag.IntVar(&o.RollReceipts, "roll", 0, "receipts per paper roll: paper out after that many until ':paper ok' (0: endless)")
	flag.BoolVar(&o.NoScanner, "no-scanner", false, "do not create the scanner")
	flag.BoolVar(&o.NoPrinter, "no-printer", false, "do not create the printer")
	flag.Parse()
	if *version {
		fmt.Println("devsim", agent.Version)
		return
	}
	if err := run(o, *width, *status, *script, !*noStdin); err != nil {
		fmt.Fprintln(os.Stderr, "devsim:", err)
		os.Exit(1)
	}
}

func run(o devsim.Options, width int, status, script string, stdin bool) error {
	w, err := escpos.ParseWidth(width)
	if err != nil {
		return err
	}
	o.Width = w
	if o.Printer, err = devsim.ParseStatus(status); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return devsim.Main(ctx, o, script, stdin)
}
