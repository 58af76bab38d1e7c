package sqlschema

import "strings"

// Split cuts a SQL script into statements without their terminating
// semicolons. It understands '…' strings (with ” escapes), "…" and `…`
// quoted identifiers, -- line comments and /* */ comments, which it drops,
// and the BEGIN … END body of CREATE TRIGGER, whose inner semicolons (and
// CASE … END) do not end the statement. Empty statements are dropped.
func Split(script string) []string {
	var (
		out     []string
		cur     strings.Builder
		depth   int  // BEGIN/CASE nesting inside a trigger body
		trigger bool // the statement is a CREATE TRIGGER
		started bool // the statement has a token already
	)
	flush := func() {
		s := strings.TrimSpace(cur.String())
		if s != "" {
			out = append(out, s)
		}
		cur.Reset()
		depth, trigger, started = 0, false, false
	}
	for i := 0; i < len(script); {
		c := script[i]
		switch {
		case c == '-' && i+1 < len(script) && script[i+1] == '-':
			for i < len(script) && script[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(script) && script[i+1] == '*':
			end := strings.Index(script[i+2:], "*/")
			if end < 0 {
				i = len(script)
			} else {
				i += 2 + end + 2
			}
			cur.WriteByte(' ')
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(script) {
				if script[j] == c {
					if j+1 < len(script) && script[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j < len(script) {
				j++
			}
			cur.WriteString(script[i:j])
			started = true
			i = j
		case isIdent(c):
			j := i
			for j < len(script) && isIdent(script[j]) {
				j++
			}
			word := script[i:j]
			if !started && strings.EqualFold(word, "CREATE") {
				trigger = isCreateTrigger(script[i:])
			}
			started = true
			if trigger {
				switch {
				case strings.EqualFold(word, "BEGIN"), strings.EqualFold(word, "CASE"):
					depth++
				case strings.EqualFold(word, "END") && depth > 0:
					depth--
				}
			}
			cur.WriteString(word)
			i = j
		case c == ';' && depth == 0:
			flush()
			i++
		default:
			cur.WriteByte(c)
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				started = true
			}
			i++
		}
	}
	flush()
	return out
}

// isCreateTrigger reports whether s starts CREATE [TEMP|TEMPORARY] TRIGGER.
func isCreateTrigger(s string) bool {
	if len(s) > 64 {
		s = s[:64]
	}
	f := strings.Fields(s)
	if len(f) < 2 {
		return false
	}
	n := 1
	if strings.EqualFold(f[1], "TEMP") || strings.EqualFold(f[1], "TEMPORARY") {
		n = 2
	}
	return len(f) > n && strings.EqualFold(f[n], "TRIGGER")
}
