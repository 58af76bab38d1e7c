// Package sqlschema holds DBMail's SQL schema at level 35002 for PostgreSQL,
// MySQL/MariaDB and SQLite (spec 1), the upgrade steps that bring an older
// DBMail 3.x database there (spec 1.2), dbmail-go's own optional steps, and
// the schema of a DBMail 3.0/3.1 database for tests. The DDL lives in .sql
// files per backend, embedded in the binary; this package only selects,
// rewrites (table prefix, spec 1.1) and splits them. Running them is
// (*db.DB).Migrate's job.
package sqlschema

import (
	"embed"
	"fmt"
	"strconv"
)

//go:embed postgresql mysql sqlite
var files embed.FS

// Backend names a SQL backend; the value is the directory holding its files.
type Backend string

const (
	PostgreSQL Backend = "postgresql"
	MySQL      Backend = "mysql"
	SQLite     Backend = "sqlite"
)

// DefaultPrefix is the table prefix the files are written with (spec 1.1).
const DefaultPrefix = "dbmail_"

// Level is the DBMail schema level a fresh install is created at (spec 1.2).
const Level = 35002

// Step is one row of dbmail_upgrade_steps and the DDL that produces it.
type Step struct {
	From, To int
	// Own marks dbmail-go's additions: optional for DBMail, which ignores
	// rows it does not know (spec 1.2).
	Own bool
}

// Steps returns every known step in the order it must be applied: DBMail's
// eight (spec 1.2, `db_check_version` order) and then dbmail-go's own
// (sql/README.md). Each call returns a new slice.
func Steps() []Step {
	return []Step{
		{0, 32001, false},
		{32001, 32002, false},
		{32001, 32003, false},
		{32001, 32004, false},
		{32001, 32005, false},
		{32001, 32006, false},
		{32006, 35001, false},
		{35001, 35002, false},
		{35002, 90001, true},
		{90001, 90002, true},
		{90002, 90003, true},
	}
}

// LatestStep is the highest to_version this build knows.
func LatestStep() int {
	s := Steps()
	return s[len(s)-1].To
}

// HeaderNames are the twelve header names every DBMail process ensures in
// dbmail_headername at start-up (spec 1.6, `db_check_headernames`).
func HeaderNames() []string {
	return []string{"from", "to", "cc", "bcc", "date", "subject", "content-type",
		"content-disposition", "references", "in-reply-to", "reply-to", "return-path"}
}

// SpecialUsers are the three users the create scripts insert (spec 1.6).
func SpecialUsers() []string {
	return []string{"__@!internal_delivery_user!@__", "anyone", "__public__"}
}

// Tables lists DBMail's table names without prefix, as a fresh install at
// level 35002 has them (dbmail_messageblks is absent on MySQL; spec 1.4).
func Tables(b Backend) []string {
	t := []string{"acl", "aliases", "authlog", "auto_notifications", "auto_replies",
		"envelope", "filters", "header", "headername", "headervalue", "keywords",
		"mailboxes", "messages", "mimeparts", "partlists", "pbsp", "physmessage",
		"referencesfield", "replycache", "sievescripts", "subscription",
		"upgrade_steps", "usermap", "users"}
	if b != MySQL {
		t = append(t, "messageblks")
	}
	return t
}

// Views lists the sort views without prefix (spec 1.5).
func Views() []string {
	return []string{"fromfield", "ccfield", "tofield", "subjectfield", "datefield"}
}

// Create returns the statements that create an empty database at level
// 35002 with all eight DBMail step rows, for the given table prefix. It
// does not include dbmail-go's own steps: apply those with StepSQL.
func Create(b Backend, prefix string) ([]string, error) {
	return load(b, prefix, "create.sql")
}

// Legacy31 returns the statements that create a DBMail 3.0/3.1 database
// (before dbmail_upgrade_steps existed; spec 1.9). Tests use it to check
// upgrades; Migrate never does.
func Legacy31(b Backend, prefix string) ([]string, error) {
	return load(b, prefix, "legacy_3_1.sql")
}

// StepSQL returns the statements of the step that produces to_version to.
// The last statement inserts the step's own dbmail_upgrade_steps row, as
// DBMail's scripts do.
func StepSQL(b Backend, to int, prefix string) ([]string, error) {
	known := false
	for _, s := range Steps() {
		if s.To == to {
			known = true
		}
	}
	if !known {
		return nil, fmt.Errorf("no upgrade step to version %d", to)
	}
	return load(b, prefix, "steps/"+strconv.Itoa(to)+".sql")
}

func load(b Backend, prefix, name string) ([]string, error) {
	switch b {
	case PostgreSQL, MySQL, SQLite:
	default:
		return nil, fmt.Errorf("unknown backend %q", b)
	}
	text, err := files.ReadFile(string(b) + "/" + name)
	if err != nil {
		return nil, fmt.Errorf("schema file %s/%s: %w", b, name, err)
	}
	script := string(text)
	if b == SQLite && (name == "create.sql" || name == "legacy_3_1.sql") {
		trig, err := files.ReadFile(string(b) + "/triggers.sql")
		if err != nil {
			return nil, fmt.Errorf("schema file %s/triggers.sql: %w", b, err)
		}
		script += "\n" + string(trig)
	}
	return Split(Rewrite(b, script, prefix)), nil
}
