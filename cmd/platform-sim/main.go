// Command platform-sim is the reference central platform of the trade-in
// programme (sync/api/openapi.yaml): `platform-sim -listen 127.0.0.1:8787 -db FILE`
// serves it; `platform-sim democode -db FILE -cat phone -n 3 -png DIR`
// issues signed demo consumer codes. See package sim.
package main

import (
	"os"

	"tradein/cmd/platform-sim/sim"
)

func main() { os.Exit(sim.Main(os.Args[1:], os.Stdout, os.Stderr)) }
