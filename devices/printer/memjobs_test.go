package printer

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"tradein/agent"
)

// memJobs is a working in-memory agent.PrintJobs (the real one is
// agent/store's SQLite table; one test uses that too). failWrites makes
// every write fail, like a broken disk.
type memJobs struct {
	mu         sync.Mutex
	jobs       map[string]agent.PrintJob
	seq        map[string]int
	n          int
	failWrites bool
	failState  agent.PrintJobState // UpdatePrintJob to this state fails once
}

func newMemJobs() *memJobs {
	return &memJobs{jobs: map[string]agent.PrintJob{}, seq: map[string]int{}}
}

func (m *memJobs) EnqueuePrintJob(_ context.Context, j agent.PrintJob) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failWrites {
		return fmt.Errorf("disk full")
	}
	if _, ok := m.jobs[j.ID]; ok || j.ID == "" {
		return fmt.Errorf("duplicate or empty id %q", j.ID)
	}
	m.n++
	m.seq[j.ID] = m.n
	m.jobs[j.ID] = j
	return nil
}

func (m *memJobs) PrintJob(_ context.Context, id string) (agent.PrintJob, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok {
		return j, agent.Errorf(agent.CodeNotFound, "print job %s", id)
	}
	return j, nil
}

func (m *memJobs) PrintJobsIn(_ context.Context, states ...agent.PrintJobState) ([]agent.PrintJob, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []agent.PrintJob
	for _, j := range m.jobs {
		for _, st := range states {
			if j.State == st {
				out = append(out, j)
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return m.seq[out[a].ID] < m.seq[out[b].ID] })
	return out, nil
}

func (m *memJobs) UpdatePrintJob(_ context.Context, j agent.PrintJob) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failWrites {
		return fmt.Errorf("disk full")
	}
	if _, ok := m.jobs[j.ID]; !ok {
		return agent.Errorf(agent.CodeNotFound, "print job %s", j.ID)
	}
	if m.failState != "" && j.State == m.failState {
		m.failState = ""
		return fmt.Errorf("disk I/O error")
	}
	m.jobs[j.ID] = j
	return nil
}
