package wiring

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/cmd/platform-sim/sim"
)

// The app-level kill test: a child process runs the real app (wiring.New,
// Start, the Terminal) against platform-sim and sells phones in a loop,
// reporting each step; the parent kills it with SIGKILL at a random moment
// and checks the database before anything repairs it: every committed sale
// has its receipt's print job. The next start then finishes a sale killed
// after payment, with its receipt too.

const (
	killEnvDir   = "TRADEIN_KILL_DIR"
	killEnvURL   = "TRADEIN_KILL_URL"
	killEnvCodes = "TRADEIN_KILL_CODES"
	killEnvRun   = "TRADEIN_KILL_RUN"
)

// TestKillChild is the child's body; it does nothing unless started by
// TestKillKeepsEveryReceipt.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killEnvDir)
	if dir == "" {
		t.Skip("kill-test child; started by TestKillKeepsEveryReceipt")
	}
	ctx := context.Background()
	a, err := New(ctx, Options{DataDir: dir, PlatformURL: os.Getenv(killEnvURL), Fingerprint: "fp-kill"})
	if err != nil {
		fmt.Println("START FAILED", err)
		os.Exit(3)
	}
	a.Start(ctx)
	for !a.Terminal().Status(ctx).Online {
		time.Sleep(5 * time.Millisecond)
	}
	sess, err := a.Terminal().Login(ctx, "1001", "1234")
	if err != nil {
		fmt.Println("LOGIN FAILED", err)
		os.Exit(3)
	}
	for i, code := range strings.Split(os.Getenv(killEnvCodes), ",") {
		w, err := sess.NewSale(ctx)
		if err != nil {
			fmt.Println("SALE FAILED", err)
			os.Exit(4)
		}
		sn := fmt.Sprintf("SNKILL%s%04d", os.Getenv(killEnvRun), i)
		steps := []func() error{
			func() error { _, err := w.SetConsumerCode(ctx, code); return err },
			func() error { _, _, err := w.ScanProduct(ctx, phoneBarcode); return err },
			func() error { _, err := w.SetSN(ctx, sn); return err },
			func() error { _, err := w.Quote(ctx, agent.Yuan(2999)); return err },
			func() error { _, err := w.Confirm(ctx); return err },
			func() error { _, err := w.SetPaymentRef(ctx, fmt.Sprintf("POS-K%d", i)); return err },
		}
		for j, step := range steps {
			if err := step(); err != nil {
				fmt.Println("SALE FAILED", j, err)
				os.Exit(4)
			}
		}
		fmt.Println("PAID", w.Sale().OrderNo)
		if _, _, err := w.Commit(ctx); err != nil && agent.CodeOf(err) != agent.CodePrintFailed {
			fmt.Println("SALE FAILED commit", err)
			os.Exit(4)
		}
		fmt.Println("COMMITTED", w.Sale().OrderNo)
	}
	fmt.Println("OUT OF CODES")
	os.Exit(5)
}

// TestKillKeepsEveryReceipt kills the selling app at random moments.
func TestKillKeepsEveryReceipt(t *testing.T) {
	if os.Getenv(killEnvDir) != "" {
		t.Skip("inside the child")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p := startPlatform(t)
	dir := t.TempDir()
	a, err := New(ctx, Options{DataDir: dir, PlatformURL: p.url, EnrollCode: sim.DemoEnrollmentCode, Fingerprint: "fp-kill"})
	if err != nil {
		t.Fatal(err)
	}
	if err := Provision(ctx, a, &strings.Builder{}, Setup{SeedDemoStaff: true, Sync: true}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	const kills, codesPerRun = 10, 40
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	committed, paidOnly := 0, 0
	for k := range kills {
		codes := make([]string, codesPerRun)
		for i := range codes {
			c, err := p.srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatPhone, Region: "110000", ValidFor: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			codes[i] = c.Code
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killEnvDir+"="+dir, killEnvURL+"="+p.url,
			killEnvCodes+"="+strings.Join(codes, ","), fmt.Sprintf("%s=%d", killEnvRun, k))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		watchdog := time.AfterFunc(90*time.Second, func() { cmd.Process.Signal(syscall.SIGKILL) })
		var timer *time.Timer
		lastPaid, failure := "", ""
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			line := lines.Text()
			switch {
			case strings.HasPrefix(line, "PAID "):
				lastPaid = strings.TrimPrefix(line, "PAID ")
			case strings.HasPrefix(line, "COMMITTED "):
				lastPaid = ""
				if timer == nil { // kill a few sales in, anywhere in a sale
					timer = time.AfterFunc(time.Duration(20+rng.IntN(400))*time.Millisecond,
						func() { cmd.Process.Signal(syscall.SIGKILL) })
				}
			case strings.Contains(line, "FAILED"), strings.HasPrefix(line, "OUT OF CODES"):
				failure = line
			}
		}
		cmd.Wait()
		watchdog.Stop()
		if timer != nil {
			timer.Stop()
		}
		if failure != "" {
			t.Fatalf("run %d: child: %s", k, failure)
		}
		if timer == nil {
			t.Fatalf("run %d: the child committed no sale", k)
		}
		c, p := checkReceipts(t, ctx, dir, k, lastPaid)
		committed, paidOnly = c, paidOnly+p
	}
	t.Logf("%d kills: %d committed sales, each with its receipt; %d sales killed between payment and commit, committed with their receipt at the restart",
		kills, committed, paidOnly)
}

// checkReceipts opens the killed app's database as it was left (no
// recovery) and checks that every committed sale has a print job; then
// starts the app once, as the shop would, which must commit a sale left
// PAID (lastPaid, when the kill came between payment and commit) with its
// receipt. It returns the committed sales and whether one was left PAID.
func checkReceipts(t *testing.T, ctx context.Context, dir string, run int, lastPaid string) (int, int) {
	t.Helper()
	l := NewLayout(dir)
	key, err := os.ReadFile(l.FieldKey)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := agent.NewFieldCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, l.DB, store.Options{Cipher: ci, BackupDir: filepath.Join(t.TempDir(), "b"), Logger: quiet})
	if err != nil {
		t.Fatalf("run %d: reopen: %v", run, err)
	}
	sales, err := st.Sales(ctx, agent.SaleFilter{States: []agent.SaleState{agent.SaleCommitted, agent.SaleReview}})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := st.PrintJobsIn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	withJob := map[string]bool{}
	for _, j := range jobs {
		withJob[j.OrderNo] = true
	}
	for _, s := range sales {
		if !withJob[s.OrderNo] {
			t.Fatalf("run %d: committed sale %s has no receipt print job after the kill", run, s.OrderNo)
		}
	}
	paid := 0
	a, err := New(ctx, Options{DataDir: dir, Fingerprint: "fp-kill"})
	if err != nil {
		t.Fatalf("run %d: restart: %v", run, err)
	}
	defer a.Close()
	if lastPaid != "" {
		s, err := a.Store().Sale(ctx, lastPaid)
		if err == nil && s.State == agent.SalePaid {
			t.Fatalf("run %d: sale %s still PAID after the restart", run, lastPaid)
		}
		if err == nil && s.State == agent.SaleCommitted {
			paid = 1
			js, _ := a.Store().PrintJobsIn(ctx)
			found := false
			for _, j := range js {
				found = found || j.OrderNo == lastPaid
			}
			if !found {
				t.Fatalf("run %d: sale %s committed at restart without its receipt", run, lastPaid)
			}
		}
	}
	return len(sales), paid
}
