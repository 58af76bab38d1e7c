package imap4

import (
	"fmt"
)

// Command is one complete client command (RFC 3501 §2.2.1): tag, name,
// UID prefix (RFC 3501 §6.4.8) and its parsed arguments.
type Command struct {
	Tag  string
	Name string // upper case, e.g. "FETCH"; "UID FETCH" has Name "FETCH" and UID true
	UID  bool
	// Args holds the typed arguments: one of the *...Args types of this
	// package, nil for commands without arguments.
	Args Args
}

// Args is implemented by the argument types of the commands.
type Args interface{ isArgs() }

// SyntaxError is a command the parser could not accept: the caller answers
// "<Tag> BAD <Msg>", or "* BAD <Msg>" when Tag is empty (RFC 3501 §7.1.3).
type SyntaxError struct {
	Tag string
	Msg string
}

func (e *SyntaxError) Error() string { return "imap4: syntax error: " + e.Msg }

// pendingString reports that parsing stopped at an announced literal used
// as a string argument (see Parser.announce).
type pendingString struct {
	tag, name string
	uid       bool
}

func (e *pendingString) Error() string { return "imap4: literal pending" }

// pendingMessage reports that parsing stopped at an announced APPEND
// message literal.
type pendingMessage struct {
	tag, name string
	uid       bool
	mailbox   string
	index     int
}

func (e *pendingMessage) Error() string { return "imap4: message literal pending" }

// parseCommand parses an assembled command. With pending set, the last
// literal of b is announced but not received, and parsing stops there with
// *pendingString or *pendingMessage (or fails earlier with *SyntaxError).
func parseCommand(b []byte, lits []literal, pending bool, maxDepth int) (*Command, error) {
	r := &reader{b: b, lits: lits, pending: pending, maxDepth: maxDepth}
	tag := r.span(isTagChar)
	if tag == "" {
		return nil, r.errorf("missing or invalid tag")
	}
	if !r.eof() && r.b[r.pos] != ' ' {
		return nil, r.errorf("invalid character %s in tag", r.what())
	}
	r.tag = tag
	if err := r.sp(); err != nil {
		return nil, r.errorf("missing command")
	}
	name, err := r.keyword("command name")
	if err != nil {
		return nil, err
	}
	cmd := &Command{Tag: tag, Name: name}
	if name == "UID" {
		if err := r.sp(); err != nil {
			return nil, err
		}
		if name, err = r.keyword("command name after UID"); err != nil {
			return nil, err
		}
		switch name {
		case "COPY", "MOVE", "FETCH", "STORE", "SEARCH", "SORT", "THREAD", "EXPUNGE":
		default:
			return nil, r.errorf("UID %s is not a valid command", name)
		}
		cmd.Name, cmd.UID = name, true
	}
	r.name, r.uid = cmd.Name, cmd.UID
	if cmd.UID {
		r.name = "UID " + cmd.Name
	}
	args, err := parseArgs(r, cmd)
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	cmd.Args = args
	return cmd, nil
}

// parseArgs dispatches on the command name; each parser consumes the
// arguments including their leading SP.
func parseArgs(r *reader, cmd *Command) (Args, error) {
	switch cmd.Name {
	// RFC 3501 §6.1, §6.2, §6.3.x, §6.4.x commands without arguments;
	// NAMESPACE RFC 2342, IDLE RFC 2177, UNSELECT RFC 3691.
	case "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "NAMESPACE", "IDLE",
		"CHECK", "CLOSE", "UNSELECT":
		return nil, nil
	case "EXPUNGE":
		if cmd.UID {
			return parseUIDExpunge(r)
		}
		return nil, nil
	case "LOGIN":
		return parseLogin(r)
	case "AUTHENTICATE":
		return parseAuthenticate(r)
	case "ID":
		return parseID(r)
	case "ENABLE":
		return parseEnable(r)
	case "SELECT", "EXAMINE":
		return parseSelect(r)
	case "CREATE":
		return parseCreate(r)
	case "DELETE", "SUBSCRIBE", "UNSUBSCRIBE", "GETQUOTAROOT", "GETACL", "MYRIGHTS":
		return parseMailboxArg(r)
	case "RENAME":
		return parseRename(r)
	case "LIST":
		return parseList(r)
	case "LSUB":
		return parseLsub(r)
	case "STATUS":
		return parseStatus(r)
	case "APPEND":
		return parseAppend(r)
	case "SEARCH":
		return parseSearch(r)
	case "FETCH":
		return parseFetch(r, cmd.UID)
	case "STORE":
		return parseStore(r)
	case "COPY", "MOVE":
		return parseCopy(r)
	case "SORT":
		return parseSort(r)
	case "THREAD":
		return parseThread(r)
	case "SETACL":
		return parseSetACL(r)
	case "DELETEACL", "LISTRIGHTS":
		return parseACLIdentifier(r)
	case "GETQUOTA":
		return parseGetQuota(r)
	case "SETQUOTA":
		return parseSetQuota(r)
	}
	return nil, &SyntaxError{Tag: r.tag, Msg: fmt.Sprintf("unknown command %s", cmd.Name)}
}

// ParseCommand parses one complete command line without literals, as a
// convenience for tests and tools; the connection uses Parser.
func ParseCommand(line string) (*Command, error) {
	return parseCommand([]byte(line), nil, false, DefaultMaxDepth)
}
