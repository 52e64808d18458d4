package store

import (
	"context"
	"database/sql"
	"testing"
)

// TestPragmasOnEveryConnection reads the pragmas back on every connection
// the store can hand out: all connections of the read pool held at once
// (so the pool must open each of them), the write connection, and a backup
// connection. A pragma set only on the first connection of a pool would
// pass a single QueryRow and fail here.
func TestPragmasOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)

	var conns []*sql.Conn
	names := []string{}
	readers := s.r.Stats().MaxOpenConnections
	if readers < 2 {
		t.Fatalf("read pool allows %d connections", readers)
	}
	for i := 0; i < readers; i++ {
		c, err := s.r.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
		names = append(names, "reader")
	}
	if open := s.r.Stats().OpenConnections; open != readers {
		t.Fatalf("holding %d reader connections, pool has %d open", readers, open)
	}
	w, err := s.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	conns, names = append(conns, w), append(names, "writer")
	bdb, err := sql.Open("sqlite", dsn(s.path, roleBackup))
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	b, err := bdb.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	conns, names = append(conns, b), append(names, "backup")

	for i, c := range conns {
		var mode string
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("%s connection %d: journal_mode = %q, %v; want wal", names[i], i, mode, err)
		}
		// synchronous 2 = FULL.
		for pragma, want := range map[string]int{"synchronous": 2, "busy_timeout": 5000, "foreign_keys": 1} {
			var got int
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
				t.Errorf("%s connection %d: PRAGMA %s = %d, %v; want %d", names[i], i, pragma, got, err, want)
			}
		}
		var queryOnly int
		if err := c.QueryRowContext(ctx, "PRAGMA query_only").Scan(&queryOnly); err != nil {
			t.Fatal(err)
		}
		if want := names[i] == "reader"; (queryOnly == 1) != want {
			t.Errorf("%s connection %d: query_only = %d", names[i], i, queryOnly)
		}
	}
}
