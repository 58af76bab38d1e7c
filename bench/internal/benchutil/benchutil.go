// Package benchutil is what the benchmark commands share: the corpus and
// throwaway databases.
package benchutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dbmail-go/dbmail/db"
)

// LoadCorpus reads the corpus messages (ham then spam, sorted), at most
// limit of them (0 = all). With stripFrom the leading mbox From line, which
// is not part of what an MTA hands over, is removed.
func LoadCorpus(dir string, limit int, stripFrom bool) ([][]byte, int64, error) {
	var files []string
	for _, sub := range []string{"ham", "spam"} {
		m, err := filepath.Glob(filepath.Join(dir, sub, "*.eml"))
		if err != nil {
			return nil, 0, err
		}
		sort.Strings(m)
		files = append(files, m...)
	}
	if len(files) == 0 {
		return nil, 0, fmt.Errorf("no corpus messages under %s", dir)
	}
	if limit > 0 && limit < len(files) {
		files = files[:limit]
	}
	var out [][]byte
	var total int64
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, 0, err
		}
		if stripFrom && strings.HasPrefix(string(b), "From ") {
			if i := strings.IndexByte(string(b), '\n'); i >= 0 {
				b = b[i+1:]
			}
		}
		out = append(out, b)
		total += int64(len(b))
	}
	return out, total, nil
}

// FreshDatabase makes an empty database on backend (sqlite, or postgresql
// and mysql on the servers named by DBMAIL_TEST_PG / DBMAIL_TEST_MYSQL)
// and returns its dburi and a function that drops it.
func FreshDatabase(ctx context.Context, backend string) (string, func(), error) {
	var suffix [6]byte
	rand.Read(suffix[:])
	name := "dbmailbench_" + hex.EncodeToString(suffix[:])
	if backend == "sqlite" {
		dir, err := os.MkdirTemp("", "dbmailbench")
		if err != nil {
			return "", nil, err
		}
		return "sqlite://" + filepath.Join(dir, "bench.db"), func() { os.RemoveAll(dir) }, nil
	}
	env := map[string]string{"postgresql": "DBMAIL_TEST_PG", "mysql": "DBMAIL_TEST_MYSQL"}[backend]
	base := os.Getenv(env)
	if base == "" {
		return "", nil, fmt.Errorf("set %s for the %s backend", env, backend)
	}
	t, err := db.ParseURI(base, "dbmail-bench")
	if err != nil {
		return "", nil, err
	}
	server, err := sql.Open(t.Driver, t.DSN)
	if err != nil {
		return "", nil, err
	}
	if _, err := server.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		server.Close()
		return "", nil, fmt.Errorf("create database on %s: %w", env, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		server.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		server.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name)
		server.Close()
	}, nil
}

// OpenFresh makes a fresh database on backend (FreshDatabase), opens it
// with at most conns connections, and creates the schema. close closes the
// handle and drops the database.
func OpenFresh(ctx context.Context, backend, program string, conns int) (d *db.DB, uri string, t db.Target, close func(), err error) {
	uri, drop, err := FreshDatabase(ctx, backend)
	if err != nil {
		return nil, "", db.Target{}, nil, err
	}
	t, err = db.ParseURI(uri, program)
	if err != nil {
		drop()
		return nil, "", db.Target{}, nil, err
	}
	d, err = db.Open(ctx, t, "dbmail_", conns)
	if err != nil {
		drop()
		return nil, "", db.Target{}, nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		drop()
		return nil, "", db.Target{}, nil, err
	}
	return d, uri, t, func() { d.Close(); drop() }, nil
}

// RunWorkers hands the indexes 0..n-1 to workers goroutines, each running
// worker over the channel of indexes it takes from, and returns the wall
// time until all are done. The first worker error stops the hand-out and
// is returned.
func RunWorkers(n, workers int, worker func(work <-chan int) error) (time.Duration, error) {
	work := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := worker(work); err != nil {
				errs <- err
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case work <- i:
		case err := <-errs:
			close(work)
			wg.Wait()
			return 0, err
		}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return elapsed, nil
}
