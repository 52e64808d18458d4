package devsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"

	"tradein/devices/escpos"
)

// Options are cmd/devsim's settings.
type Options struct {
	Dir          string       // the stable port links go here: Dir/scanner, Dir/printer
	OutDir       string       // printed receipts (txt, png, bin) go here
	Width        escpos.Width // printer paper width
	Suffix       string       // scanner suffix: CR, LF, CRLF, TAB or NONE
	Prefix       string       // scanner prefix, e.g. an AIM identifier "]E0"
	Baud         int          // scanner pacing; 0 sends codes in one burst
	Printer      escpos.Status
	RollReceipts int    // receipts per paper roll; 0: endless
	FontPath     string // TTF/OTF/TTC with Hanzi for the PNGs; empty: a known system font if installed, else boxes
	NoScanner    bool
	NoPrinter    bool
	Out          io.Writer // messages; nil: os.Stdout
	Log          *slog.Logger
}

// Start plugs in the devices and returns the running simulator.
func Start(o Options) (*Sim, error) {
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	suffix, err := suffixBytes(o.Suffix)
	if err != nil {
		return nil, err
	}
	var face font.Face
	if o.FontPath != "" {
		if face, err = LoadFont(o.FontPath); err != nil {
			return nil, err
		}
	} else if p := findCJKFont(); p != "" {
		// A system font is a nicety: when it does not load, draw boxes.
		if face, err = LoadFont(p); err != nil {
			o.Log.Warn("devsim: system CJK font unusable; Hanzi drawn as boxes", "font", p, "err", err)
			face = nil
		}
	}
	s := &Sim{Out: o.Out}
	if !o.NoScanner {
		s.Scanner, err = NewScanner(ScannerConfig{Link: filepath.Join(o.Dir, "scanner"), Suffix: suffix,
			NoSuffix: suffix == "", Prefix: o.Prefix, Baud: o.Baud})
		if err != nil {
			return nil, err
		}
	}
	if !o.NoPrinter {
		s.Printer, err = NewPrinter(PrinterConfig{Link: filepath.Join(o.Dir, "printer"), Width: o.Width,
			OutDir: o.OutDir, CJK: face, Log: o.Log, RollReceipts: o.RollReceipts})
		if err != nil {
			s.Close()
			return nil, err
		}
		s.Printer.SetStatus(o.Printer)
	}
	return s, nil
}

// Describe prints the ports to configure in the terminal.
func (s *Sim) Describe(w io.Writer) {
	if s.Scanner != nil {
		fmt.Fprintf(w, "scanner: %s -> %s\n", s.Scanner.Path(), target(s.Scanner.Path()))
	}
	if s.Printer != nil {
		fmt.Fprintf(w, "printer: %s -> %s\n", s.Printer.Path(), target(s.Printer.Path()))
	}
}

func target(link string) string {
	t, err := os.Readlink(link)
	if err != nil {
		return link
	}
	return t
}

// Close unplugs both devices.
func (s *Sim) Close() error {
	var errs []error
	if s.Scanner != nil {
		errs = append(errs, s.Scanner.Close())
	}
	if s.Printer != nil {
		errs = append(errs, s.Printer.Close())
	}
	return errors.Join(errs...)
}

func suffixBytes(name string) (string, error) {
	switch strings.ToUpper(name) {
	case "", "CR":
		return "\r", nil
	case "LF":
		return "\n", nil
	case "CRLF":
		return "\r\n", nil
	case "TAB":
		return "\t", nil
	case "NONE":
		return "", nil
	}
	return "", fmt.Errorf("devsim: unknown suffix %q (want CR, LF, CRLF, TAB or NONE)", name)
}

// cjkFonts are where Debian/Ubuntu (fonts-noto-cjk, fonts-droid-fallback,
// fonts-wqy-zenhei) and Windows keep a font with Hanzi, in order of choice. (fonts-wqy-microhei's
// TTC is not readable by golang.org/x/image's parser.)
var cjkFonts = []string{
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", // make deps installs fonts-noto-cjk
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	`C:\Windows\Fonts\simhei.ttf`,
}

// findCJKFont returns the first installed font of cjkFonts, or "".
func findCJKFont() string {
	for _, p := range cjkFonts {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// LoadFont opens a TrueType/OpenType font (the first face of a .ttc
// collection) at 24 px, the height of a printer's Hanzi.
func LoadFont(path string) (font.Face, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("devsim: font: %w", err)
	}
	f, err := opentype.Parse(b)
	if err != nil {
		c, cerr := opentype.ParseCollection(b)
		if cerr != nil {
			return nil, fmt.Errorf("devsim: font %s: %w", path, err)
		}
		if f, err = c.Font(0); err != nil {
			return nil, fmt.Errorf("devsim: font %s: %w", path, err)
		}
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 22, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("devsim: font %s: %w", path, err)
	}
	return face, nil
}

// Main runs devsim: plug in, describe the ports, run the script, then read
// commands from standard input; after :quit, or when ctx ends (Ctrl-C), it
// unplugs. When stdin ends (e.g. /dev/null in the demo) the devices stay
// until ctx ends.
func Main(ctx context.Context, o Options, scriptPath string, stdin bool) error {
	s, err := Start(o)
	if err != nil {
		return err
	}
	defer s.Close()
	s.Describe(s.Out)
	if s.Printer != nil {
		abs, _ := filepath.Abs(o.OutDir)
		fmt.Fprintf(s.Out, "receipts: %s\n", abs)
	}
	fmt.Fprintln(s.Out, "type a code to scan it, or :help")
	if scriptPath != "" {
		f, err := os.Open(scriptPath)
		if err != nil {
			return fmt.Errorf("devsim: script: %w", err)
		}
		quit, err := s.run(ctx, f)
		f.Close()
		if err != nil || quit {
			return err
		}
	}
	if stdin {
		quit, err := s.run(ctx, os.Stdin)
		if err != nil || quit {
			return err
		}
	}
	<-ctx.Done()
	return nil
}
