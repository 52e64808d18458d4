package table

import (
	"strings"
	"testing"
)

func TestParseKeepsEveryMetricAndPackage(t *testing.T) {
	in := `goos: linux
pkg: tradein/agent/store
BenchmarkLookup-2   	 1000	      812 ns/op	         0.41 p99-ms
PASS
pkg: tradein/devices/escpos
BenchmarkReceipt-2	10	100 ns/op	1834 bytes/receipt
ok  	tradein/devices/escpos	0.2s
`
	rows, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2: %+v", len(rows), rows)
	}
	if rows[0].Pkg != "tradein/agent/store" || rows[0].Metrics[1] != [2]string{"0.41", "p99-ms"} {
		t.Errorf("row 0 = %+v", rows[0])
	}
	if rows[1].Pkg != "tradein/devices/escpos" || rows[1].Metrics[1] != [2]string{"1834", "bytes/receipt"} {
		t.Errorf("row 1 = %+v", rows[1])
	}
	var b strings.Builder
	Write(&b, rows)
	if !strings.Contains(b.String(), "bytes/receipt") || strings.Count(b.String(), "\n") != 5 {
		t.Errorf("table:\n%s", b.String())
	}
}
