package main

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
)

// startUI creates and shows the main window. It is the app's one call into
// the screens. TRANSITIONAL: package ui (built in parallel) provides
// ui.Start(a, t, s, ui.Options{Lang, DataDir}); until it lands this shows
// the enrolled store and the status only, and this file switches to
// ui.Start the moment it exists.
func startUI(a fyne.App, t *agent.Terminal, s agent.Support, lang, dataDir string) fyne.Window {
	w := a.NewWindow("以旧换新门店终端")
	info := t.Info()
	w.SetContent(container.NewVBox(
		widget.NewLabel(fmt.Sprintf("门店：%s  终端号：%s", info.StoreName, info.TerminalNo)),
		widget.NewLabel("数据目录："+dataDir),
	))
	w.Resize(fyne.NewSize(1024, 700))
	w.Show()
	return w
}
