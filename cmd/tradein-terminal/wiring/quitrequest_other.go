//go:build !windows

package wiring

func watchQuitRequests() (<-chan struct{}, func(), error) {
	return make(chan struct{}), func() {}, nil
}
