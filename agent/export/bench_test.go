package export

import (
	"fmt"
	"io"
	"testing"
	"time"

	"tradein/agent"
)

// benchSales is a busy month of one terminal: 10,000 sales.
func benchSales() []agent.Sale {
	base := sampleSales()
	out := make([]agent.Sale, 10000)
	for i := range out {
		s := base[i%2]
		s.OrderNo = fmt.Sprintf("OT0001%08d", i)
		s.CreatedAt = day.Add(time.Duration(i) * time.Minute)
		out[i] = s
	}
	return out
}

// BenchmarkSalesCSV and BenchmarkSalesXLSX measure an export of 10,000
// sales (the manager waits for it behind a progress bar) and report the
// rows written per second.
func BenchmarkSalesCSV(b *testing.B) {
	sales := benchSales()
	b.ReportAllocs()
	for b.Loop() {
		if err := SalesCSV(io.Discard, sales, names); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(sales)*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkSalesXLSX(b *testing.B) {
	sales := benchSales()
	b.ReportAllocs()
	for b.Loop() {
		if err := SalesXLSX(io.Discard, sales, names); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(sales)*b.N)/b.Elapsed().Seconds(), "rows/s")
}
