package wiring

// Set-up steps are run as root (the README: enroll and create the first
// manager as root, give the data directory to the shop's account with
// chown), and field support runs terminalctl as root. Every file such a run
// creates in the data directory would belong to root, and the app, run by
// the shop's account, could then not open its own lock, database, key or
// log. So a process running as root hands what it created to the data
// directory's owner: the lock file at once (LockDataDir), everything else
// when it is done (App.Close, and terminalctl after each command, through
// GiveToDataDirOwner). Order does not matter: chown before or after
// enrolling as root leaves a data directory the shop's account can use.
//
// Only entries owned by root are changed, only regular files and folders
// (never symbolic links), and only files with a single hard link, each
// opened without following links and changed through the open file: a link
// planted in the data directory cannot make root give away a file from
// elsewhere on the system.

// GiveToDataDirOwner gives every file and folder in dir that root owns to
// dir's owner, when this process runs as root, dir belongs to another
// account and dir is a data directory (it holds terminal.db or
// terminal.lock); otherwise it does nothing. It reports the entries it
// could not change.
func GiveToDataDirOwner(dir string) error { return giveToDirOwner(dir) }
