package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/dbmail-go/dbmail/db"
)

// maint is one dbmail-util run.
type maint struct {
	o              *opts
	db             *db.DB
	log            *slog.Logger
	out, errw      io.Writer
	headerReadonly bool

	found    int64 // problems found (orphans and housekeeping excluded)
	failures int   // steps that failed
}

// run executes the requested steps in DBMail's fixed order (spec 7.2):
// --erase, --move, -t, -p, -b, -d, -s, -l, -r, -c, --rehash, -M, -e.
func (m *maint) run(ctx context.Context) int {
	o := m.o
	if !o.yes {
		m.infof("Choosing dry-run mode. No changes will be made at this time.\n")
	}
	steps := []struct {
		on bool
		fn func(context.Context)
	}{
		{o.eraseSet, m.erase},
		{o.moveSet, m.move},
		{o.integrity, m.integrity},
		{o.purge, m.purgeDeleted},
		{o.body, m.checkBody},
		{o.setDeleted, m.setDeleted},
		{o.aliases, m.invalidAliases},
		{o.ipSet, m.clearIPLog},
		{o.replySet, m.clearReplyCache},
		{o.clean, m.vacuum},
		{o.rehash, m.rehash},
		{o.migrate, m.migrate},
		{o.emptyCache, m.emptyCache},
	}
	for _, s := range steps {
		if s.on && ctx.Err() == nil {
			s.fn(ctx)
		}
	}
	if ctx.Err() != nil {
		m.fail("interrupted", ctx.Err())
	}
	return m.finish()
}

// finish prints the closing lines and picks the exit status (spec 7.2).
func (m *maint) finish() int {
	switch {
	case m.failures > 0:
		m.infof("\nMaintenance done. Errors were found but not fixed due to failures.\n")
		m.infof("Please check the logs for further details, turning up the trace level as needed.\n")
		return exitFailures
	case m.found > 0 && m.o.yes:
		m.infof("\nMaintenance done. Errors were found and fixed.\n")
		m.infof("Recommend running dbmail-util again to confirm that all errors were repaired.\n")
		return exitFixed
	case m.found > 0:
		m.infof("\nMaintenance done. Errors were found but not fixed.\n")
		m.infof("Run again with the '-y' option to repair the errors.\n")
		return exitFound
	}
	m.infof("\nMaintenance done. No errors found.\n")
	return exitClean
}

func (m *maint) infof(format string, args ...any) {
	if m.o.quiet == 0 {
		fmt.Fprintf(m.out, format, args...)
	}
}

// fail records a failed step.
func (m *maint) fail(what string, err error) {
	m.failures++
	m.log.Error(what, "err", err)
	if m.o.quiet < 2 {
		fmt.Fprintf(m.errw, "Failed. %s: %v\n", what, err)
	}
}

// report prints what a check found and counts it as a problem.
func (m *maint) report(n int64, what string) {
	if m.o.yes && n > 0 {
		m.infof("Found [%d] %s; repaired.\n", n, what)
	} else {
		m.infof("Found [%d] %s.\n", n, what)
	}
	m.found += n
}

// cutoffDays is now minus days.
func cutoffDays(days int) time.Time { return time.Now().AddDate(0, 0, -days) }

// erase is --erase DAYS: acts even in dry-run mode, as in DBMail (spec 7.2).
func (m *maint) erase(ctx context.Context) {
	if m.o.trash == "" {
		m.infof("No --trash mailbox given: --erase has nothing to do.\n")
		return
	}
	m.infof("\nErasing messages older than %d days from mailboxes [%s]...\n", m.o.eraseDays, m.o.trash)
	n, err := m.db.EraseOld(ctx, m.o.trash, cutoffDays(m.o.eraseDays))
	if err != nil {
		m.fail("erase", err)
		return
	}
	m.infof("Marked [%d] messages for purging.\n", n)
}

// move is --move DAYS: acts even in dry-run mode, as in DBMail; each moved
// message gets a new UID in the trash mailbox (spec 7.2 bug fixed).
func (m *maint) move(ctx context.Context) {
	if m.o.inbox == "" || m.o.trash == "" {
		m.infof("--move needs both --inbox and --trash: nothing to do.\n")
		return
	}
	m.infof("\nMoving messages older than %d days from [%s] to [%s]...\n", m.o.moveDays, m.o.inbox, m.o.trash)
	res, err := m.db.MoveOld(ctx, m.o.inbox, m.o.trash, cutoffDays(m.o.moveDays))
	for _, u := range res.NoTrashFor {
		m.infof("User [%s] has no mailbox [%s]: skipped.\n", u, m.o.trash)
	}
	if err != nil {
		m.fail("move", err)
		return
	}
	m.infof("Moved [%d] messages.\n", res.Moved)
}

// integrity is -t: orphans, which do not count as errors (spec 7.2).
func (m *maint) integrity(ctx context.Context) {
	m.infof("\nRepairing DBMAIL message integrity...\n")
	for _, k := range db.OrphanKinds() {
		if k == db.OrphanHeaderNames && m.headerReadonly {
			m.infof("Skipping headernames: header_cache_readonly is set.\n")
			continue
		}
		n, err := m.db.Orphans(ctx, k, m.o.yes)
		if err != nil {
			m.fail("integrity check "+k.String(), err)
			return
		}
		if m.o.yes && n > 0 {
			m.infof("Found [%d] unconnected %s; deleted.\n", n, k)
		} else {
			m.infof("Found [%d] unconnected %s.\n", n, k)
		}
	}
}

// purgeDeleted is -p.
func (m *maint) purgeDeleted(ctx context.Context) {
	m.infof("\nDeleting messages with PURGE status...\n")
	n, err := m.db.PurgeDeleted(ctx, m.o.yes)
	if err != nil {
		m.fail("purge", err)
		return
	}
	m.report(n, "messages with PURGE status")
}

// checkBody is -b.
func (m *maint) checkBody(ctx context.Context) {
	m.infof("\nChecking DBMAIL message bodies, envelopes and header caches...\n")
	for _, k := range []db.BodyCheck{db.BodyZeroRFCSize, db.BodyMissingEnvelope, db.BodyMissingHeaders} {
		n, err := m.db.CheckBody(ctx, k, m.o.yes)
		if err != nil {
			m.fail("body check", err)
			return
		}
		m.report(n, k.String())
	}
}

// setDeleted is -d.
func (m *maint) setDeleted(ctx context.Context) {
	m.infof("\nSetting PURGE status for messages with DELETE status...\n")
	n, err := m.db.SetDeleted(ctx, m.o.yes)
	if err != nil {
		m.fail("set deleted", err)
		return
	}
	m.report(n, "messages with DELETE status")
	if m.o.yes {
		m.infof("Recomputed the quota usage of every user.\n")
	}
}

// invalidAliases is -s.
func (m *maint) invalidAliases(ctx context.Context) {
	m.infof("\nRemoving aliases of non-existent users...\n")
	n, err := m.db.InvalidAliases(ctx, m.o.yes)
	if err != nil {
		m.fail("remove invalid aliases", err)
		return
	}
	m.report(n, "aliases of non-existent users")
}

// clearIPLog is -l TIME / --clear-iplog TIME.
func (m *maint) clearIPLog(ctx context.Context) {
	d, err := parseTime(m.o.ipTime)
	if err != nil {
		m.fail("clear IP log", err)
		return
	}
	m.infof("\nClearing the IP log of entries older than %s...\n", m.o.ipTime)
	n, err := m.db.ClearIPLog(ctx, time.Now().Add(-d), m.o.yes)
	if err != nil {
		m.fail("clear IP log", err)
		return
	}
	m.report(n, "IP log entries to clear")
}

// clearReplyCache is -r TIME.
func (m *maint) clearReplyCache(ctx context.Context) {
	d, err := parseTime(m.o.replyTime)
	if err != nil {
		m.fail("clear reply cache", err)
		return
	}
	m.infof("\nClearing the reply cache of entries older than %s...\n", m.o.replyTime)
	n, err := m.db.ClearReplyCache(ctx, time.Now().Add(-d), m.o.yes)
	if err != nil {
		m.fail("clear reply cache", err)
		return
	}
	m.report(n, "reply cache entries to clear")
}

// vacuum is -c: a real VACUUM/ANALYZE/OPTIMIZE (a stub in DBMail 3.5).
func (m *maint) vacuum(ctx context.Context) {
	if !m.o.yes {
		m.infof("\nDatabase cleanup (vacuum/analyze/optimize) runs only with -y.\n")
		return
	}
	m.infof("\nCleaning up the database (vacuum/analyze/optimize)...\n")
	start := time.Now()
	tables, err := m.db.Vacuum(ctx)
	if err != nil {
		m.fail("clean database", err)
		return
	}
	m.infof("Cleaned up %d tables in %s.\n", len(tables), time.Since(start).Round(time.Millisecond))
}

// rehash is --rehash; without -y it does nothing and prints nothing.
func (m *maint) rehash(ctx context.Context) {
	if !m.o.yes {
		return
	}
	m.infof("\nRehashing mimeparts...\n")
	n, err := m.db.Rehash(ctx)
	if err != nil {
		m.fail("rehash", err)
		return
	}
	m.infof("Rehashed [%d] mimeparts.\n", n)
}

// migrate is -M: without -y it reports the legacy rows.
func (m *maint) migrate(ctx context.Context) {
	n, err := m.db.LegacyCount(ctx)
	if err != nil {
		m.fail("migrate legacy messages", err)
		return
	}
	m.infof("\nFound [%d] legacy messageblks rows.\n", n)
	if !m.o.yes || n == 0 {
		m.found += n
		return
	}
	done, err := m.db.MigrateLegacy(ctx, m.o.migrateLimit)
	if err != nil {
		m.fail("migrate legacy messages", err)
		return
	}
	m.found += done
	m.infof("Migrated [%d] physmessages to mimeparts (limit %d).\n", done, m.o.migrateLimit)
}

// emptyCache is -e.
func (m *maint) emptyCache(ctx context.Context) {
	m.infof("\nChecking for empty or incomplete envelopes...\n")
	n, err := m.db.CheckBody(ctx, db.BodyShortEnvelope, m.o.yes)
	if err != nil {
		m.fail("envelope check", err)
		return
	}
	m.report(n, db.BodyShortEnvelope.String())
}
