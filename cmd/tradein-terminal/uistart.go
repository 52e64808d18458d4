package main

import (
	"fyne.io/fyne/v2"

	"tradein/agent"
	"tradein/ui"
)

// startUI creates and shows the main window (login first); it is the
// app's one call into the screens.
func startUI(a fyne.App, t *agent.Terminal, s agent.Support, lang, dataDir string) fyne.Window {
	return ui.Start(a, t, s, ui.Options{Lang: lang, DataDir: dataDir})
}
