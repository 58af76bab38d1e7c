// Command store benchmarks the message store (issue: foundation, item 9):
// it delivers the shared corpus through db.StoreMessage with 1 and 8
// concurrent writers on every configured backend and prints messages/s,
// MB/s and database bytes per byte delivered (and, on PostgreSQL, the
// group commit's batches: how many, their mean size, how many refused).
// Backends other than SQLite come from DBMAIL_TEST_PG / DBMAIL_TEST_MYSQL (dburi form); each run uses a
// database of its own that is dropped afterwards.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"math/big"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/bench/internal/benchutil"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
)

func main() {
	corpus := flag.String("corpus", "../shared/corpus", "corpus directory (ham/ and spam/)")
	writers := flag.String("writers", "1,8", "comma-separated writer counts")
	users := flag.Int("users", 50, "recipients the messages are spread over")
	limit := flag.Int("n", 0, "deliver only the first n messages (0 = all)")
	only := flag.String("backends", "", "comma-separated subset of sqlite,postgresql,mysql")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile of the whole run (this process: parsing, hashing, the driver) to FILE")
	flag.Parse()
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}

	msgs, total, err := benchutil.LoadCorpus(*corpus, *limit, false)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("corpus: %d messages, %.1f MB\n", len(msgs), float64(total)/1e6)
	backends := []string{"sqlite"}
	if os.Getenv("DBMAIL_TEST_PG") != "" {
		backends = append(backends, "postgresql")
	}
	if os.Getenv("DBMAIL_TEST_MYSQL") != "" {
		backends = append(backends, "mysql")
	}
	fmt.Printf("%-11s %7s %9s %8s %14s\n", "backend", "writers", "msgs/s", "MB/s", "stored/deliv")
	for _, b := range backends {
		if *only != "" && !strings.Contains(","+*only+",", ","+b+",") {
			continue
		}
		for _, ws := range strings.Split(*writers, ",") {
			w, err := strconv.Atoi(strings.TrimSpace(ws))
			if err != nil || w < 1 {
				fmt.Fprintf(os.Stderr, "bad writer count %q\n", ws)
				os.Exit(2)
			}
			if err := run(b, w, *users, msgs, total); err != nil {
				fmt.Fprintf(os.Stderr, "%s with %d writers: %v\n", b, w, err)
				os.Exit(1)
			}
		}
	}
}

func run(backend string, writers, nusers int, msgs [][]byte, total int64) error {
	ctx := context.Background()
	d, _, t, closeDB, err := benchutil.OpenFresh(ctx, backend, "dbmail-bench", writers+2)
	if err != nil {
		return err
	}
	defer closeDB()
	inboxes := make([]db.Dest, nusers)
	for i := range inboxes {
		id, err := d.CreateUser(ctx, db.User{Name: fmt.Sprintf("user%d", i+1), Passwd: "x", Active: true})
		if err != nil {
			return err
		}
		mb, err := d.FindMailbox(ctx, id, "INBOX")
		if err != nil {
			return err
		}
		inboxes[i] = db.Dest{MailboxID: mb.ID, QuotaUser: id, Flags: db.Flags{Recent: true}}
	}
	before, err := dbSize(ctx, d, t)
	if err != nil {
		return err
	}
	elapsed, err := benchutil.RunWorkers(len(msgs), writers, func(work <-chan int) error {
		for i := range work {
			m, err := message.Parse(msgs[i], message.Options{MaxDepth: 64})
			if err != nil {
				return err
			}
			n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(inboxes))))
			if _, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{inboxes[n.Int64()]}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var n int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM {messages} WHERE status < 2`).Scan(&n); err != nil {
		return err
	}
	if n != len(msgs) {
		return fmt.Errorf("%d messages stored, %d delivered", n, len(msgs))
	}
	after, err := dbSize(ctx, d, t)
	if err != nil {
		return err
	}
	fmt.Printf("%-11s %7d %9.0f %8.2f %14.2f", backend, writers, float64(len(msgs))/elapsed.Seconds(),
		float64(total)/1e6/elapsed.Seconds(), float64(after-before)/float64(total))
	if g := d.GroupStats(); g.Batches > 0 {
		// PostgreSQL group commit: how many deliveries shared a commit.
		fmt.Printf("   %d batches of %.1f, %d refused", g.Batches, float64(g.Statements)/float64(g.Batches), g.Refused)
	}
	fmt.Println()
	return nil
}

// dbSize is the database's size on disk in bytes.
func dbSize(ctx context.Context, d *db.DB, t db.Target) (int64, error) {
	var n int64
	var err error
	switch t.Dialect {
	case db.Postgres:
		d.Exec(ctx, "CHECKPOINT")
		err = d.SQL.QueryRowContext(ctx, "SELECT pg_database_size(current_database())").Scan(&n)
	case db.MySQL:
		d.Exec(ctx, "ANALYZE TABLE {physmessage}, {messages}, {mimeparts}, {partlists}, {header}, {headervalue}, {envelope}, {referencesfield}")
		err = d.SQL.QueryRowContext(ctx, "SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = DATABASE()").Scan(&n)
	default:
		d.SQL.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		var st os.FileInfo
		st, err = os.Stat(t.Path)
		if err == nil {
			n = st.Size()
		}
	}
	return n, err
}
