package wiring

// QuitEventName is the named Windows event through which the installer and
// the uninstaller ask running apps to quit before they replace or delete
// the program files (packaging/windows/installer.nsi signals it, then
// waits for tradein-terminal.exe to be free, and refuses with exit code 32
// if it is still in use). Every running app waits on it
// (WatchQuitRequests) and quits as on Ctrl-C: the window closes, queued
// work stays in the database. It lives in the Global namespace so that an
// installer run from another session (remote desktop) reaches it too. The
// installer resets it once it is done, so an app started later runs on.
const QuitEventName = `Global\TradeinTerminal.Quit`

// WatchQuitRequests returns a channel that is closed when the installer
// asks the app to quit (QuitEventName), and a function that stops
// watching. Outside Windows nothing asks (the .deb's upgrade replaces the
// running program's file safely, and removal refuses while the app runs),
// so the channel is never closed. An error (the event cannot be made)
// leaves the app running without the watch; the installer then finds the
// program still in use and refuses.
func WatchQuitRequests() (<-chan struct{}, func(), error) { return watchQuitRequests() }
