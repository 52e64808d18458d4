package sim

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"tradein/agent"
)

// Main runs the platform-sim command with args (without the program name)
// and returns the exit status: 0 success, 1 runtime failure, 2 bad usage.
//
//	platform-sim [flags]                 serve the platform
//	platform-sim democode [flags]        issue signed demo consumer codes
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "democode" {
		return democodeMain(args[1:], stdout, stderr)
	}
	return serveMain(args, stdout, stderr)
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", format)
}

func serveMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("platform-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8787", "address to listen on; port 0 picks a free port (the first stdout line is the base URL)")
	dbPath := fs.String("db", "", "SQLite database file (created and seeded when new); empty: a temporary file removed at exit")
	tlsDir := fs.String("tls-dir", "", "serve HTTPS with the CA and certificate in this directory (created when missing); terminals pin DIR/ca.pem")
	freezeTTL := fs.Duration("freeze-ttl", 15*time.Minute, "how long a voucher try stays frozen")
	synthetic := fs.Int("synthetic-products", 0, "make sure the library holds this many generated products (library-sync benchmarks)")
	logFormat := fs.String("log-format", "text", "log format: text or json (logs go to stderr)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	var f Faults
	fs.IntVar(&f.LatencyMS, "latency-ms", 0, "fault: added latency per request, milliseconds")
	fs.Float64Var(&f.ErrorRate, "error-rate", 0, "fault: share of requests answered 500 INTERNAL (0..1)")
	fs.Float64Var(&f.TimeoutRate, "timeout-rate", 0, "fault: share of requests that hang until the client gives up (0..1)")
	fs.Float64Var(&f.ResetRate, "reset-rate", 0, "fault: share of requests whose connection is reset (0..1)")
	fs.Float64Var(&f.RateLimitRate, "rate-limit-rate", 0, "fault: share of requests answered 429 RATE_LIMITED (0..1)")
	fs.IntVar(&f.RetryAfterS, "retry-after", 1, "fault: Retry-After seconds of injected 429 answers")
	fs.IntVar(&f.HangMS, "hang-ms", 60000, "fault: longest hang of an injected timeout, milliseconds")
	fs.StringVar(&f.PathPrefix, "fault-path", "", "fault: apply faults only to paths with this prefix (e.g. /v1/vouchers/)")
	rulesFile := fs.String("rules", "", "publish the rule sets of this JSON file ({\"rule_sets\": [...]} as GET /v1/rules serves them) at start, validated like the terminal validates them")
	productsFile := fs.String("products", "", "publish the products of this JSON file ({\"items\": [...]}) as a new library version at start")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *version {
		fmt.Fprintln(stdout, agent.Version)
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "platform-sim: unexpected argument %q (subcommand: democode)\n", fs.Arg(0))
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "platform-sim: "+format+"\n", a...)
		return 2
	}
	if err := f.Validate(); err != nil {
		return usage("bad fault flag: %v", err)
	}
	if *freezeTTL < time.Second {
		return usage("-freeze-ttl %s: want at least 1s", *freezeTTL)
	}
	if *synthetic < 0 {
		return usage("-synthetic-products %d: want 0 or more", *synthetic)
	}
	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return usage("%v", err)
	}
	if *dbPath == "" {
		tmp, err := os.MkdirTemp("", "platform-sim-")
		if err != nil {
			fmt.Fprintf(stderr, "platform-sim: %v\n", err)
			return 1
		}
		defer os.RemoveAll(tmp)
		*dbPath = filepath.Join(tmp, "platform.db")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return usage("-listen %s: %v", *listen, err)
	}
	var tlsFiles *TLSFiles
	if *tlsDir != "" {
		tf, err := EnsureTLS(*tlsDir, time.Now())
		if err != nil {
			l.Close()
			fmt.Fprintf(stderr, "platform-sim: TLS: %v\n", err)
			return 1
		}
		tlsFiles = &tf
	}
	start := time.Now()
	srv, err := Open(ctx, Config{DBPath: *dbPath, Logger: log, FreezeTTL: *freezeTTL, SyntheticProducts: *synthetic, Faults: f})
	if err != nil {
		l.Close()
		fmt.Fprintf(stderr, "platform-sim: %v\n", err)
		return 1
	}
	if *rulesFile != "" {
		if err := srv.LoadRulesFile(ctx, *rulesFile); err != nil {
			l.Close()
			srv.Close()
			fmt.Fprintf(stderr, "platform-sim: -rules: %v\n", err)
			return 1
		}
	}
	if *productsFile != "" {
		if err := srv.LoadProductsFile(ctx, *productsFile); err != nil {
			l.Close()
			srv.Close()
			fmt.Fprintf(stderr, "platform-sim: -products: %v\n", err)
			return 1
		}
	}
	scheme := "http"
	if tlsFiles != nil {
		scheme = "https"
	}
	// The first stdout line is the base URL: tests and the demo read it.
	fmt.Fprintf(stdout, "%s://%s\n", scheme, l.Addr())
	fmt.Fprintf(stdout, "enrollment code: %s\n", DemoEnrollmentCode)
	fmt.Fprintf(stdout, "store: %s (%s, county %s)\n", DemoStoreName, DemoMerchantNo, DemoCounty)
	fmt.Fprintf(stdout, "database: %s\n", *dbPath)
	if tlsFiles != nil {
		fmt.Fprintf(stdout, "pinned CA: %s\n", tlsFiles.CAFile)
	}
	fmt.Fprintf(stdout, "demo consumer codes: platform-sim democode -db %s -cat phone -n 3\n", *dbPath)
	base := fmt.Sprintf("%s://%s", scheme, l.Addr())
	fmt.Fprintf(stdout, "pause a category: curl -s -X POST %s/admin/pause -H 'Content-Type: application/json' -d '{\"rule_set_id\":\"%s\",\"category\":\"fridge\",\"message\":\"本区冰箱补贴资金已用完\"}'\n", base, agent.RuleSetNational2026)
	fmt.Fprintf(stdout, "resume it:        curl -s -X POST %s/admin/resume -H 'Content-Type: application/json' -d '{\"rule_set_id\":\"%s\",\"category\":\"fridge\"}'\n", base, agent.RuleSetNational2026)
	log.Info("platform-sim ready", "addr", l.Addr().String(), "db", *dbPath, "tls", tlsFiles != nil,
		"startup_ms", time.Since(start).Milliseconds(), "version", agent.Version)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l, tlsFiles) }()
	select {
	case err := <-errc:
		srv.Close()
		if err != nil {
			log.Error("serve failed", "err", err)
			return 1
		}
		return 0
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	<-errc
	log.Info("stopped")
	return 0
}

func democodeMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("platform-sim democode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "", "the platform's SQLite database file (required; the server may be running)")
	cat := fs.String("cat", "phone", "voucher category, e.g. phone, tv, fridge, air_conditioner")
	n := fs.Int("n", 1, "how many codes to issue")
	pngDir := fs.String("png", "", "also write each code as a QR PNG into this directory")
	region := fs.String("region", "110000", "voucher region (6-digit code; 110000 = Beijing)")
	days := fs.Int("days", 30, "days the vouchers stay valid")
	cref := fs.String("cref", "", "issue to this existing consumer (e.g. C0001) instead of new ones")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "platform-sim democode: "+format+"\n", a...)
		return 2
	}
	switch {
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case *dbPath == "":
		return usage("-db is required (the file the server uses)")
	case *n < 1 || *n > 1000:
		return usage("-n %d: want 1..1000", *n)
	case *days < 1 || *days > 3650:
		return usage("-days %d: want 1..3650", *days)
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return usage("-db %s: %v", *dbPath, err)
	}
	ctx := context.Background()
	srv, err := Open(ctx, Config{DBPath: *dbPath, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		fmt.Fprintf(stderr, "platform-sim democode: %v\n", err)
		return 1
	}
	defer srv.Close()
	for i := 0; i < *n; i++ {
		d, err := srv.IssueCode(ctx, CodeRequest{Category: agent.Category(strings.TrimSpace(*cat)), Region: *region,
			ValidFor: time.Duration(*days) * 24 * time.Hour, CRef: *cref})
		if err != nil {
			fmt.Fprintf(stderr, "platform-sim democode: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, d.Code)
		if *pngDir != "" {
			p := filepath.Join(*pngDir, fmt.Sprintf("consumer-%s-%s.png", d.Category, d.CRef))
			if err := WriteQRPNG(p, d.Code, 384); err != nil {
				fmt.Fprintf(stderr, "platform-sim democode: %v\n", err)
				return 1
			}
			fmt.Fprintf(stderr, "wrote %s (voucher %s, %s, region %s, valid until %s)\n", p, d.VoucherID, d.Category, d.Region,
				d.ExpiresAt.In(agent.ChinaTime).Format(time.DateOnly))
		}
	}
	return 0
}
