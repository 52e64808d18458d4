package devstatus

import (
	"testing"
	"time"

	"tradein/agent"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func TestTracker(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var got []agent.DeviceStatus
	tr := New("printer", "/dev/ttyUSB1", fixedClock{at}, func(s agent.DeviceStatus) { got = append(got, s) })
	if s := tr.Status(); s.State != agent.DeviceClosed || s.Name != "printer" || s.Port != "/dev/ttyUSB1" || !s.At.Equal(at) {
		t.Fatalf("initial %+v", s)
	}
	tr.Add("jobs", 2)
	tr.Add("jobs", 0)
	tr.Set(agent.DeviceError, "DISCONNECTED", "gone")
	tr.Set(agent.DeviceError, "DISCONNECTED", "gone") // the same again: not announced
	tr.Set(agent.DeviceIdle, "", "")
	if len(got) != 2 || got[0].Code != "DISCONNECTED" || got[1].State != agent.DeviceIdle || got[0].Counters["jobs"] != 2 {
		t.Fatalf("announced %+v", got)
	}
	s := tr.Status()
	s.Counters["jobs"] = 99 // a copy: the tracker's counters stay
	if tr.Status().Counters["jobs"] != 2 {
		t.Fatal("Status shares its counters map")
	}
}
