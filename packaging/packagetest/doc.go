// Package packagetest holds the tests of the installers that
// packaging/scripts/package.sh builds: the .deb's contents,
// modes, maintainer scripts and lintian verdict; an upgrade from v1 to v2
// over a data directory with queued sales that still reach the platform
// afterwards; the Windows installer's contents; Authenticode signing.
//
// The tests run the real script and the real binaries. They need Linux and
// the packaging tools (dpkg-deb, lintian, osslsigncode, openssl); outside
// CI a missing tool skips its test, in CI (CI=true) it fails it. nfpm is
// taken from PATH or ~/go/bin, else package.sh runs it with `go run`.
//
// The Windows installer is built only when the build cache already holds
// the mingw cgo build of Fyne (after `make package`) or TRADEIN_WINDOWS_TEST=1
// asks for it: a cold mingw cgo build of the app takes minutes (`make
// package` always builds it).
package packagetest
