package support

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"tradein/agent"
	"tradein/agent/agenttest"
	"tradein/agent/store"
	"tradein/ui/i18n"
)

// memSupport is a working agent.Support for the screen tests: it keeps the
// device settings in memory and validates them as the app's does, checks
// a real health endpoint on 127.0.0.1, enrolls with one known code,
// refreshes the library into the real store, and backs the real store up.
type memSupport struct {
	mu       sync.Mutex
	store    *store.Store
	ports    []agent.PortInfo
	cfg      agent.DeviceConfig
	saved    int
	prints   int
	health   *httptest.Server
	info     agent.StoreInfo
	enrolled bool
	dir      string
	logs     []string
}

func (m *memSupport) ListPorts(ctx context.Context) ([]agent.PortInfo, error) {
	return append([]agent.PortInfo(nil), m.ports...), nil
}

func (m *memSupport) DeviceConfig(ctx context.Context) (agent.DeviceConfig, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cfg, nil
}

func (m *memSupport) SaveDeviceConfig(ctx context.Context, c agent.DeviceConfig) error {
	switch {
	case c.Scanner.Mode != agent.ScannerSerial && c.Scanner.Mode != agent.ScannerWedge && c.Scanner.Mode != agent.ScannerOff:
		return agent.Errorf(agent.CodeInvalidRequest, "scanner mode %q", c.Scanner.Mode)
	case c.Scanner.Mode == agent.ScannerSerial && (c.Scanner.Port == "" || c.Scanner.Baud <= 0):
		return agent.Errorf(agent.CodeInvalidRequest, "serial scanner without port or baud")
	case c.Printer.Port != "" && c.Printer.Columns != 32 && c.Printer.Columns != 48:
		return agent.Errorf(agent.CodeInvalidRequest, "columns %d", c.Printer.Columns)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg = c
	m.saved++
	return nil
}

func (m *memSupport) TestPrint(ctx context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.prints++
	return fmt.Sprintf("DIAG-%d", m.prints), nil
}

func (m *memSupport) CheckPlatform(ctx context.Context) (agent.Connectivity, error) {
	c := agent.Connectivity{URL: m.health.URL, TLS: "plain HTTP (loopback)"}
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.health.URL+"/v1/health", nil)
	if err != nil {
		return c, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.Detail = err.Error()
		return c, nil
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Time time.Time `json:"time"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return c, agent.Errorf(agent.CodeInternal, "health answer: %v", err)
	}
	c.RoundTrip = time.Since(start)
	c.Reachable = true
	c.ServerTime = body.Data.Time
	c.ClockSkew = body.Data.Time.Sub(start.Add(c.RoundTrip / 2))
	return c, nil
}

func (m *memSupport) Enrollment(ctx context.Context) (agent.StoreInfo, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.info, m.enrolled, nil
}

func (m *memSupport) Enroll(ctx context.Context, code string) (agent.StoreInfo, error) {
	if code != "ENR-2026-OK" {
		return agent.StoreInfo{}, agent.Errorf(agent.CodeUnauthorized, "enrollment code refused")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.info = agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", StoreName: "朝阳门店", CountyCode: "110105"}
	m.enrolled = true
	return m.info, nil
}

// RefreshLibrary stages three products page by page and switches the
// library to the next version, as sync/ does.
func (m *memSupport) RefreshLibrary(ctx context.Context, progress func(done, total int64)) error {
	from, err := m.store.LibraryVersion(ctx)
	if err != nil {
		return err
	}
	for i := 1; i <= 3; i++ {
		body := fmt.Sprintf("69000000100%d", i)
		p := agent.Product{Barcode: body + string(agent.GTINCheckDigit(body)), Name: "商品", Brand: "B", Model: body,
			Category: agent.CatFridge, EnergyGrade: 1, FiledPriceFen: agent.Yuan(3000), Status: agent.ProductActive}
		next := "page"
		if i == 3 {
			next = ""
		}
		if err := m.store.StageLibraryPage(ctx, from, from+1, []agent.Product{p}, next); err != nil {
			return err
		}
		progress(int64(i), 3)
	}
	return m.store.CommitLibrary(ctx, from+1)
}

func (m *memSupport) Backup(ctx context.Context, progress func(done, total int64)) (string, error) {
	path := filepath.Join(m.dir, "backup.db")
	if err := m.store.Backup(ctx, path); err != nil {
		return "", err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	progress(fi.Size(), fi.Size())
	return path, nil
}

func (m *memSupport) LogTail(ctx context.Context, n int) ([]string, error) {
	if len(m.logs) > n {
		return m.logs[len(m.logs)-n:], nil
	}
	return m.logs, nil
}

// fixture is a terminal on a real store with a support engineer and a
// manager, and a memSupport with a health endpoint on 127.0.0.1.
type fixture struct {
	t    *testing.T
	ctx  context.Context
	term *agent.Terminal
	sup  *memSupport
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st := agenttest.OpenStore(t, agenttest.StoreOptions{
		Staff: []agent.Staff{{ID: "F1", Name: "赵六", Role: agent.RoleSupport}, {ID: "M1", Name: "王五", Role: agent.RoleManager}}})
	term, err := agent.NewTerminal(agent.Deps{Store: st, Library: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/health" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `{"code":"OK","message":"","data":{"time":%q}}`, time.Now().UTC().Format(time.RFC3339Nano))
	}))
	t.Cleanup(health.Close)
	sup := &memSupport{store: st, health: health, dir: dir,
		ports: []agent.PortInfo{
			{Name: "/dev/ttyUSB0", IsUSB: true, VID: "1a86", PID: "7523", Product: "USB Serial"},
			{Name: "/dev/ttyS0"},
		},
		cfg: agent.DeviceConfig{
			Scanner: agent.ScannerConfig{Mode: agent.ScannerWedge},
			Printer: agent.PrinterConfig{Port: "/dev/ttyS0", Baud: 9600, Columns: 48, QRMode: "native"},
		},
		logs: []string{"time=… level=INFO msg=\"app started\"", "time=… level=WARN msg=\"printer: paper low\""},
	}
	// Long work runs inline; the test scan's on-screen poll is off unless
	// a test turns it on (it reads the widget tree from its goroutine).
	prev, prevPoll := background, visibilityPoll
	background, visibilityPoll = func(f func()) { f() }, time.Hour
	t.Cleanup(func() { background, visibilityPoll = prev, prevPoll })
	i18n.SetLang(i18n.ZH)
	return &fixture{t: t, ctx: ctx, term: term, sup: sup}
}

func (f *fixture) login(id string) *agent.Session {
	f.t.Helper()
	s, err := f.term.Login(f.ctx, id, "1234")
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *fixture) show(s *agent.Session) (*screen, fyne.Window) {
	f.t.Helper()
	test.NewTempApp(f.t)
	w := test.NewWindow(nil)
	f.t.Cleanup(w.Close)
	sc := newScreen(w, s, f.sup, f.term)
	w.SetContent(sc.content)
	w.Resize(fyne.NewSize(1000, 800))
	return sc, w
}
