package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tradein/devices/escpos"
	"tradein/devices/serialport"
)

// TestDevsimProgram builds and runs the real program: it prints its ports,
// scans what stdin says, prints a receipt sent to its printer port into
// the output folder, answers status, and exits on :quit.
func TestDevsimProgram(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "devsim")
	// go test puts its own go first in PATH.
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// A timed script sets the paper condition; -printer-status (checked by
	// devsim's unit tests) would do the same at start.
	script := filepath.Join(dir, "demo.script")
	if err := os.WriteFile(script, []byte("# demo\n:sleep 10ms\n:paper near\n:status\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-dir", filepath.Join(dir, "ports"), "-out", filepath.Join(dir, "out"),
		"-width", "58", "-baud", "0", "-script", script)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stdout)
	ports := map[string]string{}
	for lines.Scan() {
		l := lines.Text()
		if name, rest, ok := strings.Cut(l, ": "); ok && (name == "scanner" || name == "printer") && strings.Contains(rest, " -> ") {
			ports[name], _, _ = strings.Cut(rest, " -> ")
		}
		if strings.HasPrefix(l, "printer ") && strings.Contains(l, "paper near end") { // the script's :status
			break
		}
	}
	if ports["scanner"] != filepath.Join(dir, "ports", "scanner") || ports["printer"] == "" {
		t.Fatalf("ports %v", ports)
	}
	go io.Copy(io.Discard, stdout)

	scan, err := serialport.Open(serialport.Config{Path: ports["scanner"]})
	if err != nil {
		t.Fatal(err)
	}
	defer scan.Close()
	io.WriteString(stdin, "6901234567892\n")
	got := make([]byte, 14)
	if _, err := io.ReadFull(scan, got); err != nil || string(got) != "6901234567892\r" {
		t.Fatalf("scanner sent %q %v", got, err)
	}

	prn, err := serialport.Open(serialport.Config{Path: ports["printer"]})
	if err != nil {
		t.Fatal(err)
	}
	defer prn.Close()
	prn.Write(escpos.StatusRequest(escpos.StatusPaperRoll))
	reply := make([]byte, 1)
	io.ReadFull(prn, reply)
	var st escpos.Status
	if err := st.Apply(escpos.StatusPaperRoll, reply[0]); err != nil || !st.PaperNearEnd {
		t.Fatalf("status %+v %v", st, err)
	}
	e := escpos.NewEncoder(escpos.Width58, escpos.QRNative)
	e.Init()
	e.Line("测试小票")
	e.QR("https://verify.example.cn/r/1", 6)
	e.Cut()
	b, _ := e.Bytes()
	prn.Write(b)
	txt := filepath.Join(dir, "out", "receipt-0001.txt")
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(txt)
		if err == nil && strings.Contains(string(data), "[QR] https://verify.example.cn/r/1") {
			if !strings.HasPrefix(string(data), "测试小票\n") {
				t.Fatalf("receipt text %q", data)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no receipt file: %v", err)
		}
		time.Sleep(10 * time.Millisecond) // waiting for a file, not timing anything
	}
	io.WriteString(stdin, ":quit\n")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("devsim exit: %v", err)
	}
	if _, err := os.Lstat(ports["scanner"]); !os.IsNotExist(err) {
		t.Fatal("scanner link left behind after exit")
	}
}
