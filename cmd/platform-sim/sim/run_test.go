package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image"
	_ "image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"tradein/agent"
	"tradein/sync/api"
)

func TestMainBadFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	cases := [][]string{
		{"-error-rate", "2"},
		{"-listen", "not-an-address"},
		{"-log-format", "xml"},
		{"-log-level", "loud"},
		{"-freeze-ttl", "0s"},
		{"-bogus"},
		{"extra-arg"},
		{"democode"},
		{"democode", "-db", db, "-n", "0"},
		{"democode", "-db", filepath.Join(t.TempDir(), "missing.db")},
	}
	for _, args := range cases {
		var stdout, stderr bytes.Buffer
		if code := Main(args, &stdout, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("Main(%q) = %d, stderr %q; want 2 and a message", args, code, stderr.String())
		}
	}
}

// TestMainServeDemoCodeShutdown runs the command as the demo does: serve
// on a free port (the first stdout line is the URL), issue codes with PNG
// QR images from a second invocation, then stop with SIGTERM.
func TestMainServeDemoCodeShutdown(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "platform.db")
	pr, pw := io.Pipe()
	exit := make(chan int, 1)
	go func() {
		exit <- Main([]string{"-listen", "127.0.0.1:0", "-db", db, "-log-level", "warn"}, pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatal("no first line")
	}
	url := lines.Text()
	go io.Copy(io.Discard, pr)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q is not the base URL", url)
	}
	resp, err := http.Get(url + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	var env api.Envelope
	json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if resp.StatusCode != 200 || env.Code != api.CodeOK {
		t.Fatalf("health: %d %+v", resp.StatusCode, env)
	}

	var out, errOut bytes.Buffer
	pngDir := filepath.Join(dir, "qr")
	if code := Main([]string{"democode", "-db", db, "-cat", "phone", "-n", "2", "-png", pngDir}, &out, &errOut); code != 0 {
		t.Fatalf("democode = %d: %s", code, errOut.String())
	}
	codes := strings.Fields(out.String())
	if len(codes) != 2 {
		t.Fatalf("democode printed %q", out.String())
	}
	pngs, _ := filepath.Glob(filepath.Join(pngDir, "*.png"))
	if len(pngs) != 2 {
		t.Fatalf("PNG files: %v", pngs)
	}
	for _, c := range codes {
		if !agent.IsSignedCodeFormat(c) {
			t.Errorf("code %q is not TIQ1", c)
		}
	}
	decoded := map[string]bool{}
	for _, p := range pngs {
		decoded[decodeQR(t, p)] = true
	}
	for _, c := range codes {
		if !decoded[c] {
			t.Errorf("no PNG decodes to %s", c)
		}
	}

	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit status %d after SIGTERM", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no graceful shutdown after SIGTERM")
	}
}

func decodeQR(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return res.GetText()
}

func TestSyntheticProducts(t *testing.T) {
	s, err := Open(t.Context(), Config{DBPath: filepath.Join(t.TempDir(), "p.db"), SyntheticProducts: 2000, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	count := func(version int) (n, bad int) {
		rows, err := s.db.Query("SELECT barcode FROM products WHERE version = ?", version)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var b string
			rows.Scan(&b)
			n++
			if agent.ValidateGTIN(b) != nil || !strings.HasPrefix(b, "699") {
				bad++
			}
		}
		return n, bad
	}
	// The demo library is version 1; the first synthetic rows version 2.
	if n, bad := count(2); n != 2000 || bad != 0 {
		t.Errorf("%d synthetic products at version 2, %d with bad barcodes", n, bad)
	}
	// Growing adds only the missing rows, as the next version.
	if err := ensureSynthetic(t.Context(), s.db, 2500); err != nil {
		t.Fatal(err)
	}
	if n, bad := count(3); n != 500 || bad != 0 {
		t.Errorf("after growing: %d new rows at version 3 (%d bad)", n, bad)
	}
	if err := ensureSynthetic(t.Context(), s.db, 2500); err != nil {
		t.Fatal(err)
	}
	var v string
	s.db.QueryRow("SELECT value FROM meta WHERE key = ?", metaLibraryVersion).Scan(&v)
	if v != "3" {
		t.Errorf("library version %s after a no-op, want 3", v)
	}
}

func TestSeededLibrary(t *testing.T) {
	if len(demoProducts) < 50 {
		t.Fatalf("%d demo products, want at least 50", len(demoProducts))
	}
	seen := map[string]bool{}
	cats := map[agent.Category]bool{}
	for _, p := range demoProducts {
		if err := agent.ValidateGTIN(p.Barcode); err != nil || len(p.Barcode) != 13 || !strings.HasPrefix(p.Barcode, "69") || seen[p.Barcode] {
			t.Errorf("product %s %s: barcode %v (duplicate %v)", p.Barcode, p.Model, err, seen[p.Barcode])
		}
		seen[p.Barcode] = true
		cats[p.Category] = true
	}
	for _, c := range voucherCategories {
		if !cats[c] {
			t.Errorf("no demo product of category %s", c)
		}
	}
}
