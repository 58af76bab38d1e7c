package sqlschema

import (
	"regexp"
	"strings"
)

// createdName finds the names of indexes, triggers and constraints a script
// creates. On PostgreSQL and SQLite these share one namespace per schema or
// database, so two table prefixes in one database would collide on them.
var createdName = regexp.MustCompile(`(?i)\b(?:CREATE\s+(?:UNIQUE\s+)?(?:INDEX|TRIGGER)|ADD\s+CONSTRAINT)\s+([A-Za-z_][A-Za-z0-9_]*)`)

// Rewrite renames the objects of script for table prefix (spec 1.1). With
// the default prefix the script is returned unchanged, so a default
// database is named exactly as DBMail names it. Otherwise:
//
//   - every identifier starting with "dbmail_" (tables, views, sequences,
//     indexes, MySQL constraints, and their mentions in view bodies, trigger
//     bodies, seed INSERTs and trigger error messages) has that "dbmail_"
//     replaced by prefix;
//   - on PostgreSQL and SQLite, each index, trigger or constraint name the
//     script creates that does not start with "dbmail_" (usermap_idx_1,
//     message_parts, replycache_1, the fk_* triggers) gets prefix prepended,
//     so that two prefixes can share one database. MySQL index names are
//     per table and stay as DBMail has them.
//
// The empty prefix (table_prefix = "") yields bare names.
func Rewrite(b Backend, script, prefix string) string {
	if prefix == DefaultPrefix {
		return script
	}
	global := map[string]bool{}
	if b != MySQL {
		for _, m := range createdName.FindAllStringSubmatch(script, -1) {
			if !strings.HasPrefix(m[1], DefaultPrefix) {
				global[m[1]] = true
			}
		}
	}
	var out strings.Builder
	out.Grow(len(script) + len(script)/16)
	for i := 0; i < len(script); {
		if !isIdent(script[i]) {
			out.WriteByte(script[i])
			i++
			continue
		}
		j := i
		for j < len(script) && isIdent(script[j]) {
			j++
		}
		word := script[i:j]
		switch {
		case strings.HasPrefix(word, DefaultPrefix):
			out.WriteString(prefix)
			out.WriteString(word[len(DefaultPrefix):])
		case global[word]:
			out.WriteString(prefix)
			out.WriteString(word)
		default:
			out.WriteString(word)
		}
		i = j
	}
	return out.String()
}

func isIdent(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
