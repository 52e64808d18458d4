package scanner

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func collect(f *Framer, now time.Time, chunks ...string) []Frame {
	var out []Frame
	for _, c := range chunks {
		f.Feed(now, []byte(c), func(fr Frame) { out = append(out, fr) })
	}
	return out
}

func data(frs []Frame) []string {
	out := []string{}
	for _, f := range frs {
		out = append(out, f.Data)
	}
	return out
}

func TestFramerSuffixes(t *testing.T) {
	cases := []struct {
		suffix Suffix
		in     []string
		want   []string
	}{
		{SuffixCR, []string{"6901234567892\r"}, []string{"6901234567892"}},
		{SuffixCRLF, []string{"690123", "4567892\r", "\nABC-123456\r\n"}, []string{"6901234567892", "ABC-123456"}},
		{SuffixLF, []string{"a1b2c3\n\n\nx9y8z7\n"}, []string{"a1b2c3", "x9y8z7"}},
		{SuffixTab, []string{"TI2026112100000001\t", "SN12345678\t"}, []string{"TI2026112100000001", "SN12345678"}},
		{SuffixCR, []string{"with\ttab\r"}, []string{"withtab"}}, // tab is garbage unless it is the suffix
	}
	for _, c := range cases {
		f := NewFramer(FramerConfig{Suffix: c.suffix})
		if got := data(collect(f, t0, c.in...)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %q: got %q, want %q", c.suffix, c.in, got, c.want)
		}
	}
}

func TestFramerSplitAcrossEveryByte(t *testing.T) {
	stream := "6901234567892\r\n860000000000001\r\nTIQ1.eyJhIjoxfQ.c2ln\r\n"
	f := NewFramer(FramerConfig{Suffix: SuffixCRLF})
	var chunks []string
	for i := range stream {
		chunks = append(chunks, stream[i:i+1])
	}
	got := data(collect(f, t0, chunks...))
	want := []string{"6901234567892", "860000000000001", "TIQ1.eyJhIjoxfQ.c2ln"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q", got)
	}
	if c := f.Counters(); c.Frames != 3 || c.GarbageBytes != 0 {
		t.Fatalf("counters %+v", c)
	}
}

func TestFramerGarbageDiscardedAndCounted(t *testing.T) {
	f := NewFramer(FramerConfig{Suffix: SuffixCR})
	got := data(collect(f, t0, "\x00\xff\x1b69012\x8034567892\r", "\x07\x07\r"))
	if !reflect.DeepEqual(got, []string{"6901234567892"}) {
		t.Fatalf("got %q", got)
	}
	if c := f.Counters(); c.GarbageBytes != 6 {
		t.Fatalf("garbage %d, want 6", c.GarbageBytes)
	}
}

func TestFramerMaxLen(t *testing.T) {
	f := NewFramer(FramerConfig{Suffix: SuffixCR, MaxLen: 8})
	got := data(collect(f, t0, "123456789012\rABCDEFGH\r"))
	if !reflect.DeepEqual(got, []string{"ABCDEFGH"}) {
		t.Fatalf("got %q", got)
	}
	if c := f.Counters(); c.Overflows != 1 || c.GarbageBytes != 12 {
		t.Fatalf("counters %+v", c)
	}
}

func TestFramerAIM(t *testing.T) {
	f := NewFramer(FramerConfig{Suffix: SuffixCR, AIM: true})
	got := collect(f, t0, "]E06901234567892\r]Q1https://v.example/x\rplain123\r]E0\r")
	want := []Frame{
		{Data: "6901234567892", Symbology: "]E0"},
		{Data: "https://v.example/x", Symbology: "]Q1"},
		{Data: "plain123"},
		{Data: "]E0"}, // a bare prefix is not stripped into an empty code
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v", got)
	}
}

func TestFramerIdleTimeoutFraming(t *testing.T) {
	f := NewFramer(FramerConfig{Suffix: SuffixNone, IdleTimeout: 100 * time.Millisecond})
	var out []Frame
	emit := func(fr Frame) { out = append(out, fr) }
	f.Feed(t0, []byte("69012345"), emit)
	f.Feed(t0.Add(5*time.Millisecond), []byte("67892"), emit)
	f.Tick(t0.Add(50*time.Millisecond), emit)
	if len(out) != 0 {
		t.Fatalf("emitted before idle timeout: %+v", out)
	}
	if at, ok := f.Deadline(); !ok || !at.Equal(t0.Add(105*time.Millisecond)) {
		t.Fatalf("deadline %v %v", at, ok)
	}
	f.Tick(t0.Add(105*time.Millisecond), emit)
	// A second code after silence is a new frame, without any Tick.
	f.Feed(t0.Add(time.Second), []byte("ABC123456"), emit)
	f.Feed(t0.Add(2*time.Second), []byte("X"), emit)
	if got := data(out); !reflect.DeepEqual(got, []string{"6901234567892", "ABC123456"}) {
		t.Fatalf("got %q", got)
	}
}

func TestFramerStalePartialDropped(t *testing.T) {
	f := NewFramer(FramerConfig{Suffix: SuffixCR})
	var out []Frame
	emit := func(fr Frame) { out = append(out, fr) }
	f.Feed(t0, []byte("noise"), emit)
	f.Feed(t0.Add(2*DefaultStaleTimeout), []byte("6901234567892\r"), emit)
	if got := data(out); !reflect.DeepEqual(got, []string{"6901234567892"}) {
		t.Fatalf("got %q", got)
	}
	if c := f.Counters(); c.Stale != 1 || c.GarbageBytes != 5 {
		t.Fatalf("counters %+v", c)
	}
}

func TestParseSuffix(t *testing.T) {
	for in, want := range map[string]Suffix{"cr": SuffixCR, "CRLF": SuffixCRLF, " tab ": SuffixTab, "": SuffixCR, "none": SuffixNone, "lf": SuffixLF} {
		if got, err := ParseSuffix(in); err != nil || got != want {
			t.Errorf("ParseSuffix(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseSuffix("ETX"); err == nil {
		t.Error("ParseSuffix(ETX) succeeded")
	}
}

// FuzzFramer checks that any byte stream, split anywhere, yields only
// printable frames no longer than MaxLen, the same frames however it is
// split, and never panics.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("6901234567892\r\n"), uint8(3), false)
	f.Add([]byte("]E06901234567892\r]Q1TIQ1.abc.def\r"), uint8(1), true)
	f.Add([]byte("\x00\xff\x1b\r\r\n\t\x7f"), uint8(2), false)
	f.Add([]byte(strings.Repeat("A", 2000)+"\rB\r"), uint8(7), false)
	f.Fuzz(func(t *testing.T, in []byte, split uint8, aim bool) {
		cfg := FramerConfig{Suffix: SuffixCRLF, AIM: aim, MaxLen: 64}
		whole := NewFramer(cfg)
		var a []Frame
		whole.Feed(t0, in, func(fr Frame) { a = append(a, fr) })
		pieces := NewFramer(cfg)
		var b []Frame
		step := int(split%16) + 1
		for i := 0; i < len(in); i += step {
			pieces.Feed(t0, in[i:min(i+step, len(in))], func(fr Frame) { b = append(b, fr) })
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("split changed frames: %q vs %q", a, b)
		}
		for _, fr := range a {
			if fr.Data == "" || len(fr.Data) > 64 {
				t.Fatalf("bad frame length %d", len(fr.Data))
			}
			for i := 0; i < len(fr.Data); i++ {
				if fr.Data[i] < 0x20 || fr.Data[i] > 0x7e {
					t.Fatalf("non-printable byte %#x in frame", fr.Data[i])
				}
			}
		}
	})
}
