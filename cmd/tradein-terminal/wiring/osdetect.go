package wiring

import "runtime"

// isWindows reports whether file modes are meaningless (ACLs rule there).
func isWindows() bool { return runtime.GOOS == "windows" }
