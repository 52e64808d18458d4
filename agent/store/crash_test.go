package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"tradein/agent"
)

// The crash test: a child process commits sales in a loop and
// reports each commit on stdout after SaveSale returned; the parent kills
// it with SIGKILL at random moments, reopens the database and checks that
// it is intact and holds every reported sale with its outbox row and its
// receipt's print job (a sale is committed as the agent commits it:
// CommitSale, one transaction).

const (
	crashEnvDB    = "TRADEIN_STORE_CRASH_DB"
	crashEnvFirst = "TRADEIN_STORE_CRASH_FIRST"
	crashPrefix   = "COMMITTED "

	// childHangLimit is how long a child may run without committing
	// before the parent gives up on it (see the watchdog in TestCrashKill).
	childHangLimit = 2 * time.Minute
)

// TestCrashChild is the child's body; it does nothing unless the parent
// started it with the environment set.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnvDB)
	if path == "" {
		t.Skip("crash-test child; started by TestCrashKill")
	}
	first, err := strconv.Atoi(os.Getenv(crashEnvFirst))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := Open(ctx, path, Options{Logger: quiet, Cipher: testCipher(t)})
	if err != nil {
		fmt.Println("OPEN FAILED", err)
		os.Exit(3)
	}
	for i := first; ; i++ {
		sale := testSale(i, time.Now())
		sale.OrderNo = fmt.Sprintf("CRASH-%08d", i)
		sale.RequestNo = "REQ-" + sale.OrderNo
		if i%3 == 0 {
			sale.TradeIn = &agent.TradeIn{TicketNo: "TI" + strconv.Itoa(i), Category: agent.CatFridge, Condition: "WORN"}
		}
		job := agent.PrintJob{ID: "PJ-" + sale.OrderNo, OrderNo: sale.OrderNo, Kind: string(agent.ReceiptSale),
			Data: []byte("receipt of " + sale.OrderNo)}
		if err := s.CommitSale(ctx, sale, auditFor(sale), commitItem(t, sale), &job); err != nil {
			fmt.Println("SAVE FAILED", err)
			os.Exit(4)
		}
		// os.Stdout is unbuffered: the line (one write, atomic on a pipe)
		// is out before the next commit starts.
		if _, err := fmt.Fprintln(os.Stdout, crashPrefix+sale.OrderNo); err != nil {
			os.Exit(5)
		}
	}
}

func TestCrashKill(t *testing.T) {
	if os.Getenv(crashEnvDB) != "" {
		t.Skip("inside the child")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crash.db")
	kills := 25
	if testing.Short() {
		kills = 20 // the minimum; Short only trims, never skips
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	reported := map[string]bool{}
	next := 0
	for k := 0; k < kills; k++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnvDB+"="+path, crashEnvFirst+"="+strconv.Itoa(next))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// A child that never commits (stuck opening the database) is
		// killed by this watchdog so that the test fails with a reason
		// instead of hanging. It is no speed limit: a child commits its
		// first sale within a second even on a loaded machine.
		var hung atomic.Bool
		watchdog := time.AfterFunc(childHangLimit, func() {
			hung.Store(true)
			cmd.Process.Signal(syscall.SIGKILL)
		})
		// Kill after a random few ms to ~300 ms, counted from the first
		// commit so that every run kills a child in the middle of work.
		lines := bufio.NewScanner(stdout)
		var runCommits int
		var failure string
		gotFirst := false
		var timer *time.Timer
		for lines.Scan() {
			line := lines.Text()
			if strings.HasPrefix(line, "OPEN FAILED") || strings.HasPrefix(line, "SAVE FAILED") {
				failure = line
			}
			if order, ok := strings.CutPrefix(line, crashPrefix); ok && len(order) == len("CRASH-00000000") {
				reported[order] = true
				runCommits++
				if !gotFirst {
					gotFirst = true
					watchdog.Stop()
					delay := time.Duration(2+rng.IntN(300)) * time.Millisecond
					timer = time.AfterFunc(delay, func() { cmd.Process.Signal(syscall.SIGKILL) })
				}
			}
		}
		err = cmd.Wait()
		watchdog.Stop()
		if timer != nil {
			timer.Stop()
		}
		if hung.Load() && runCommits == 0 {
			t.Fatalf("run %d: child made no commit within %s", k, childHangLimit)
		}
		if failure != "" {
			t.Fatalf("run %d: child failed: %s", k, failure)
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("run %d: child ended without SIGKILL: %v", k, err)
		}
		if runCommits == 0 {
			t.Fatalf("run %d: child reported no commit", k)
		}
		next += runCommits + 1000 // fresh order numbers even for a commit that was not reported
		checkAfterCrash(t, ctx, path, reported, k)
	}
	t.Logf("%d kills, %d commits reported and found", kills, len(reported))
}

// orderSet returns the order numbers that query q selects.
func orderSet(t *testing.T, s *Store, q string) map[string]bool {
	t.Helper()
	rows, err := s.r.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			t.Fatal(err)
		}
		set[o] = true
	}
	return set
}

// checkAfterCrash reopens the database and checks integrity, the audit
// chain, and that every reported sale is there with its outbox row; also
// that no sale exists without its audit entry and outbox row.
func checkAfterCrash(t *testing.T, ctx context.Context, path string, reported map[string]bool, run int) {
	t.Helper()
	s, err := Open(ctx, path, Options{Logger: quiet, Cipher: testCipher(t)})
	if err != nil {
		t.Fatalf("run %d: reopen: %v", run, err)
	}
	defer s.Close()
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatalf("run %d: %v", run, err)
	}
	n, err := s.VerifyAudit(ctx)
	if err != nil {
		t.Fatalf("run %d: %v", run, err)
	}
	sales := count(t, s, "sales", "")
	if n != sales || count(t, s, "outbox", "") != sales {
		t.Fatalf("run %d: %d sales, %d audit entries, %d outbox rows: not one transaction",
			run, sales, n, count(t, s, "outbox", ""))
	}
	if missing := count(t, s, "sales", "order_no NOT IN (SELECT order_no FROM outbox)"); missing != 0 {
		t.Fatalf("run %d: %d sales without their outbox row", run, missing)
	}
	if missing := count(t, s, "sales", "order_no NOT IN (SELECT subject FROM audit_log)"); missing != 0 {
		t.Fatalf("run %d: %d sales without their audit entry", run, missing)
	}
	if missing := count(t, s, "sales", "order_no NOT IN (SELECT order_no FROM print_jobs)"); missing != 0 {
		t.Fatalf("run %d: %d committed sales without their receipt's print job", run, missing)
	}
	inSales := orderSet(t, s, `SELECT order_no FROM sales`)
	inOutbox := orderSet(t, s, `SELECT order_no FROM outbox`)
	var last string
	for order := range reported {
		if !inSales[order] {
			t.Fatalf("run %d: reported sale %s lost", run, order)
		}
		if !inOutbox[order] {
			t.Fatalf("run %d: reported sale %s has no outbox row", run, order)
		}
		last = max(last, order)
	}
	sale, err := s.Sale(ctx, last)
	if err != nil || sale.Consumer.AuthCode != secretAuthCode {
		t.Fatalf("run %d: sale %s does not read back: %v", run, last, err)
	}
	items, err := s.OutboxItems(ctx, 0)
	if err != nil || len(items) != sales {
		t.Fatalf("run %d: outbox items: %d, %v", run, len(items), err)
	}
	if sales < len(reported) {
		t.Fatalf("run %d: %d sales for %d reported", run, sales, len(reported))
	}
}
