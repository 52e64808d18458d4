// Command benchtable turns `go test -bench` output (stdin) into a table of
// every benchmark and every metric it reported, for `make bench`.
package main

import (
	"fmt"
	"os"

	"tradein/cmd/benchtable/table"
)

func main() {
	rows, err := table.Parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	table.Write(os.Stdout, rows)
	if len(rows) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no benchmark results in the input")
		os.Exit(1)
	}
}
