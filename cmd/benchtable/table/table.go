// Package table parses `go test -bench` output into rows and prints them.
package table

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Row is one benchmark result line: its package, name, iterations and the
// metrics in the order they were reported ("ns/op", "p99-ms", …).
type Row struct {
	Pkg, Name  string
	Iterations string
	Metrics    [][2]string // value, unit
}

// Parse reads benchmark output. Lines that are not results are skipped,
// except "pkg:" lines, which name the package of the rows that follow.
func Parse(r io.Reader) ([]Row, error) {
	var rows []Row
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		row := Row{Pkg: pkg, Name: f[0], Iterations: f[1]}
		for i := 2; i+1 < len(f); i += 2 {
			row.Metrics = append(row.Metrics, [2]string{f[i], f[i+1]})
		}
		rows = append(rows, row)
	}
	return rows, sc.Err()
}

// Write prints one line per metric: package, benchmark, metric, value.
func Write(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PACKAGE\tBENCHMARK\tMETRIC\tVALUE")
	for _, r := range rows {
		for _, m := range r.Metrics {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Pkg, r.Name, m[1], m[0])
		}
	}
	tw.Flush()
}
