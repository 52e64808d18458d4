package support

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// onScreen reports whether target is reachable from root through visible
// objects only: containers, and the container widgets a main window is
// built from (tabs, splits, scrolls, cards). found is false when target
// cannot be located at all (it sits inside a widget this walk does not
// know), in which case shown says nothing.
func onScreen(root, target fyne.CanvasObject) (shown, found bool) {
	if root == nil {
		return false, false
	}
	if root == target {
		return root.Visible(), true
	}
	var children []fyne.CanvasObject
	switch o := root.(type) {
	case *fyne.Container:
		children = o.Objects
	case *container.AppTabs:
		for _, ti := range o.Items {
			children = append(children, ti.Content)
		}
	case *container.DocTabs:
		for _, ti := range o.Items {
			children = append(children, ti.Content)
		}
	case *container.Split:
		children = []fyne.CanvasObject{o.Leading, o.Trailing}
	case *container.Scroll:
		children = []fyne.CanvasObject{o.Content}
	case *widget.Card:
		children = []fyne.CanvasObject{o.Content}
	}
	for _, c := range children {
		if shown, found := onScreen(c, target); found {
			return shown && root.Visible(), true
		}
	}
	return false, false
}
